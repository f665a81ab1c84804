"""The embedded demo's provider: a local pay page that signs its own notification.

Nothing leaves the machine. The pay page (carts.views_public.demo_pay) lets the
customer complete or decline; it then builds a notification like a real
provider would, signs it with HMAC-SHA256 and hands it to the same receiving
code as the notification URL (/c/notify/demo/), which verifies the signature
before anything is recorded.
"""

import hashlib
import hmac
import json

from django.conf import settings
from django.urls import reverse

from catalog.links import public_url

from .base import CreatedLink, InvalidSignature, LinkRequest, Notification, PaymentProvider

SIGNATURE_HEADER = "X-Atelier-Signature"


class DemoProvider(PaymentProvider):
    name = "demo"
    notification_response = ("[accepted]", "text/plain")

    def key(self) -> bytes:
        """The demo account's own random key (seed_demo makes one), or CARTS_DEMO_HMAC_KEY.

        Never derived from SECRET_KEY: with the development default anyone could sign.
        """
        configured = (self.account.hmac_key if self.account else "") or settings.CARTS_DEMO_HMAC_KEY
        if not configured:
            raise InvalidSignature("the demo payment account has no HMAC key")
        return configured.encode()

    def sign(self, body: bytes) -> str:
        return hmac.new(self.key(), body, hashlib.sha256).hexdigest()

    def create_link(self, request: LinkRequest) -> CreatedLink:
        path = reverse("carts_public:demo_pay", args=[request.idempotency_key])
        return CreatedLink(provider_link_id=f"DEMO-{request.reference}",
                           url=public_url(path))

    def expire_link(self, *, provider_link_id: str) -> None:
        """The demo pay page reads the link's status from the database: nothing to tell."""

    def notification_body(self, *, psp_reference: str, merchant_reference: str, success: bool,
                          amount_minor: int, currency: str, reason: str = "") -> bytes:
        return json.dumps({
            "id": psp_reference, "type": "payment.completed" if success else "payment.declined",
            "reference": merchant_reference, "amount_minor": amount_minor, "currency": currency,
            "message": reason,
        }, sort_keys=True).encode()

    def parse_notifications(self, *, body: bytes, headers) -> list[Notification]:
        signature = headers.get(SIGNATURE_HEADER, "")
        if not signature or not hmac.compare_digest(signature, self.sign(body)):
            raise InvalidSignature("demo notification signature does not verify")
        try:
            data = json.loads(body)
            kind = str(data["type"])
            amount = data.get("amount_minor")
            return [Notification(
                psp_reference=str(data["id"]), event_code=kind,
                kind="payment" if kind.startswith("payment.") else "other",
                merchant_reference=str(data.get("reference", "")),
                success=kind == "payment.completed",
                amount_minor=int(amount) if amount is not None else None,
                currency=str(data.get("currency", "")), reason=str(data.get("message", "")),
                payload=data,
            )]
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            # Signed by us yet unreadable: a bug, not an attack; refuse it loudly.
            raise InvalidSignature(f"unreadable demo notification: {error}") from error
