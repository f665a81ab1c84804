"""Twilio webhooks: verify the signature, record the event once, act in a task.

The signature covers the public URL Twilio called (PUBLIC_BASE_URL + path and
query), not the URL this process sees behind a TLS-terminating proxy.
"""

import json
import logging
import time
import uuid

from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from catalog.links import public_url

from .models import TwilioAccount, WebhookEvent

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def signed_url(request) -> str:
    """The URL the provider signed: the public address, whatever the proxy forwarded."""
    return public_url(request.get_full_path())


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
    url = signed_url(request)
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


def _fields(request) -> dict:
    """The webhook's fields: form-encoded (messaging) or a JSON object."""
    if not _is_json(request):
        return request.POST.dict()
    data = json.loads(request.body)
    if not isinstance(data, dict):
        raise ValueError("a JSON webhook body must be an object")
    return {key: value if isinstance(value, str | int | float | bool) or value is None else json.dumps(value)
            for key, value in data.items()}


def _record_event(*, kind: str, event_id: str, payload: dict) -> int | None:
    """Insert the event once; the id when it is new, None for a replay (one round trip)."""
    table = WebhookEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (provider, event_id, kind, payload, received_at) "  # noqa: S608
            f"VALUES (%s, %s, %s, %s, %s) ON CONFLICT (provider, event_id) DO NOTHING RETURNING id",
            ["twilio", event_id[:128], kind, json.dumps(payload), timezone.now()])
        row = cursor.fetchone()
    return row[0] if row else None


def _twiml() -> HttpResponse:
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


def _record(request, *, kind: str, event_id) -> HttpResponse:
    from .tasks import process_twilio_event

    if not signature_valid(request):
        logger.warning("twilio webhook %s with a missing or invalid signature", request.path)
        return HttpResponseForbidden()
    try:
        payload = _fields(request)
    except ValueError:
        return HttpResponseBadRequest("The body is not a JSON object.", content_type="text/plain")
    event_id = event_id(payload)
    if not event_id:
        logger.info("twilio %s webhook without a MessageSid: ignored", kind)
        return _twiml()
    if request.GET:
        payload["_query"] = request.GET.dict()
    event_pk = _record_event(kind=kind, event_id=event_id, payload=payload)
    if event_pk is not None:
        # robust: a broker hiccup is logged, not a 500 (Twilio would retry a replay
        # that queues nothing); the reconcile sweep queues events left unprocessed.
        transaction.on_commit(lambda: process_twilio_event.delay(event_pk), robust=True)
    return _twiml()


@csrf_exempt
@require_POST
def twilio_messages(request):
    """Inbound SMS/MMS/WhatsApp; one event per MessageSid."""
    return _record(request, kind="inbound",
                   event_id=lambda fields: fields.get("MessageSid") or fields.get("SmsSid") or "")


@csrf_exempt
@require_POST
def twilio_status(request):
    """Delivery reports; one event per MessageSid and status."""
    def event_id(fields):
        sid = fields.get("MessageSid") or fields.get("SmsSid") or ""
        status = fields.get("MessageStatus") or fields.get("SmsStatus") or ""
        return f"{sid}:{status}" if sid else ""

    return _record(request, kind="status", event_id=event_id)
