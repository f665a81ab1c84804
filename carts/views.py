"""The associate's remote cart and catalog pages. Thin: parse, call a service, render.

Every change is a POST that answers htmx with the cart fragment
(`carts/cart.html#cart`) and a plain form post with a redirect back, so the
page works without JavaScript.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from catalog.models import Collection, Product, ProductVariant
from catalog.selectors import (
    available_to_promise,
    collections_for_sharing,
    product_detail,
    product_exact_matches,
)
from clienteling.access import access_customer, access_store, stores_for
from clienteling.htmx import bad_request, form_errors_text, with_toast
from clienteling.selectors.navigation import home_store_for
from conversations import services as conversation_services
from conversations.access import access_conversation, conversations_view, require_conversations
from conversations.drafts import composer_draft_set

from . import selectors, services
from .access import access_cart, carts_view
from .forms import AddLineForm, DeliveryForm, DiscountForm, QuantityForm, ShareForm

MAX_QUERY = 100


# --- opening a cart ---------------------------------------------------------------------------


@carts_view
@require_GET
def index(request):
    return render(request, "carts/index.html", {"carts": selectors.open_carts(user=request.user)})


@carts_view
@require_POST
def open_for_conversation(request, conversation_id: int):
    """From a thread: that customer's open cart for the thread's store (created on first need)."""
    conversation = access_conversation(request.user, conversation_id)
    cart = services.cart_open(customer=conversation.customer, store=conversation.store,
                              user=request.user, conversation=conversation)
    return redirect("carts:detail", cart.pk)


@carts_view
@require_POST
def open_for_customer(request, customer_id: int):
    """From the profile: the posted store, else the associate's home store."""
    customer = access_customer(request.user, customer_id)
    store_id = request.POST.get("store")
    if store_id:
        store = access_store(request.user, store_id if str(store_id).isdigit() else None)
    else:
        store = home_store_for(request.user)
        if store is None or not stores_for(request.user).filter(pk=store.pk).exists():
            raise Http404
    cart = services.cart_open(customer=customer, store=store, user=request.user)
    return redirect("carts:detail", cart.pk)


# --- the cart page ----------------------------------------------------------------------------


def _page(request, cart, *, error: str = "", status: int = 200, partial: bool | None = None):
    context = selectors.cart_page(cart=cart, user=request.user)
    context["error"] = error
    if partial is None:
        partial = bool(request.htmx)
    query = (request.GET.get("q") or "").strip()[:MAX_QUERY]
    if query and not partial and context["can_edit"]:
        # A scan that found several products, without JavaScript: show them to pick from.
        context.update(query=query, results=selectors.cart_product_results(cart=cart, query=query))
    template = "carts/cart.html#cart" if partial else "carts/cart.html"
    return render(request, template, context, status=status)


def _done(request, cart, toast: str = ""):
    """The change shows on the page itself; a toast only where it may be out of sight."""
    if request.htmx:
        response = _page(request, cart)
        return with_toast(response, toast) if toast else response
    if toast:
        messages.success(request, toast)
    return redirect("carts:detail", cart.pk)


def _refused(request, cart, error):
    text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    if request.htmx:
        return with_toast(_page(request, _fresh(cart), error=text), text)
    messages.error(request, text)
    return redirect("carts:detail", cart.pk)


def _fresh(cart):
    cart.refresh_from_db()
    return cart


def _edit(request, cart, change, *, form=None, toast: str = ""):
    """One cart change: check `form` (when given), run `change(cleaned_data)`, answer the page.

    A form error or a service's ValidationError is the same refusal: nothing changed,
    and the associate sees why.
    """
    data = {}
    if form is not None:
        if not form.is_valid():
            return _refused(request, cart, ValidationError(form_errors_text(form)))
        data = form.cleaned_data
    try:
        change(data)
    except ValidationError as error:
        return _refused(request, cart, error)
    return _done(request, _fresh(cart), toast)


@carts_view
@require_GET
def detail(request, cart_id: int):
    cart = access_cart(request.user, cart_id)
    return _page(request, cart)


@carts_view
@require_GET
def product_results(request, cart_id: int):
    cart = access_cart(request.user, cart_id)
    query = (request.GET.get("q") or "").strip()[:MAX_QUERY]
    context = {"cart": cart, "query": query,
               "results": selectors.cart_product_results(cart=cart, query=query) if query else [],
               "mixed": selectors.cart_settings(cart.store).mixed_cart_enabled}
    return render(request, "carts/cart.html#results", context)


@carts_view
@require_POST
def scan(request, cart_id: int):
    """A scanner (or the camera) typed a code and Enter: one exact variant goes straight in."""
    cart = access_cart(request.user, cart_id)
    code = (request.POST.get("q") or "").strip()[:MAX_QUERY]
    matches = product_exact_matches(code=code, limit=2)
    variant = None
    if len(matches) == 1:
        product = matches[0]
        variant = product.matched_variant
        if variant is None:
            only = list(product.variants.filter(active=True)[:2])
            variant = only[0] if len(only) == 1 else None
    if variant is None:
        results = selectors.cart_product_results(cart=cart, query=code) if code else []
        context = {"cart": cart, "query": code, "results": results,
                   "mixed": selectors.cart_settings(cart.store).mixed_cart_enabled}
        if request.htmx:
            return render(request, "carts/cart.html#results", context)
        return redirect(f"{reverse('carts:detail', args=[cart.pk])}?q={code}")
    try:
        services.cart_line_add(cart=cart, variant=variant, user=request.user,
                               fulfilment=request.POST.get("fulfilment"))
    except ValidationError as error:
        return _refused(request, cart, error)
    response = _done(request, _fresh(cart), _("Added %(item)s.") % {"item": variant.product.title})
    if request.htmx:
        response["HX-Retarget"] = "#cart"
        response["HX-Reswap"] = "outerHTML"
    return response


@carts_view
@require_POST
def line_add(request, cart_id: int):
    cart = access_cart(request.user, cart_id)
    form = AddLineForm(request.POST)
    if not form.is_valid():
        return bad_request(form_errors_text(form))
    variant = (ProductVariant.objects.select_related("product")
               .filter(pk=form.cleaned_data["variant"]).first())
    if variant is None:
        return _refused(request, cart, ValidationError(_("This product is no longer sold.")))
    try:
        services.cart_line_add(cart=cart, variant=variant, user=request.user,
                               quantity=form.cleaned_data["quantity"] or 1,
                               fulfilment=form.cleaned_data["fulfilment"] or None)
    except ValidationError as error:
        return _refused(request, cart, error)
    return _done(request, _fresh(cart), _("Added %(item)s.") % {"item": variant.product.title})


@carts_view
@require_POST
def line_update(request, cart_id: int, line_id: int):
    cart = access_cart(request.user, cart_id)
    form = QuantityForm(request.POST)
    if not form.is_valid():
        return _refused(request, cart, ValidationError(form_errors_text(form)))
    quantity = form.cleaned_data["quantity"]
    step = form.cleaned_data["step"]
    try:
        if step:
            line = cart.lines.filter(pk=line_id).first()
            if line is None:
                raise ValidationError(_("This line is no longer in the cart."))
            if line.quantity + step < 1:
                services.cart_line_remove(cart=cart, line_id=line_id, user=request.user)
                return _done(request, _fresh(cart))
            quantity = line.quantity + step
        services.cart_line_update(cart=cart, line_id=line_id, user=request.user, quantity=quantity,
                                  fulfilment=form.cleaned_data["fulfilment"] or None)
    except ValidationError as error:
        return _refused(request, cart, error)
    return _done(request, _fresh(cart))


@carts_view
@require_POST
def line_remove(request, cart_id: int, line_id: int):
    cart = access_cart(request.user, cart_id)
    return _edit(request, cart, lambda data: services.cart_line_remove(
        cart=cart, line_id=line_id, user=request.user))


@carts_view
@require_POST
def line_discount(request, cart_id: int, line_id: int):
    cart = access_cart(request.user, cart_id)
    return _edit(request, cart, lambda data: services.cart_line_discount_set(
        cart=cart, line_id=line_id, user=request.user, kind=data["kind"], value=data["value"]),
        form=DiscountForm(request.POST))


@carts_view
@require_POST
def cart_discount(request, cart_id: int):
    cart = access_cart(request.user, cart_id)
    return _edit(request, cart, lambda data: services.cart_discount_set(
        cart=cart, user=request.user, kind=data["kind"], value=data["value"]),
        form=DiscountForm(request.POST))


@carts_view
@require_POST
def delivery(request, cart_id: int):
    cart = access_cart(request.user, cart_id)

    def change(data):
        address = (selectors.customer_address(cart.customer) if data["use_customer_address"]
                   else {name: data[name] for name in ("name", "line1", "line2", "city", "state", "zip",
                                                        "country")})
        services.cart_delivery_set(cart=cart, user=request.user, address=address)

    return _edit(request, cart, change, form=DeliveryForm(request.POST))


@carts_view
@require_POST
def shipping(request, cart_id: int):
    cart = access_cart(request.user, cart_id)
    return _edit(request, cart, lambda data: services.cart_shipping_set(
        cart=cart, user=request.user, shipping_option_id=request.POST.get("shipping_option")))


@carts_view
@conversations_view
@require_POST
def share(request, cart_id: int):
    """Send the cart's message now, or open the thread with it in the composer to review."""
    cart = access_cart(request.user, cart_id)
    form = ShareForm(request.POST)
    if form.is_valid() and form.cleaned_data["mode"] == ShareForm.REVIEW:
        return _share_review(request, cart, channel=form.cleaned_data["channel"] or None)
    return _edit(request, cart, lambda data: services.cart_share(
        cart=cart, user=request.user, channel=data["channel"] or None),
        form=form, toast=_("Cart shared in the conversation. The link works until midnight."))


def _share_review(request, cart, *, channel):
    try:
        draft = services.cart_share_draft(cart=cart, user=request.user, channel=channel)
    except ValidationError as error:
        return _refused(request, cart, error)
    composer_draft_set(request, conversation_id=draft.conversation.pk, body=draft.body)
    url = reverse("conversations:detail", args=[draft.conversation.pk])
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


@carts_view
@require_GET
def link_state(request, cart_id: int):
    """The cart page's share line alone: asked again while the worker makes the payment link."""
    cart = access_cart(request.user, cart_id)
    return render(request, "carts/cart.html#link_state",
                  {"cart": cart, **selectors.cart_link_status(cart=cart)})


@carts_view
@require_POST
def save(request, cart_id: int):
    """Every change is already saved; this says so and goes back to where the associate was."""
    cart = access_cart(request.user, cart_id)
    messages.success(request, _("Cart saved. You can keep editing it until midnight."))
    if cart.conversation_id:
        return redirect("conversations:detail", cart.conversation_id)
    return redirect("clienteling:customer_detail", cart.customer_id)


@carts_view
@require_POST
def clear(request, cart_id: int):
    cart = access_cart(request.user, cart_id)
    try:
        services.cart_clear(cart=cart, user=request.user)
    except ValidationError as error:
        return _refused(request, cart, error)
    return _done(request, _fresh(cart), _("Cart cleared. Its link no longer works."))


# --- the catalog and sharing products ------------------------------------------------------


def _catalog_context(request, conversation=None) -> dict:
    query = (request.GET.get("q") or "").strip()[:MAX_QUERY]
    store = conversation.store if conversation else home_store_for(request.user)
    return {
        "query": query, "store": store, "conversation": conversation,
        "results": selectors.catalog_results(user=request.user, store=store, query=query)
        if query else [],
        "collections": collections_for_sharing() if not query else [],
    }


@carts_view
@require_GET
def catalog(request):
    context = _catalog_context(request)
    if request.htmx:
        return render(request, "carts/catalog.html#results", context)
    return render(request, "carts/catalog.html", context)


@carts_view
@require_GET
def catalog_product(request, product_id: int):
    product = product_detail(product_id=product_id)
    if product is None:
        raise Http404
    conversation = None
    if request.GET.get("conversation", "").isdigit():
        require_conversations(request.user)
        conversation = access_conversation(request.user, request.GET["conversation"])
    store = conversation.store if conversation else home_store_for(request.user)
    location = store.stock_location_id if store else None
    stock = available_to_promise(variant_ids=[v.pk for v in product.active_variants],
                                 location_ids=[location])
    variants = [{"variant": v, "in_store": stock.get(v.pk, {}).get(location, 0) if location else None}
                for v in product.active_variants]
    return render(request, "carts/catalog_product.html", {
        "product": product, "variants": variants, "store": store, "conversation": conversation,
        **selectors.product_price_for(product, store=store)})


@carts_view
@conversations_view
@require_GET
def share_picker(request, conversation_id: int):
    """Search the catalog and share products, a collection or a list into this thread."""
    conversation = access_conversation(request.user, conversation_id)
    context = _catalog_context(request, conversation)
    if request.htmx:
        return render(request, "carts/catalog.html#results", context)
    return render(request, "carts/catalog.html", context)


@carts_view
@conversations_view
@require_POST
def share_send(request, conversation_id: int):
    conversation = access_conversation(request.user, conversation_id)
    kind = request.POST.get("kind")
    product = collection = products = None
    if kind == "product":
        product = get_object_or_404(Product, pk=_int(request.POST.get("product")), active=True)
    elif kind == "collection":
        collection = get_object_or_404(Collection, pk=_int(request.POST.get("collection")), active=True)
    elif kind == "list":
        ids = [_int(value) for value in request.POST.getlist("products")][:30]
        products = list(Product.objects.filter(pk__in=[i for i in ids if i], active=True))
    else:
        return bad_request(_("Choose a product, a collection or products to share."))
    try:
        conversation_services.catalog_share_send(conversation=conversation, user=request.user,
                                                 product=product, collection=collection, products=products)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(f"{reverse('carts:share_picker', args=[conversation.pk])}?"
                        f"q={request.POST.get('q', '')[:MAX_QUERY]}")
    messages.success(request, _("Shared in the conversation."))
    return redirect("conversations:detail", conversation.pk)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
