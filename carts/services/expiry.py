"""Midnight: every store's open carts expire at its local midnight (a Celery beat sweep).

A cart's `expires_at` is the midnight after it was opened (or last shared) in
its store's time zone, stored in UTC, so "has this store's midnight passed"
is `expires_at <= now` whatever the zone. The sweep goes store by store
(the partial index on open carts is (store, expires_at)), in chunks, each
chunk its own transaction claimed with SELECT ... FOR UPDATE SKIP LOCKED, so
two sweeps never fight and a crash leaves nothing half done. Payment links
were created with the same midnight as their provider-side expiry, so the
provider stops them by itself; they are marked expired here.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from carts.models import Cart, PaymentLink
from clienteling.models import Store

OPEN = Cart.Status.OPEN
CHUNK = 2000


def carts_expire(*, cart_ids: list[int], now: datetime | None = None) -> int:
    """Expire these carts if still open (guarded); their active links stop."""
    now = now or timezone.now()
    with transaction.atomic():
        expired = list(Cart.objects.filter(pk__in=cart_ids, status=OPEN).values_list("pk", flat=True))
        if not expired:
            return 0
        count = Cart.objects.filter(pk__in=expired, status=OPEN).update(
            status=Cart.Status.EXPIRED, closed_at=now, updated_at=now)
        PaymentLink.objects.filter(cart_id__in=expired, status=PaymentLink.Status.ACTIVE).update(
            status=PaymentLink.Status.EXPIRED, remote_expired_at=now)
    return count


def carts_expire_due(*, now: datetime | None = None, chunk_size: int = CHUNK) -> int:
    """Expire every open cart whose store's midnight has passed; returns how many."""
    now = now or timezone.now()
    done = 0
    for store_id in Store.objects.order_by("pk").values_list("pk", flat=True):
        while True:
            with transaction.atomic():
                ids = list(
                    Cart.objects.select_for_update(skip_locked=True)
                    .filter(store_id=store_id, status=OPEN, expires_at__lte=now)
                    .order_by().values_list("pk", flat=True)[:chunk_size]
                )
                if not ids:
                    break
                done += Cart.objects.filter(pk__in=ids, status=OPEN).update(
                    status=Cart.Status.EXPIRED, closed_at=now, updated_at=now)
                PaymentLink.objects.filter(cart_id__in=ids, status=PaymentLink.Status.ACTIVE).update(
                    status=PaymentLink.Status.EXPIRED, remote_expired_at=now)
            if len(ids) < chunk_size:
                break
    return done
