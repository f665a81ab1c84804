"""The small interface every messaging provider implements.

A provider turns one outbound `Message` into a provider-side message and maps
every failure to one of three outcomes the send task knows how to handle (the
errors every provider family shares, catalog.providers):

- `PermanentError`: do not retry; the reason is recorded, and `consequence` says what it
  means for the customer ("opted_out", "cannot_text").
- `TransientError`: nothing was sent; retry with backoff (after `retry_after` if given).
- `UnknownOutcome`: the request left and no answer came back (a read timeout):
  the message may exist at the provider, so it is never sent again blindly;
  it is reconciled from the status callback or by looking it up.

A provider that receives webhooks also reads them: it checks their signature, names each
event once, and turns the payload into an `InboundMessage` or a `DeliveryReport`, so the
rest of the code never reads the provider's field names, statuses or error codes.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.utils.translation import gettext as _

from catalog.providers import InvalidSignature, PermanentError, ProviderError, TransientError, UnknownOutcome


@dataclass(frozen=True)
class SendResult:
    provider_sid: str
    status: str  # one of Message.Status: sent, delivered ...


@dataclass(frozen=True)
class InboundMessage:
    provider_sid: str
    from_number: str  # E.164, without any channel prefix
    to_number: str
    channel: str  # Channel: sms, whatsapp
    body: str
    media_urls: tuple[str, ...] = ()
    profile_name: str = ""  # the name the customer's messaging app gave


@dataclass(frozen=True)
class DeliveryReport:
    provider_sid: str
    status: str  # one of Message.Status (queued, sending, sent, delivered, read, failed, undelivered)
    reason: str = ""  # readable, for a failure
    error_code: str = ""  # the provider's own, kept for support
    consequence: str = ""  # "opted_out" | "cannot_text" | ""
    message_id: int | None = None  # our id, when the provider echoes it back


class BaseProvider(ABC):
    """Subclasses implement `send`; `lookup` helps reconcile unknown outcomes."""

    name = "base"
    label = "Provider"  # a proper name, for records people read ("Twilio 21610")
    # The answer a webhook expects (body, content type).
    webhook_response = ("", "text/plain")

    @abstractmethod
    def send(self, message) -> SendResult:
        """Send one message; raise PermanentError, TransientError or UnknownOutcome on failure."""

    def template_reference(self, template) -> str:
        """The provider's own reference to `template` approved for WhatsApp, or "".

        With one, the template can be sent after the 24-hour window closed (a template
        message); it is kept on the message (`Message.content_sid`) and read back by `send`.
        """
        return ""

    def lookup(self, message) -> SendResult | None:
        """Find a message whose send outcome is unknown; None when not found."""
        return None

    def after_sent(self, *, message_id: int, result: SendResult) -> None:  # noqa: B027  optional hook
        """Hook run once the send is recorded (the demo provider reports delivery); most need none."""

    # --- incoming webhooks ----------------------------------------------------------------
    # By default a provider sends no webhooks (the demo, email): any request claiming to come
    # from it is refused, and it has no events, inbound texts, reports or images of its own.
    # Twilio overrides all of these in terms of providers/twilio_webhooks.py.

    def signature_valid(self, request) -> bool:
        """Whether the request really comes from the provider."""
        return False

    def webhook_fields(self, request) -> dict:
        """The webhook's fields (ValueError when the body cannot be read)."""
        return {}

    def event_id(self, kind: str, fields: dict) -> str:
        """The event's unique id ("" when it has none): replays share it."""
        return ""

    def parse_inbound(self, fields: dict) -> InboundMessage | None:
        return None

    def parse_delivery_report(self, fields: dict) -> DeliveryReport | None:
        return None

    def media_fetch(self, *, url: str) -> tuple[str, bytes]:
        """(content type, bytes) of an image the customer sent, for display."""
        raise PermanentError(_("This provider keeps no images sent by customers."), code="no_media")


__all__ = [
    "BaseProvider", "DeliveryReport", "InboundMessage", "InvalidSignature", "PermanentError", "ProviderError",
    "SendResult", "TransientError", "UnknownOutcome",
]
