"""Meta's WhatsApp Cloud API: WhatsApp messages straight through the Graph API.

POST /{version}/{phone-number-id}/messages with the account's bearer token; images the
customer sends are fetched through the Graph media endpoint. The account's base URL
(MetaWhatsAppAccount.api_base_url) points the tests at a loopback fake of the API.

Meta takes no idempotency key and offers no way to list sent messages, so a send whose
answer was lost (UnknownOutcome) is settled by its status webhook, which carries our
message id back (`biz_opaque_callback_data`).
"""

import logging
from urllib.parse import parse_qs, urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from urllib3.exceptions import NewConnectionError

from catalog.links import ProviderAddressRefused, provider_base_url_check
from catalog.providers import retry_after_seconds
from clienteling.models import Channel

from .addresses import absolute_media_url, messaging_settings, phone_e164, recipient_of
from .base import (
    BaseProvider,
    DeliveryReport,
    InboundMessage,
    PermanentError,
    SendResult,
    TransientError,
    UnknownOutcome,
)
from .meta_webhooks import (
    CONSEQUENCES,
    GRAPH_MEDIA,
    TRANSIENT_CODES,
    error_code,
    error_text,
    event_id,
    parse_delivery_report,
    parse_inbound,
    reason_for,
    signature_valid,
    split_events,
    verification_challenge,
    webhook_fields,
)

logger = logging.getLogger(__name__)

NO_ANSWER = gettext_lazy("No answer from Meta after the message left: waiting for Meta to report on it.")
UNREADABLE_ANSWER = gettext_lazy("Meta accepted the message but its answer could not be read: "
                                 "waiting for Meta to report on it.")
# Hosts Meta serves media downloads from; the token goes nowhere else.
MEDIA_DOMAINS = ("facebook.com", "fbsbx.com", "whatsapp.net")

_session: requests.Session | None = None


def _shared_session() -> requests.Session:
    """One pooled session per process (Celery prefork: per worker child)."""
    global _session
    if _session is None:
        _session = requests.Session()
    return _session


def active_meta_account(sender: str = ""):
    """The account of the store's WhatsApp number, else the newest active one; None when none is."""
    from ..models import MetaWhatsAppAccount

    accounts = MetaWhatsAppAccount.objects.filter(active=True).order_by("-updated_at", "-pk")
    if sender:
        found = accounts.filter(whatsapp_number=sender).first()
        if found is not None:
            return found
    return accounts.first()


def store_sender(store) -> str:
    """The store's WhatsApp number with Meta: its own setting, else the account's number."""
    own = phone_e164(messaging_settings(store).whatsapp_sender)
    if own:
        return own
    account = active_meta_account()
    return phone_e164(account.whatsapp_number) if account else ""


def api_base(account) -> str:
    try:
        base = provider_base_url_check(account.api_base_url, own_domains=account.OWN_DOMAINS)
    except ProviderAddressRefused:
        raise PermanentError(
            _("The WhatsApp account's API base URL is not a Meta address; nothing was sent."),
            code="api_base_url") from None
    return (base or account.GRAPH_API).rstrip("/")


def _timeouts() -> tuple[float, float]:
    return float(settings.META_HTTP_CONNECT_TIMEOUT), float(settings.META_HTTP_TIMEOUT)


def _never_connected(exc: requests.exceptions.ConnectionError) -> bool:
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)


def _error_of(response: requests.Response) -> dict:
    try:
        data = response.json()
    except ValueError:
        return {}
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, dict) else {}


def refusal(response: requests.Response) -> Exception:
    """A non-2xx answer as TransientError (rate limits, Meta's faults) or PermanentError."""
    error = _error_of(response)
    code = error_code(error) or str(response.status_code)
    if response.status_code == 429 or response.status_code >= 500 or code in TRANSIENT_CODES:
        reason = (reason_for(code) if code in TRANSIENT_CODES
                  else _("Meta had a server error (HTTP %(status)s).") % {"status": response.status_code})
        return TransientError(reason, code=code,
                              retry_after=retry_after_seconds(response.headers.get("Retry-After")))
    return PermanentError(reason_for(code, error_text(error)), code=code,
                          consequence=CONSEQUENCES.get(code, ""))


def graph_request(method: str, url: str, *, token: str, json_body: dict | None = None,
                  sent_if_no_answer: bool = True) -> requests.Response:
    """One Graph call; network faults as the three outcomes (a lost answer to a send is unknown)."""
    try:
        response = _shared_session().request(method, url, json=json_body, timeout=_timeouts(),
                                             headers={"Authorization": f"Bearer {token}"},
                                             allow_redirects=False)
    except requests.exceptions.ConnectTimeout:
        raise TransientError(_("Meta could not be reached."), code="connect_timeout") from None
    except requests.exceptions.ConnectionError as exc:
        if _never_connected(exc) or not sent_if_no_answer:
            raise TransientError(_("Meta could not be reached."), code="connection") from None
        raise UnknownOutcome(str(NO_ANSWER), code="timeout") from None
    except requests.exceptions.RequestException:
        if not sent_if_no_answer:
            raise TransientError(_("Meta did not answer in time."), code="timeout") from None
        raise UnknownOutcome(str(NO_ANSWER), code="timeout") from None
    if not 200 <= response.status_code < 300:
        raise refusal(response)
    return response


class MetaWhatsAppProvider(BaseProvider):
    name = "meta"
    label = "Meta"
    webhook_response = ("", "text/plain")

    # Webhooks: Meta's signature and payload stay in meta_webhooks.
    def signature_valid(self, request) -> bool:
        return signature_valid(request)

    def webhook_fields(self, request) -> dict:
        return webhook_fields(request)

    def webhook_events(self, fields: dict) -> list[tuple[str, str, dict]]:
        """Meta batches messages and statuses in one POST: (kind, event id, payload) for each."""
        return split_events(fields)

    def verification_challenge(self, request) -> str | None:
        return verification_challenge(request)

    def event_id(self, kind: str, fields: dict) -> str:
        return event_id(kind, fields)

    def parse_inbound(self, fields: dict) -> InboundMessage | None:
        return parse_inbound(fields)

    def parse_delivery_report(self, fields: dict) -> DeliveryReport | None:
        return parse_delivery_report(fields)

    # --- sending ----------------------------------------------------------------------------

    def _account(self, sender: str = ""):
        account = active_meta_account(sender)
        if account is None:
            raise PermanentError(_("No active WhatsApp account (Meta) is configured."), code="no_account")
        return account

    def template_reference(self, template) -> str:
        # Meta sends an approved template by its name and language.
        if template.channel != Channel.WHATSAPP or template.status != "approved":
            return ""
        return f"{template.name}:{template.language}"

    def send(self, message) -> SendResult:
        conversation = message.conversation
        if conversation.channel != Channel.WHATSAPP:
            raise PermanentError(_("Meta's Cloud API sends WhatsApp messages only."), code="channel")
        sender = phone_e164(messaging_settings(conversation.store).whatsapp_sender)
        account = self._account(sender)
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual",
                   "to": recipient_of(message).lstrip("+"),
                   # Echoed on every status webhook: a send whose answer was lost is found by it.
                   "biz_opaque_callback_data": f"mid:{message.pk}"}
        payload.update(self.content(message))
        return self.send_payload(account=account, payload=payload)

    @staticmethod
    def content(message) -> dict:
        """The message's part of the payload: a template, an image with its caption, or text."""
        template = message.template if message.template_id else None
        if template is not None and (message.content_sid or message.kind == "template"):
            values = message.template_variables or {}
            parameters = [{"type": "text", "text": str(values[key])}
                          for key in sorted(values, key=lambda k: int(k) if str(k).isdigit() else 0)]
            body = {"name": template.name, "language": {"code": template.language}}
            if parameters:
                body["components"] = [{"type": "body", "parameters": parameters}]
            return {"type": "template", "template": body}
        media = list(message.media_urls or ())
        if len(media) > 1:
            # A WhatsApp message carries one image: refused before anything leaves.
            raise PermanentError(_("WhatsApp through Meta sends one image per message."), code="media_count")
        if media:
            image = {"link": absolute_media_url(media[0])}
            if message.body:
                image["caption"] = message.body
            return {"type": "image", "image": image}
        return {"type": "text", "text": {"body": message.body, "preview_url": True}}

    def send_payload(self, *, account, payload: dict) -> SendResult:
        url = f"{api_base(account)}/{account.api_version}/{account.phone_number_id}/messages"
        response = graph_request("POST", url, token=account.access_token, json_body=payload)
        try:
            sid = str(response.json()["messages"][0]["id"])
        except (ValueError, KeyError, IndexError, TypeError):
            # Meta said yes but its answer cannot be read: the status webhook settles it.
            raise UnknownOutcome(str(UNREADABLE_ANSWER), code="bad_response") from None
        if not sid:
            raise UnknownOutcome(str(UNREADABLE_ANSWER), code="bad_response")
        return SendResult(provider_sid=sid, status="sent")

    def send_test(self, *, to: str, store=None, body: str = "") -> str:
        """A test text from the store's number (or the account's); returns Meta's message id."""
        sender = phone_e164(messaging_settings(store).whatsapp_sender) if store else ""
        account = self._account(sender)
        body = body or _("Atelier test message: your WhatsApp number is set up.")
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual",
                   "to": to.lstrip("+"), "type": "text", "text": {"body": body}}
        return self.send_payload(account=account, payload=payload).provider_sid

    # --- media ------------------------------------------------------------------------------

    def media_fetch(self, *, url: str) -> tuple[str, bytes]:
        """An image a customer sent: the Graph media node gives a short-lived download URL."""
        from ..models import MetaWhatsAppAccount

        parts = urlsplit(url)
        media_id = parts.path.strip("/")
        phone_number_id = (parse_qs(parts.query).get("phone_number_id") or [""])[0]
        if not url.startswith(GRAPH_MEDIA + "/") or not media_id.isdigit():
            raise PermanentError(_("This media link is not a WhatsApp (Meta) link."), code="media_host")
        account = (MetaWhatsAppAccount.objects.filter(active=True, phone_number_id=phone_number_id).first()
                   or self._account())
        base = api_base(account)
        node_url = f"{base}/{account.api_version}/{media_id}?phone_number_id={phone_number_id}"
        node = graph_request("GET", node_url, token=account.access_token, sent_if_no_answer=False)
        try:
            info = node.json()
            download, mime = str(info["url"]), str(info.get("mime_type") or "application/octet-stream")
        except (ValueError, KeyError, TypeError):
            raise PermanentError(_("Meta's answer about the image could not be read."),
                                 code="media_info") from None
        host = (urlsplit(download).hostname or "").lower()
        own_host = (urlsplit(base).hostname or "").lower()
        if not (host == own_host or any(host == d or host.endswith("." + d) for d in MEDIA_DOMAINS)):
            # Never hand the token to another host.
            raise PermanentError(_("This media link is not a WhatsApp (Meta) link."), code="media_host")
        content = graph_request("GET", download, token=account.access_token, sent_if_no_answer=False)
        return content.headers.get("Content-Type") or mime, content.content
