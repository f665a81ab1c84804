"""Customer-facing, login-free pages behind the cart's unguessable token, and provider notifications.

A paid cart's link shows its receipt (200): what was bought, for how much, when, and
who to contact. An expired or cleared cart's link answers 410 (the offer is gone for
good, so link previewers and crawlers drop it) with a page that says so and how to
reach the store, and names nothing else. A wrong token is a 404 that names nothing.
"""

import logging
import uuid

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from catalog.money import to_minor_units
from catalog.views import public_headers, render_for_customer

from . import selectors, services
from .models import Cart, PaymentLink
from .payments import InvalidSignature, get_provider, notification_providers
from .payments.demo import SIGNATURE_HEADER, DemoProvider

logger = logging.getLogger(__name__)

STATUS = {"missing": 404, "expired": 410, "cleared": 410, "paid": 200, "updating": 200,
          "open": 200, "failed": 200}


def cart(request, token: str):
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405)
    page = selectors.customer_cart_page(token=token)
    # Back from the provider's page: the notification may not have been processed yet.
    page["confirming"] = page["state"] == "open" and request.GET.get("paid") == "1"
    return render_for_customer(request, "carts/customer_cart.html", page, status=STATUS[page["state"]],
                               language=page.get("language"))


def _demo_link(key: str) -> PaymentLink | None:
    try:
        key = uuid.UUID(str(key))
    except ValueError:
        return None
    return (PaymentLink.objects.select_related("cart__store")
            .filter(idempotency_key=key, provider=DemoProvider.name).first())


@require_http_methods(["GET", "POST"])
def demo_pay(request, key):
    """The demo provider's hosted pay page: complete or decline, then a signed notification."""
    link = _demo_link(key)
    if link is None or DemoProvider.name not in notification_providers():
        raise Http404
    payable = (link.status == PaymentLink.Status.ACTIVE and link.cart.status == Cart.Status.OPEN
               and link.cart_version == link.cart.version)
    if request.method == "GET" or not payable:
        return public_headers(render(request, "carts/demo_pay.html", {
            "link": link, "store": link.cart.store, "payable": payable,
        }, status=200 if payable else 410))
    success = request.POST.get("outcome") == "pay"
    provider = get_provider(DemoProvider.name)
    body = provider.notification_body(
        psp_reference=f"DEMO{uuid.uuid4().hex[:16].upper()}", merchant_reference=link.reference,
        success=success, amount_minor=to_minor_units(link.amount, link.currency),
        currency=link.currency, reason="" if success else _("Declined on the demo pay page"))
    # The demo "sends itself" the notification: it goes through the same verifying
    # receiver as /c/notify/demo/, so a wrong signature would change nothing here too.
    services.payment_notifications_receive(provider=provider, body=body,
                                           headers={SIGNATURE_HEADER: provider.sign(body)})
    back = reverse("carts_public:cart", args=[link.cart.token])
    return redirect(f"{back}?paid=1" if success else back)


@csrf_exempt
@require_POST
def notify(request, provider: str):
    """Provider notifications: verify, record once, answer at once; a task does the work."""
    if provider not in notification_providers():
        raise Http404
    payment_provider = get_provider(provider)
    body_text, content_type = payment_provider.notification_response
    try:
        services.payment_notifications_receive(provider=payment_provider, body=request.body,
                                               headers=request.headers)
    except InvalidSignature as error:
        logger.warning("%s notification refused: %s", provider, error)
        if provider == DemoProvider.name:
            return HttpResponseForbidden()
        # Adyen wants every delivery acknowledged: a refused one blocks its retry queue.
        return HttpResponse(body_text, content_type=content_type)
    except ValidationError as error:
        logger.warning("%s notification not recorded: %s", provider, error)
        return HttpResponse(body_text, content_type=content_type)
    return HttpResponse(body_text, content_type=content_type)
