"""Twilio: SMS, MMS and WhatsApp through the official SDK.

The SDK makes every HTTP request through `AtelierTwilioHttpClient`, which can
point it at another base URL (TwilioAccount.api_base_url), so the tests run
the real SDK against a loopback fake of the API.
"""

import json
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from twilio.rest.content.v1.content import ContentList
from twilio.rest.content.v1.content.approval_create import ApprovalCreateList
from urllib3.exceptions import NewConnectionError

from catalog.links import ProviderAddressRefused, provider_base_url_check, public_url
from catalog.providers import retry_after_seconds
from clienteling.models import Channel

from .addresses import absolute_media_url, active_twilio_account, recipient, recipient_of, sender_number
from .base import (
    BaseProvider,
    DeliveryReport,
    InboundMessage,
    PermanentError,
    SendResult,
    TransientError,
    UnknownOutcome,
)
from .twilio_webhooks import (
    CONSEQUENCES,
    EMPTY_TWIML,
    ERROR_REASONS,
    STATUSES,
    event_id,
    parse_delivery_report,
    parse_inbound,
    reason_for,
    signature_valid,
    webhook_fields,
)

logger = logging.getLogger(__name__)

TWILIO_API = "https://api.twilio.com"
# Templates live in the Content API, on its own host; a test double serves both.
CONTENT_API = "https://content.twilio.com"
UNREADABLE_ANSWER = gettext_lazy("Twilio accepted the message but its answer could not be read: "
                                 "waiting for Twilio to report on it.")

_session: requests.Session | None = None


def _shared_session() -> requests.Session:
    """One pooled session per process (Celery prefork: per worker child)."""
    global _session
    if _session is None:
        _session = requests.Session()
    return _session


class AtelierTwilioHttpClient(TwilioHttpClient):
    """The SDK's own HTTP client, with a base URL override and extra headers."""

    def __init__(self, *, base_url: str = "", timeout: float | None = None,
                 connect_timeout: float | None = None, extra_headers: dict | None = None):
        super().__init__(pool_connections=False, timeout=timeout)
        self.session = _shared_session()
        self.base_url = (base_url or "").rstrip("/")
        self.connect_timeout = connect_timeout
        self.extra_headers = extra_headers or {}
        self.retry_after: float | None = None
        self.answered: int | None = None  # the last response's status; None: no answer came

    def rewrite(self, url: str) -> str:
        for api in (TWILIO_API, CONTENT_API):
            if self.base_url and url.startswith(api):
                return self.base_url + url[len(api):]
        return url

    def _timeouts(self, timeout):
        read = timeout if timeout is not None else self.timeout
        if read is None:
            return None
        return (self.connect_timeout or read, read)

    def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):
        headers = {**(headers or {}), **self.extra_headers}
        self.answered, self.retry_after = None, None
        # requests accepts (connect, read); the base class only checks numbers.
        self.timeout, saved = self._timeouts(timeout), self.timeout
        try:
            response = super().request(method, self.rewrite(url), params=params, data=data,
                                       headers=headers, auth=auth, timeout=None,
                                       allow_redirects=allow_redirects)
        finally:
            self.timeout = saved
        self.answered = response.status_code
        # The SDK's exception drops the headers: keep how long a 429 or 503 asks us to wait.
        if response.status_code in (429, 503):
            self.retry_after = retry_after_seconds((response.headers or {}).get("Retry-After"))
        return response

    def fetch_bytes(self, url: str, *, auth) -> tuple[str, bytes]:
        response = self.session.get(self.rewrite(url), auth=auth, timeout=self._timeouts(None),
                                    allow_redirects=True)
        response.raise_for_status()
        return response.headers.get("Content-Type", "application/octet-stream"), response.content




def http_client(account, *, idempotency_key: str = "") -> AtelierTwilioHttpClient:
    headers = {"I-Twilio-Idempotency-Token": idempotency_key} if idempotency_key else {}
    try:
        base_url = provider_base_url_check(account.api_base_url, own_domains=account.OWN_DOMAINS)
    except ProviderAddressRefused:
        raise PermanentError(
            _("The Twilio account's API base URL is not a Twilio address; nothing was sent."),
            code="api_base_url") from None
    return AtelierTwilioHttpClient(
        base_url=base_url,
        timeout=float(settings.TWILIO_HTTP_TIMEOUT),
        connect_timeout=float(settings.TWILIO_HTTP_CONNECT_TIMEOUT),
        extra_headers=headers,
    )


def twilio_client(account, *, idempotency_key: str = "") -> Client:
    return Client(account.account_sid, account.auth_token,
                  http_client=http_client(account, idempotency_key=idempotency_key))


def status_callback_url(message_id: int | None) -> str:
    base = public_url(reverse("twilio_status"))
    # Our own id rides on the callback so a send whose answer was lost can
    # still be matched when Twilio reports on it.
    return f"{base}?{urlencode({'mid': message_id})}" if message_id else base




def map_exception(exc: Exception, *, retry_after: float | None = None,
                  answered: int | None = None) -> Exception:
    """SDK/transport exception -> PermanentError, TransientError or UnknownOutcome.

    `answered` is the HTTP status of the response the exception came with (None: none came).
    """
    if isinstance(exc, TwilioRestException | TwilioServiceException):
        status = int(getattr(exc, "status", 0) or 0)
        code = str(getattr(exc, "code", "") or status)
        detail = getattr(exc, "msg", "") or getattr(exc, "detail", "") or ""
        if code == "20429" or status == 429 or status >= 500:
            return TransientError(_transient_reason(code, status), code=code, retry_after=retry_after)
        return PermanentError(reason_for(code, detail), code=code, consequence=CONSEQUENCES.get(code, ""))
    if isinstance(exc, TwilioException) and answered:
        # A list page the SDK would not read ("Unable to fetch page"): only the status is known.
        if answered == 429 or answered >= 500:
            return TransientError(_transient_reason("", answered), code=str(answered),
                                  retry_after=retry_after)
        return PermanentError(reason_for("", str(exc.args[0] if exc.args else "")), code=str(answered))
    if isinstance(exc, ValueError | TypeError | AttributeError) and answered and 200 <= answered < 300:
        # Twilio said yes but its answer cannot be read (a proxy's page, a cut body): the
        # message may well exist, so it is settled from the callback or a lookup, never resent.
        return UnknownOutcome(UNREADABLE_ANSWER, code="bad_response")
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return TransientError(_("Twilio could not be reached."), code="connect_timeout")
    if isinstance(exc, requests.exceptions.ConnectionError) and _never_connected(exc):
        return TransientError(_("Twilio could not be reached."), code="connection")
    if isinstance(exc, requests.exceptions.RequestException):
        return UnknownOutcome(_("No answer from Twilio after the message left: "
                                            "waiting for Twilio to report on it."), code="timeout")
    return exc


def _transient_reason(code: str, status: int) -> str:
    if code in ERROR_REASONS:
        return reason_for(code)
    if status == 429:
        return reason_for("20429")
    return _("Twilio had a server error (HTTP %(status)s).") % {"status": status}


def _never_connected(exc: requests.exceptions.ConnectionError) -> bool:
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)


@contextmanager
def provider_errors(http: AtelierTwilioHttpClient | None = None):
    """Twilio's and the network's exceptions as the send task's three outcomes (map_exception)."""
    try:
        yield
    except Exception as exc:
        mapped = map_exception(exc, retry_after=http.retry_after if http else None,
                               answered=http.answered if http else None)
        if mapped is exc:
            raise
        raise mapped from exc


@dataclass(frozen=True)
class ContentApproval:
    """WhatsApp's verdict on a content template, as Twilio reports it."""

    status: str  # received, pending, approved, rejected, paused, disabled, unsubmitted
    rejection_reason: str = ""


def content_types(template) -> dict:
    """The Content API `types` of a template: twilio/text, twilio/media or twilio/quick-reply.

    The text keeps its {{n}} placeholders: Twilio fills them from ContentVariables at send time.
    """
    body = template.body.strip()
    if template.subject.strip():
        body = f"*{template.subject.strip()}*\n{body}"  # the header line, as templating renders it
    if template.quick_replies:
        actions = [{"type": "QUICK_REPLY", "title": title, "id": slugify(title)[:200] or f"button_{n}"}
                   for n, title in enumerate(template.quick_replies, start=1)]
        return {"twilio/quick-reply": {"body": body, "actions": actions}}
    if template.header_image:
        return {"twilio/media": {"body": body, "media": [absolute_media_url(template.header_image)]}}
    return {"twilio/text": {"body": body}}


def whatsapp_template_name(template, content_sid: str) -> str:
    """WhatsApp wants lowercase letters, digits and underscores, unique per business: one per content."""
    stem = slugify(template.name).replace("-", "_")[:400] or "template"
    return f"{stem}_{content_sid[-8:].lower()}"


class TwilioProvider(BaseProvider):
    name = "twilio"
    label = "Twilio"
    webhook_response = (EMPTY_TWIML, "text/xml")

    def template_reference(self, template) -> str:
        return template.content_sid  # the Content API's approved content

    # Webhooks: Twilio's signature and field names stay in twilio_webhooks.
    def signature_valid(self, request) -> bool:
        return signature_valid(request)

    def webhook_fields(self, request) -> dict:
        return webhook_fields(request)

    def event_id(self, kind: str, fields: dict) -> str:
        return event_id(kind, fields)

    def parse_inbound(self, fields: dict) -> InboundMessage | None:
        return parse_inbound(fields)

    def parse_delivery_report(self, fields: dict) -> DeliveryReport | None:
        return parse_delivery_report(fields)

    def _account(self):
        account = active_twilio_account()
        if account is None:
            raise PermanentError(_("No active Twilio account is configured."), code="no_account")
        return account

    def send(self, message) -> SendResult:
        account = self._account()
        conversation = message.conversation
        channel = conversation.channel
        to = recipient_of(message)
        from_ = sender_number(conversation.store, channel, account)
        params = {"to": to, "status_callback": status_callback_url(message.pk)}
        if channel == Channel.WHATSAPP:
            if not from_:
                raise PermanentError(_("No WhatsApp sender is configured."), code="no_sender")
            params["to"], params["from_"] = f"whatsapp:{to}", f"whatsapp:{from_}"
        elif account.messaging_service_sid:
            params["messaging_service_sid"] = account.messaging_service_sid
        elif from_:
            params["from_"] = from_
        else:
            raise PermanentError(_("The store has no clienteling number."), code="no_sender")
        if message.content_sid:
            params["content_sid"] = message.content_sid
            params["content_variables"] = json.dumps(message.template_variables or {})
        else:
            params["body"] = message.body
        # A content template carries its own header image; a plain message sends its media.
        if message.media_urls and not message.content_sid:
            params["media_url"] = [absolute_media_url(url) for url in message.media_urls]
        return self.send_raw(account=account, idempotency_key=str(message.idempotency_key),
                             **params)

    def send_raw(self, *, account=None, idempotency_key: str = "", **params) -> SendResult:
        account = account or self._account()
        client = twilio_client(account, idempotency_key=idempotency_key)
        with provider_errors(client.http_client):
            created = client.messages.create(**params)
        if not created.sid:
            raise UnknownOutcome(UNREADABLE_ANSWER, code="bad_response")
        return SendResult(provider_sid=created.sid, status=STATUSES.get(created.status or "", "sent"))

    def lookup(self, message) -> SendResult | None:
        """Find a message Twilio accepted although its answer never reached us.

        Twilio's REST API takes no client idempotency key, so we list the
        messages from the store's number to the customer since the send was
        claimed and match the body (or, for Content API templates, the one
        message in that window that no other row of ours owns).
        """
        from ..models import Message

        account = self._account()
        conversation = message.conversation
        channel = conversation.channel
        to = recipient(conversation.customer, channel)
        from_ = sender_number(conversation.store, channel, account)
        if channel == Channel.WHATSAPP:
            to, from_ = f"whatsapp:{to}", f"whatsapp:{from_}"
        since = (message.status_updated_at or message.created_at)
        client = twilio_client(account)
        with provider_errors(client.http_client):
            found = client.messages.list(to=to, from_=from_ or None, date_sent_after=since, limit=50)
        candidates = [m for m in found if (m.direction or "").startswith("outbound")]
        known = set(Message.objects.filter(provider_sid__in=[m.sid for m in candidates])
                    .values_list("provider_sid", flat=True))
        slack = since - timedelta(seconds=60)
        candidates = [m for m in candidates if m.sid not in known
                      and (m.date_created is None or m.date_created >= slack)]
        if message.content_sid:
            match = candidates[0] if len(candidates) == 1 else None
        else:
            match = next((m for m in candidates if (m.body or "") == message.body), None)
        if match is None:
            return None
        return SendResult(provider_sid=match.sid, status=STATUSES.get(match.status or "", "sent"))


    # --- templates: Twilio's Content API and WhatsApp approval ---------------------------

    def content_create(self, *, template) -> str:
        """Create the template as Twilio content; returns its Content SID (HX...)."""
        account = self._account()
        client = twilio_client(account)
        samples = {str(v.position): v.sample for v in template.variables.all() if v.sample}
        request = ContentList.ContentCreateRequest({
            "friendly_name": template.name, "language": template.language or "en",
            "variables": samples, "types": content_types(template)})
        with provider_errors(client.http_client):
            created = client.content.v1.contents.create(request)
        if not created.sid:
            raise TransientError(_("Twilio's answer to the new template could not be read."),
                                 code="bad_response")
        return created.sid

    def content_approval_request(self, *, content_sid: str, template) -> ContentApproval:
        """Ask WhatsApp (through Twilio) to approve a content template in its category."""
        client = twilio_client(self._account())
        request = ApprovalCreateList.ContentApprovalRequest({
            "name": whatsapp_template_name(template, content_sid), "category": template.category.upper()})
        with provider_errors(client.http_client):
            answer = client.content.v1.contents(content_sid).approval_create.create(request)
        return ContentApproval(status=(answer.status or "received").lower(),
                               rejection_reason=answer.rejection_reason or "")

    def content_approval_fetch(self, *, content_sid: str) -> ContentApproval:
        """WhatsApp's current verdict on a submitted content template."""
        client = twilio_client(self._account())
        with provider_errors(client.http_client):
            answer = client.content.v1.contents(content_sid).approval_fetch().fetch()
        whatsapp = answer.whatsapp or {}
        return ContentApproval(status=str(whatsapp.get("status") or "received").lower(),
                               rejection_reason=str(whatsapp.get("rejection_reason") or ""))

    def media_fetch(self, *, url: str) -> tuple[str, bytes]:
        """An image the customer sent (a Twilio URL), fetched with the account's credentials."""
        account = self._account()
        client = http_client(account)
        allowed = [TWILIO_API + "/"]
        if account.api_base_url:
            allowed.append(account.api_base_url.rstrip("/") + "/")
        if not any(url.startswith(prefix) for prefix in allowed):
            # Never hand the account's credentials to another host.
            raise PermanentError(_("This media link is not a Twilio link."), code="media_host")
        return client.fetch_bytes(url, auth=(account.account_sid, account.auth_token))

    def send_test(self, *, account, to: str, from_number: str, channel: str = Channel.SMS,
                  body: str = "") -> str:
        """The admin's "send test message", straight through this account; returns the SID."""
        body = body or _("Atelier test message: your Twilio account is set up.")
        params = {"to": to, "body": body}
        if channel == Channel.WHATSAPP:
            params.update(to=f"whatsapp:{to}", from_=f"whatsapp:{from_number}")
        elif account.messaging_service_sid and not from_number:
            params["messaging_service_sid"] = account.messaging_service_sid
        else:
            params["from_"] = from_number
        return self.send_raw(account=account, **params).provider_sid
