"""The customer's "my details" page (public, behind a signed link) and the profile's link screen.

The public page needs no sign-in: the unguessable token is the key. A wrong token is a 404
that names nothing; an expired or revoked one a 410 that names the store to contact. Every
address is held to SELF_SERVICE_RATE requests a window (429 past it), so tokens cannot be
tried in bulk. Saving is all or nothing: bad input re-renders the form with its errors (400).
"""

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from catalog.links import public_url
from catalog.views import customer_language, public_headers, render_for_customer
from clienteling.access import access_customer, customers_view, mask_email, mask_phone
from clienteling.forms.profile import default_phone_region
from clienteling.forms.self_service import MyDetailsForm
from clienteling.registry import link_composers
from clienteling.selectors import self_service as selectors
from clienteling.services.self_service import (
    SELF_SERVICE_LINK_DAYS,
    my_details_save,
    self_service_link_issue,
    self_service_links_revoke,
)

PAGE = "clienteling/my_details.html"
STATUS = {"missing": 404, "expired": 410, "revoked": 410, "open": 200}
# Requests one address may make to the public page per window (tokens cannot be tried in bulk).
SELF_SERVICE_RATE = 30
SELF_SERVICE_WINDOW_SECONDS = 600


# The customer-facing page ---------------------------------------------------------------------


def _over_rate(request) -> bool:
    address = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR") or "unknown"
    key = f"my-details:rate:{address}"
    cache.add(key, 0, SELF_SERVICE_WINDOW_SECONDS)
    try:
        return cache.incr(key) > SELF_SERVICE_RATE
    except ValueError:  # the count expired between add and incr: this is the first again
        cache.set(key, 1, SELF_SERVICE_WINDOW_SECONDS)
        return False


def _page(request, context: dict, *, status: int, language: str | None) -> HttpResponse:
    return render_for_customer(request, PAGE, context, status=status, language=language)


@require_http_methods(["GET", "HEAD", "POST"])
def my_details(request, token: str):
    """Public: the customer checks and changes their contact details, consent and own attributes."""
    if _over_rate(request):
        response = render(request, PAGE, {"state": "limited"}, status=429)
        response["Retry-After"] = str(SELF_SERVICE_WINDOW_SECONDS)
        return public_headers(response)
    found = selectors.self_service_link_state(token=token)
    store = found.store
    context = {"state": found.state, "store": store, "contact": selectors.store_contact(store)}
    if found.state != "open":
        return _page(
            request,
            context if found.state != "missing" else {"state": "missing"},
            status=STATUS[found.state],
            language=None,
        )
    link = found.link
    customer = link.customer
    language = customer_language(customer.language)
    with translation.override(language or translation.get_language()):
        attributes = selectors.editable_attributes(customer=customer)
        form = MyDetailsForm(
            request.POST if request.method == "POST" else None,
            customer=customer,
            attributes=attributes,
            values=selectors.attribute_values(customer=customer, attributes=attributes),
            consents=selectors.consent_states(customer=customer),
            region=default_phone_region(store),
        )
        if form.is_bound and form.is_valid():
            try:
                my_details_save(
                    link=link,
                    contact=form.contact_changes(),
                    attributes=form.changed_values(),
                    consents=form.consent_choices(),
                    request=request,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                return redirect(f"{request.path}?saved=1")
    context.update(
        customer=customer,
        form=form,
        saved=request.GET.get("saved") == "1" and not form.is_bound,
        link=link,
        email_now=mask_email(customer.email),
        phone_now=mask_phone(customer.phone),
    )
    return _page(request, context, status=400 if form.is_bound and form.errors else 200, language=language)


# The profile's link screen ----------------------------------------------------------------------


def _message(customer, url: str) -> str:
    """The text the customer is sent, in their own language when Atelier speaks it."""
    with translation.override(customer_language(customer.language) or translation.get_language()):
        greeting = (
            _("Hello %(name)s,") % {"name": customer.first_name} if customer.first_name else _("Hello,")
        )
        if customer.home_store_id:
            text = _(
                "you can check and update the details %(store)s keeps about you here: %(url)s "
                "(the link works for %(days)d days)."
            ) % {"store": customer.home_store.name, "url": url, "days": SELF_SERVICE_LINK_DAYS}
        else:
            text = _(
                "you can check and update your details here: %(url)s (the link works for %(days)d days)."
            ) % {"url": url, "days": SELF_SERVICE_LINK_DAYS}
    return f"{greeting} {text}"


@customers_view
@require_http_methods(["GET", "POST"])
def my_details_link(request, customer_id: int):
    """Make a link to the customer's "my details" page and put it in their thread's composer
    (or show it to copy), or revoke every live link."""
    customer = access_customer(request.user, customer_id)
    composer = next((c for c in link_composers if c.available(request.user)), None)
    context = {"customer": customer, "days": SELF_SERVICE_LINK_DAYS, "can_compose": composer is not None}
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            revoked = self_service_links_revoke(customer=customer, user=request.user, request=request)
            messages.success(
                request,
                _("%(n)d link(s) revoked: they no longer open the page.") % {"n": revoked}
                if revoked
                else _("There was no live link to revoke."),
            )
            return redirect("clienteling:my_details_link", customer.pk)
        if request.POST.get("action") not in ("compose", "show"):
            context.update(links=selectors.live_links(customer=customer), error=_("Choose what to do."))
            return render(request, "clienteling/my_details_link.html", context, status=400)
        try:
            issued = self_service_link_issue(customer=customer, user=request.user, request=request)
        except ValidationError as error:
            context.update(links=selectors.live_links(customer=customer), error=" ".join(error.messages))
            return render(request, "clienteling/my_details_link.html", context, status=400)
        url = public_url(reverse("clienteling_public:my_details", args=[issued.token]))
        body = _message(customer, url)
        if request.POST["action"] == "compose" and composer is not None:
            try:
                return redirect(composer.compose(request, customer=customer, body=body))
            except ValidationError as error:
                context["compose_error"] = " ".join(error.messages)
        context.update(url=url, body=body)
    context["links"] = selectors.live_links(customer=customer)
    return render(request, "clienteling/my_details_link.html", context)
