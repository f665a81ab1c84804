"""What Meta's WhatsApp Cloud API sends us: its signature, its payload, its statuses and error codes.

The MetaWhatsAppProvider reads webhooks through these functions and answers in the
interface's terms (InboundMessage, DeliveryReport); nothing else reads a Meta field.

One POST may carry several messages and statuses (entries, changes): `split_events`
turns it into one event per message and per status, each recorded once like Twilio's.
The signature (X-Hub-Signature-256) is an HMAC-SHA256 of the raw body with the app secret.
"""

import hashlib
import hmac
import json

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clienteling.models import Channel

from .base import DeliveryReport, InboundMessage

GRAPH_MEDIA = "https://graph.facebook.com"

# Meta's message statuses in the interface's words (Message.Status values); others
# ("deleted", "warning") change nothing here.
STATUSES = {"sent": "sent", "delivered": "delivered", "read": "read", "played": "read", "failed": "failed"}

# Readable reasons for the error codes an associate may see on a message.
ERROR_REASONS = {
    "4": gettext_lazy("Meta is rate limiting requests."),
    "80007": gettext_lazy("Meta is rate limiting requests."),
    "130429": gettext_lazy("Meta is rate limiting requests."),
    "131048": gettext_lazy("Meta limited this number's sends: too many messages were reported as spam."),
    "131056": gettext_lazy("Too many messages to this customer in a short time."),
    "131000": gettext_lazy("Meta had an internal error."),
    "131016": gettext_lazy("WhatsApp is temporarily unavailable."),
    "190": gettext_lazy("The WhatsApp access token expired or is not valid."),
    "131026": gettext_lazy("This number cannot receive WhatsApp messages."),
    "131030": gettext_lazy("This number is not on the test account's allowed list."),
    "131047": gettext_lazy("Outside the WhatsApp 24-hour window: only an approved template can be sent."),
    "131050": gettext_lazy("The customer stopped marketing messages from the business on WhatsApp."),
    "131051": gettext_lazy("WhatsApp does not support this kind of message."),
    "131052": gettext_lazy("WhatsApp could not download the image."),
    "132000": gettext_lazy("The template's variables do not match the approved template."),
    "132001": gettext_lazy("The template does not exist in this language at Meta."),
    "132015": gettext_lazy("The template is paused at Meta."),
    "132016": gettext_lazy("The template is disabled at Meta."),
    "133010": gettext_lazy("The store's WhatsApp number is not registered with Meta."),
    "invalid_number": gettext_lazy("This is not a valid phone number."),
}
# Worth another try later: rate limits and Meta's own passing faults.
TRANSIENT_CODES = {"1", "2", "4", "80007", "130429", "131000", "131016", "131048", "131056"}
# What a refusal means for the customer, in the interface's terms.
CONSEQUENCES = {"131050": "opted_out", "invalid_number": "cannot_text"}
# Meta names a bad "to" only in the error's words: these codes with these words are a bad number.
PARAMETER_CODES = {"100", "131009"}
RECIPIENT_WORDS = ("phone number", "recipient", "'to'", "\"to\"")


def reason_for(code: str, fallback: str = "") -> str:
    code = str(code or "")
    if code in ERROR_REASONS:
        return str(ERROR_REASONS[code])
    if fallback:
        return fallback
    return _("Meta error %(code)s.") % {"code": code} if code else _("The provider refused the message.")


def error_code(error: dict) -> str:
    """Our code for one of Meta's errors: its own code, or "invalid_number" for a bad number."""
    code = str(error.get("code") or "")
    if code in PARAMETER_CODES:
        details = (error.get("error_data") or {}).get("details", "") if isinstance(
            error.get("error_data"), dict) else ""
        words = f"{error.get('message', '')} {error.get('title', '')} {details}".lower()
        if any(word in words for word in RECIPIENT_WORDS):
            return "invalid_number"
    return code


def error_text(error: dict) -> str:
    data = error.get("error_data") if isinstance(error.get("error_data"), dict) else {}
    return str(data.get("details") or error.get("message") or error.get("title") or "")


# --- signature and the verification handshake ------------------------------------------------


def _active_accounts():
    from ..models import MetaWhatsAppAccount

    return MetaWhatsAppAccount.objects.filter(active=True)


def signature_valid(request) -> bool:
    """X-Hub-Signature-256 = "sha256=" + HMAC-SHA256(raw body, app secret) of an active account."""
    header = request.headers.get("X-Hub-Signature-256", "")
    scheme, _sep, given = header.partition("=")
    if scheme != "sha256" or not given:
        return False
    body = request.body
    found = False
    for secret in _active_accounts().values_list("app_secret", flat=True):
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        # Every secret is compared, in constant time: the answer's timing tells nothing.
        found |= hmac.compare_digest(expected, given.strip().lower())
    return found


def verification_challenge(request) -> str | None:
    """The GET handshake Meta makes when the webhook is set up: the challenge to echo, or None."""
    mode = request.GET.get("hub.mode", "")
    token = request.GET.get("hub.verify_token", "")
    challenge = request.GET.get("hub.challenge", "")
    if mode != "subscribe" or not token or not challenge or not challenge.isalnum() or len(challenge) > 64:
        return None
    matched = False
    for expected in _active_accounts().values_list("verify_token", flat=True):
        matched |= hmac.compare_digest(expected.encode(), token.encode())
    return challenge if matched else None


# --- fields and events ------------------------------------------------------------------------


def webhook_fields(request) -> dict:
    """The JSON body (ValueError when it is not a WhatsApp Business Account object)."""
    data = json.loads(request.body)
    if not isinstance(data, dict) or not isinstance(data.get("entry", []), list):
        raise ValueError("a Meta webhook body must be an object with a list of entries")
    return data


def split_events(data: dict) -> list[tuple[str, str, dict]]:
    """(kind, event id, payload) for every message and status in one webhook body."""
    events = []
    for entry in data.get("entry") or []:
        for change in (entry.get("changes") or []) if isinstance(entry, dict) else []:
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict) or change.get("field") != "messages":
                continue
            metadata = value.get("metadata") or {}
            common = {"phone_number_id": str(metadata.get("phone_number_id") or ""),
                      "display_phone_number": str(metadata.get("display_phone_number") or "")}
            names = {str(c.get("wa_id")): (c.get("profile") or {}).get("name", "")
                     for c in value.get("contacts") or [] if isinstance(c, dict)}
            for message in value.get("messages") or []:
                if isinstance(message, dict):
                    payload = {**common, "message": message,
                               "profile_name": names.get(str(message.get("from")), "")}
                    events.append(("inbound", event_id("inbound", payload), payload))
            for status in value.get("statuses") or []:
                if isinstance(status, dict):
                    payload = {**common, "status": status}
                    events.append(("status", event_id("status", payload), payload))
    return events


def event_id(kind: str, fields: dict) -> str:
    """One inbound event per message; one delivery report per message and status."""
    if kind == "status":
        status = fields.get("status") or {}
        return f"{status.get('id')}:{status.get('status')}" if status.get("id") else ""
    return str((fields.get("message") or {}).get("id") or "")


def e164(digits: str) -> str:
    """Meta writes numbers as digits ("15551234567"): E.164 with its plus."""
    digits = "".join(ch for ch in str(digits or "") if ch.isdigit())
    return f"+{digits}" if digits else ""


def media_url(media_id: str, phone_number_id: str) -> str:
    """Where a customer's image is found again (the Graph media node); fetched with the token."""
    return f"{GRAPH_MEDIA}/{media_id}?phone_number_id={phone_number_id}"


def _body_of(message: dict) -> str:
    kind = message.get("type", "")
    if kind == "text":
        return str((message.get("text") or {}).get("body") or "")
    if kind in ("image", "video", "document"):
        return str((message.get(kind) or {}).get("caption") or "")
    if kind == "button":
        return str((message.get("button") or {}).get("text") or "")
    if kind == "interactive":
        answer = message.get("interactive") or {}
        return str((answer.get("button_reply") or answer.get("list_reply") or {}).get("title") or "")
    if kind == "reaction":
        return str((message.get("reaction") or {}).get("emoji") or "")
    return _("(A %(kind)s message Atelier cannot show: open WhatsApp to see it.)") % {"kind": kind or "?"}


def parse_inbound(fields: dict) -> InboundMessage | None:
    message = fields.get("message") or {}
    sid = str(message.get("id") or "")
    if not sid or not message.get("from"):
        return None
    media = ()
    image = message.get("image") if message.get("type") == "image" else None
    if isinstance(image, dict) and image.get("id"):
        media = (media_url(str(image["id"]), fields.get("phone_number_id", "")),)
    return InboundMessage(provider_sid=sid, from_number=e164(message["from"]),
                          to_number=e164(fields.get("display_phone_number", "")), channel=Channel.WHATSAPP,
                          body=_body_of(message), media_urls=media,
                          profile_name=str(fields.get("profile_name") or ""))


def parse_delivery_report(fields: dict) -> DeliveryReport | None:
    status = fields.get("status") or {}
    sid = str(status.get("id") or "")
    ours = STATUSES.get(str(status.get("status") or "").lower())
    if not sid or ours is None:
        return None
    opaque = str(status.get("biz_opaque_callback_data") or "")
    mid = opaque.removeprefix("mid:") if opaque.startswith("mid:") else ""
    report = DeliveryReport(provider_sid=sid, status=ours, message_id=int(mid) if mid.isdigit() else None)
    if ours != "failed":
        return report
    errors = [e for e in status.get("errors") or [] if isinstance(e, dict)]
    error = errors[0] if errors else {}
    code = error_code(error)
    return DeliveryReport(provider_sid=sid, status=ours, error_code=code,
                          reason=reason_for(code, error_text(error)),
                          consequence=CONSEQUENCES.get(code, ""), message_id=report.message_id)
