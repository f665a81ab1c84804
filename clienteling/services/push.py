"""Web Push to staff members' devices (docs/pwa.md).

A staff member switches notifications on per browser (`push_subscribe`). conversations and
carts register a kind in `clienteling.registry.push_kinds` and ask for it with the ids of
what happened (`push_notify`); a task (`push_send`) asks the kind who is told and what they
read, renders it in each recipient's language, encrypts it for each of their devices with
pywebpush (VAPID) and posts it to that browser's push service. A device the push service
no longer knows (404, 410) is forgotten; a busy or unreachable one is tried again.
"""

import base64
import binascii
import json
import logging
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pywebpush import WebPushException, webpush

from catalog.db import fit_fields

from ..models import PushSubscription, StaffProfile
from ..registry import push_kinds

logger = logging.getLogger(__name__)

# What a push service answers for a subscription that ended (the browser unsubscribed,
# the app was uninstalled, the permission was withdrawn).
GONE = {404, 410}
# Worth another try later: the push service is busy or failing.
TRANSIENT = {429, 500, 502, 503, 504}


def push_enabled() -> bool:
    """Push needs the server's VAPID key pair; without it the unread badge tells alone."""
    return bool(settings.PUSH_VAPID_PRIVATE_KEY and settings.PUSH_VAPID_PUBLIC_KEY)


def _decoded(value: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None


def push_subscribe(*, user, endpoint: str, p256dh: str, auth: str, user_agent: str = "") -> PushSubscription:
    """Notify `user` on this browser from now on (the browser's PushSubscription)."""
    endpoint, p256dh, auth = (endpoint or "").strip(), (p256dh or "").strip(), (auth or "").strip()
    parts = urlsplit(endpoint)
    # Only a push service's https address: the server posts to it. Plain http only where
    # test doubles are allowed (tests, development), never in production.
    schemes = {"https", "http"} if settings.PROVIDER_TEST_DOUBLES else {"https"}
    if (parts.scheme not in schemes or not parts.hostname
            or len(endpoint) > PushSubscription._meta.get_field("endpoint").max_length):
        raise ValidationError(_("This browser gave a push address Atelier cannot use."))
    key, secret = _decoded(p256dh), _decoded(auth)
    if not key or len(key) != 65 or key[0] != 4 or not secret or len(secret) != 16:
        raise ValidationError(_("This browser gave push keys Atelier cannot use."))
    with transaction.atomic():
        # One endpoint, one person: a shared browser notifies whoever switched it on last.
        subscription, _created = PushSubscription.objects.update_or_create(
            endpoint=endpoint, defaults=fit_fields(PushSubscription, {
                "user": user, "p256dh": p256dh, "auth": auth, "user_agent": user_agent or ""}))
    return subscription


def push_unsubscribe(*, user, endpoint: str) -> int:
    """Stop notifying `user` on this browser; someone else's subscription is left alone."""
    with transaction.atomic():
        found = PushSubscription.objects.filter(user=user, endpoint=(endpoint or "").strip())
        deleted, _rows = found.delete()
    return deleted


def push_notify(*, kind: str, object_ids) -> None:
    """Queue the notifications of `kind` about these objects, after the caller's commit.

    Cheap on purpose (no query): it runs inside inbound messages' and payments' transactions.
    """
    ids = sorted({int(pk) for pk in object_ids if pk})
    if not ids or not push_enabled() or kind not in push_kinds:
        return
    from clienteling.tasks import push_send

    push_send.delay_on_commit(kind, ids)


@dataclass
class PushOutcome:
    sent: int = 0
    gone: int = 0
    # Subscriptions to try again (the push service was busy or unreachable).
    retry: list[int] = field(default_factory=list)
    retry_after: float | None = None


def push_send(*, kind: str, object_ids: list[int], subscription_ids: list[int] | None = None) -> PushOutcome:
    """Send the notifications of `kind` about these objects to their recipients' devices.

    `subscription_ids` limits a retry to the devices that failed the first time.
    """
    outcome = PushOutcome()
    entry = push_kinds.get(kind)
    if entry is None or not push_enabled():
        return outcome
    notices = entry.notices(object_ids)
    user_ids = {user_id for notice in notices for user_id in notice.user_ids}
    if not user_ids:
        return outcome
    subscriptions = PushSubscription.objects.filter(user_id__in=user_ids, user__is_active=True)
    if subscription_ids is not None:
        subscriptions = subscriptions.filter(pk__in=subscription_ids)
    devices: dict[int, list[PushSubscription]] = {}
    for subscription in subscriptions.order_by("pk"):
        devices.setdefault(subscription.user_id, []).append(subscription)
    if not devices:
        return outcome
    languages = dict(StaffProfile.objects.filter(user_id__in=devices).values_list("user_id", "language"))
    results: dict[str, list[int]] = {"sent": [], "gone": [], "retry": outcome.retry, "failed": []}
    with requests.Session() as session:
        for notice in notices:
            rendered: dict[str, str] = {}  # one rendering per language
            for user_id in notice.user_ids:
                language = languages.get(user_id) or settings.LANGUAGE_CODE
                if language not in rendered:
                    with translation.override(language):
                        rendered[language] = json.dumps({k: str(v) for k, v in notice.render().items()})
                for subscription in devices.get(user_id, ()):
                    results[_post(session, subscription, rendered[language], outcome)].append(subscription.pk)
    sent, gone = results["sent"], results["gone"]
    if gone:
        PushSubscription.objects.filter(pk__in=gone).delete()
    if sent:
        PushSubscription.objects.filter(pk__in=sent).update(last_sent_at=timezone.now())
    outcome.sent, outcome.gone = len(sent), len(gone)
    return outcome


def _post(session, subscription: PushSubscription, payload: str, outcome: PushOutcome) -> str:
    """One encrypted POST to one device's push service: "sent", "gone", "retry" or "failed"."""
    try:
        webpush(
            subscription_info={"endpoint": subscription.endpoint,
                               "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}},
            data=payload, vapid_private_key=settings.PUSH_VAPID_PRIVATE_KEY,
            # A fresh dict each time: pywebpush writes the endpoint's origin ("aud") into it.
            vapid_claims={"sub": settings.PUSH_VAPID_SUBJECT}, ttl=settings.PUSH_TTL_SECONDS,
            timeout=settings.PUSH_HTTP_TIMEOUT, headers={"Urgency": "high"}, requests_session=session)
    except WebPushException as error:
        status = error.response.status_code if error.response is not None else None
        if status in GONE:
            return "gone"
        if status in TRANSIENT:
            retry_after = error.retry_after
            if retry_after and retry_after.isdigit():
                outcome.retry_after = max(outcome.retry_after or 0, float(retry_after))
            return "retry"
        # 400, 403 (a key pair changed since the browser subscribed), 413: retrying changes nothing.
        logger.warning("push to subscription %s refused: %s", subscription.pk, status)
        return "failed"
    except requests.RequestException as error:
        logger.info("push to subscription %s: push service unreachable: %s", subscription.pk, error)
        return "retry"
    return "sent"
