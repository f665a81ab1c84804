"""What Twilio sends us: its signature, its field names, its statuses and error codes.

The TwilioProvider reads webhooks through these functions and answers in the
interface's terms (InboundMessage, DeliveryReport); nothing else reads a Twilio field.
The signature covers the public URL Twilio called (PUBLIC_BASE_URL + path and query),
not the URL this process sees behind a TLS-terminating proxy.
"""

import json
import time
import uuid

from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from twilio.request_validator import RequestValidator

from catalog.links import public_url
from clienteling.models import Channel

from .base import DeliveryReport, InboundMessage

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'

# Twilio's message statuses in the interface's words (Message.Status values).
STATUSES = {
    "accepted": "queued", "scheduled": "queued", "queued": "queued", "sending": "sending",
    "sent": "sent", "delivered": "delivered", "read": "read", "undelivered": "undelivered",
    "failed": "failed", "canceled": "failed",
}
# Readable reasons for the error codes an associate may see on a message.
ERROR_REASONS = {
    "21211": gettext_lazy("This is not a valid phone number."),
    "21408": gettext_lazy("Texting to this country is not enabled for the account."),
    "21610": gettext_lazy("The customer replied STOP to this number: they have unsubscribed."),
    "21612": gettext_lazy("This number cannot be reached from the store's number."),
    "21614": gettext_lazy("This number is not a mobile number and cannot receive texts."),
    "21617": gettext_lazy("The message is too long."),
    "30003": gettext_lazy("The customer's phone is unreachable."),
    "30004": gettext_lazy("The message was blocked by the customer's carrier or phone."),
    "30005": gettext_lazy("Unknown number: it may no longer exist."),
    "30006": gettext_lazy("The number is a landline or cannot receive texts."),
    "30007": gettext_lazy("The carrier filtered the message as spam."),
    "30008": gettext_lazy("Delivery failed for an unknown reason."),
    "63016": gettext_lazy("Outside the WhatsApp 24-hour window: only an approved template can be sent."),
    "63024": gettext_lazy("This number is not on WhatsApp."),
    "20429": gettext_lazy("Twilio is rate limiting requests."),
    "20500": gettext_lazy("Twilio had an internal server error."),
}
# What a refusal means for the customer, in the interface's terms.
CONSEQUENCES = {"21610": "opted_out", "21211": "cannot_text", "21614": "cannot_text"}


def reason_for(code: str, fallback: str = "") -> str:
    code = str(code or "")
    if code in ERROR_REASONS:
        return str(ERROR_REASONS[code])
    if fallback:
        return fallback
    return _("Twilio error %(code)s.") % {"code": code} if code else _("The provider refused the message.")


def strip_channel_prefix(address: str) -> tuple[str, str]:
    """Twilio writes WhatsApp addresses "whatsapp:+1555...": (channel, number)."""
    address = (address or "").strip()
    if address.lower().startswith("whatsapp:"):
        return Channel.WHATSAPP, address.split(":", 1)[1].strip()
    return Channel.SMS, address


# --- signature ------------------------------------------------------------------------------

# Auth tokens of the active accounts, per process, for a short while: a query and
# a decryption per webhook would be most of its cost. Saving an account in the
# admin bumps a version in the shared cache, which every process checks (one
# cache read), so a rotated token is honoured at once; a signature that fails
# against the cached tokens is also checked again against the database.
TOKEN_TTL = 30.0
VERSION_CHECK_INTERVAL = 1.0  # a rotated token is honoured within a second everywhere
TOKEN_VERSION_KEY = "conversations:twilio-token-version"
_tokens: dict = {"expires": 0.0, "checked": 0.0, "version": None, "tokens": []}


def twilio_tokens_changed() -> None:
    cache.set(TOKEN_VERSION_KEY, uuid.uuid4().hex, None)
    _tokens["expires"] = 0.0


def _active_tokens(*, fresh: bool = False) -> list[str]:
    from ..models import TwilioAccount

    now = time.monotonic()
    if now - _tokens["checked"] > VERSION_CHECK_INTERVAL:
        _tokens["checked"] = now
        version = cache.get(TOKEN_VERSION_KEY)
        if version != _tokens["version"]:
            _tokens["version"], fresh = version, True
    if fresh or now > _tokens["expires"]:
        accounts = TwilioAccount.objects.filter(active=True).only("auth_token")
        _tokens["tokens"] = [account.auth_token for account in accounts]
        _tokens["expires"] = now + TOKEN_TTL
    return _tokens["tokens"]


def _is_json(request) -> bool:
    return request.content_type == "application/json" or "bodySHA256" in request.GET


def signature_valid(request) -> bool:
    """Twilio's signature over the public URL and the form fields, or, for a JSON body,
    over the URL with the body's SHA-256 in it (`bodySHA256`), which must match the raw body."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    url = public_url(request.get_full_path())
    if _is_json(request):
        if "bodySHA256" not in request.GET:
            return False  # a JSON body nobody vouched for
        params = request.body.decode("utf-8", errors="replace")
    else:
        params = request.POST
    cached = _active_tokens()
    if any(RequestValidator(token).validate(url, params, signature) for token in cached):
        return True
    fresh = _active_tokens(fresh=True)
    return fresh != cached and any(
        RequestValidator(token).validate(url, params, signature) for token in fresh)


# --- fields -----------------------------------------------------------------------------------


def webhook_fields(request) -> dict:
    """The fields: form-encoded (messaging) or a JSON object; our query (`mid`) kept aside."""
    if not _is_json(request):
        fields = request.POST.dict()
    else:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise ValueError("a JSON webhook body must be an object")
        fields = {key: value if isinstance(value, str | int | float | bool) or value is None
                  else json.dumps(value) for key, value in data.items()}
    if request.GET:
        fields["_query"] = request.GET.dict()
    return fields


def _sid(fields: dict) -> str:
    return fields.get("MessageSid") or fields.get("SmsSid") or ""


def event_id(kind: str, fields: dict) -> str:
    """One inbound event per message; one delivery report per message and status."""
    sid = _sid(fields)
    if kind == "status" and sid:
        return f"{sid}:{fields.get('MessageStatus') or fields.get('SmsStatus') or ''}"
    return sid


def parse_inbound(fields: dict) -> InboundMessage | None:
    sid = _sid(fields)
    if not sid:
        return None
    channel, from_number = strip_channel_prefix(fields.get("From", ""))
    _channel, to_number = strip_channel_prefix(fields.get("To", ""))
    count = str(fields.get("NumMedia") or "0")
    count = int(count) if count.isdigit() else 0
    media = tuple(fields[f"MediaUrl{i}"] for i in range(count) if fields.get(f"MediaUrl{i}"))
    return InboundMessage(provider_sid=sid, from_number=from_number, to_number=to_number, channel=channel,
                          body=fields.get("Body", "") or "", media_urls=media,
                          profile_name=fields.get("ProfileName", "") or "")


def parse_delivery_report(fields: dict) -> DeliveryReport | None:
    sid = _sid(fields)
    status = STATUSES.get((fields.get("MessageStatus") or fields.get("SmsStatus") or "").lower())
    if not sid or status is None:
        return None
    code = str(fields.get("ErrorCode") or "")
    mid = str((fields.get("_query") or {}).get("mid") or "")
    failed = status in ("failed", "undelivered")
    return DeliveryReport(
        provider_sid=sid, status=status, error_code=code if failed else "",
        reason=reason_for(code, fields.get("ErrorMessage") or "") if failed else "",
        consequence=CONSEQUENCES.get(code, "") if failed else "",
        message_id=int(mid) if mid.isdigit() else None)
