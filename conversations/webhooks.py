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
from django.http import HttpResponse, HttpResponseForbidden
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


def signature_valid(request) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    url = signed_url(request)
    cached = _active_tokens()
    if any(RequestValidator(token).validate(url, request.POST, signature) for token in cached):
        return True
    fresh = _active_tokens(fresh=True)
    return fresh != cached and any(
        RequestValidator(token).validate(url, request.POST, signature) for token in fresh)


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


def _record(request, *, kind: str, event_id: str) -> HttpResponse:
    from .tasks import process_twilio_event

    if not signature_valid(request):
        logger.warning("twilio webhook %s with a missing or invalid signature", request.path)
        return HttpResponseForbidden()
    if not event_id:
        logger.info("twilio %s webhook without a MessageSid: ignored", kind)
        return _twiml()
    payload = request.POST.dict()
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
    sid = request.POST.get("MessageSid") or request.POST.get("SmsSid") or ""
    return _record(request, kind="inbound", event_id=sid)


@csrf_exempt
@require_POST
def twilio_status(request):
    """Delivery reports; one event per MessageSid and status."""
    sid = request.POST.get("MessageSid") or request.POST.get("SmsSid") or ""
    status = request.POST.get("MessageStatus") or request.POST.get("SmsStatus") or ""
    return _record(request, kind="status", event_id=f"{sid}:{status}" if sid else "")
