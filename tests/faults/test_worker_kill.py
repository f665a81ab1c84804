"""A Celery worker killed (SIGKILL, pool and all) in the middle of long work, then started again.

A test holds a row lock from another session to stop the worker at a known point, kills it
there, and lets the broker's visibility timeout pass (tests/celery_worker.py): what the
dead worker held is handed out again (acks_late) and the beat sweeps settle the rest.
Every text goes out exactly once (counted at the Twilio fake), no work is lost, every
sweep finishes once, every payment is recorded once.
"""

import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from email.utils import format_datetime

from django.core.cache import cache
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from carts.models import Cart, PaymentEvent, PaymentLink
from carts.payments import get_provider
from carts.payments.demo import SIGNATURE_HEADER
from carts.tasks import carts_expire_due, payment_events_requeue_stale
from catalog.models import StockLevel
from catalog.money import to_minor_units
from clienteling import services as clienteling_services
from clienteling.models import BulkJob, Customer, Sale, Task
from conversations.models import Message
from conversations.tasks import messages_reconcile_unknown
from tests.celery_worker import kill_tree, running_worker, visibility_timeout_passes, wait_until
from tests.conversations.conftest import mapped_template

from .conftest import FAULTS, blocked_by, ended, many_customers, new_queue, row_locked, worker_log

pytestmark = FAULTS

OUTREACH = 5000
# One in ten has opted in to texts: 500 sends (about 70 ms each on a loaded two-core
# machine); the rules skip the rest, and the job must count every one of them once.
REACHABLE_EVERY = 10


def stalled(fake) -> bool:
    """The fake has taken no new text for half a second (the worker waits on an answer)."""
    seen = len(fake.creates)
    time.sleep(0.5)
    return len(fake.creates) == seen


def twilio_clock_back(fake, by: timedelta) -> None:
    """What the Twilio fake recorded happened `by` earlier (the test's clock moved on)."""
    for message in fake.messages.values():
        message["_created"] -= by.total_seconds()
        message["date_created"] = format_datetime(
            datetime.fromtimestamp(message["_created"], UTC), usegmt=True)


def job_of(job) -> BulkJob:
    return BulkJob.objects.get(pk=job.pk)


def kill(worker) -> None:
    kill_tree(worker.pid)
    worker.wait(timeout=10)


def test_bulk_outreach_to_5000_customers_texts_each_once_through_two_kills(twilio, messaging, org,
                                                                          associate_a, worker_env,
                                                                          monkeypatch):
    store = org["store_a"]
    # Marketing may go at any hour here: the worker runs on the real clock.
    messaging["store_a"].quiet_hours_start = messaging["store_a"].quiet_hours_end = clock(0)
    messaging["store_a"].save()
    ids = many_customers(org["entity"], OUTREACH, store=store, opted_in_every=REACHABLE_EVERY)
    reachable = OUTREACH // REACHABLE_EVERY
    template = mapped_template()
    queue = new_queue()
    messages = Message.objects.filter(bulk_job_id__isnull=False)

    # Kill 1: while the job writes its messages, chunk by chunk. The third chunk's COMMIT waits
    # on a held customer (foreign keys are checked at commit): the worker dies with its commit
    # in flight. The commit lands; the send tasks it was to queue afterwards never are.
    with row_locked("SELECT id FROM clienteling_customer WHERE id = %s FOR UPDATE", ids[1200]) as held, \
            running_worker(queue=queue) as worker:
        job = clienteling_services.bulk_job_start(
            user=associate_a, action_key="send_message", params={"template": template.pk, "language": "en"},
            ids=ids, store=store)
        assert wait_until(lambda: job_of(job).processed == 1000 and blocked_by(held), timeout=30)
        dead = blocked_by(held)
        kill(worker)
    assert wait_until(lambda: ended(dead), timeout=10)
    assert job_of(job).processed == 1500  # the commit landed, with the job's progress
    assert messages.count() == 1500 // REACHABLE_EVERY

    # Kill 2: in the middle of the sends (the job itself resumed after its last chunk), while
    # Twilio holds the answer to a text it has taken.
    monkeypatch.setenv("TWILIO_HTTP_TIMEOUT", "60")
    sending = messages.filter(status=Message.Status.SENDING)
    visibility_timeout_passes()
    with running_worker(queue=queue) as worker:
        assert wait_until(lambda: len(twilio.fake.creates) >= reachable // 3, timeout=45)
        twilio.fake.hang_next(seconds=60)
        assert wait_until(lambda: sending.exists() and stalled(twilio.fake), timeout=20)
        kill(worker)
    assert len(twilio.fake.creates) < reachable and sending.count() == 1

    # Back later: held tasks are handed out again (an hour on); beat's sweep queues again the
    # sends whose tasks were never queued, and settles the send that was in flight (ten minutes
    # ago, for Twilio too) by looking it up at Twilio, never resending it.
    visibility_timeout_passes()
    sending.update(status_updated_at=F("status_updated_at") - timedelta(minutes=10))
    twilio_clock_back(twilio.fake, timedelta(minutes=10))
    messages.filter(status=Message.Status.QUEUED).update(created_at=timezone.now() - timedelta(minutes=20))
    with running_worker(queue=queue, concurrency=2):
        messages_reconcile_unknown.delay()
        assert wait_until(lambda: job_of(job).status == BulkJob.Status.DONE and messages.count() == reachable
                          and not messages.exclude(status=Message.Status.SENT).exists(), timeout=60), Counter(
            messages.values_list("status", flat=True))

    job = job_of(job)
    assert (job.total, job.processed, job.succeeded, job.skipped) == (
        OUTREACH, OUTREACH, reachable, OUTREACH - reachable)
    assert sum(job.report["skipped_codes"].values()) == OUTREACH - reachable
    assert messages.values("conversation_id").distinct().count() == reachable
    sent_to = Counter(create.form["To"] for create in twilio.fake.creates)
    assert set(sent_to.values()) == {1}, "a text went out twice"
    assert set(sent_to) == {str(phone) for phone in messages.values_list("conversation__customer__phone",
                                                                         flat=True)}
    assert set(messages.values_list("provider_sid", flat=True)) == set(twilio.fake.messages)


def test_a_bulk_follow_up_killed_half_way_is_finished_once(org, associate_a):
    ids = many_customers(org["entity"], 1500)
    queue = new_queue()
    with row_locked("SELECT id FROM clienteling_customer WHERE id = %s FOR UPDATE", ids[1200]) as held, \
            running_worker(queue=queue) as worker:
        job = clienteling_services.bulk_job_start(
            user=associate_a, action_key="follow_up", params={"title": "Ask about the fitting",
                                                               "due_on": date(2026, 12, 24).isoformat()},
            ids=ids)
        assert wait_until(lambda: job_of(job).processed == 1000 and blocked_by(held), timeout=30)
        dead = blocked_by(held)
        kill(worker)
    # The third chunk's commit was in flight (it waited on the held customer): it lands, with
    # the job's progress in the same transaction.
    assert wait_until(lambda: ended(dead), timeout=10)
    assert Task.objects.count() == job_of(job).processed == 1500
    assert job_of(job).status == BulkJob.Status.RUNNING

    visibility_timeout_passes()
    with running_worker(queue=queue):
        assert wait_until(lambda: job_of(job).status == BulkJob.Status.DONE, timeout=30)
    job = job_of(job)
    assert (job.total, job.processed, job.succeeded) == (1500, 1500, 1500)
    per_customer = Counter(Task.objects.values_list("customer_id", flat=True))
    assert set(per_customer) == set(ids) and set(per_customer.values()) == {1}


def test_a_cart_expiry_sweep_killed_half_way_finishes_next_period_expiring_each_cart_once(org, associate_a):
    now = timezone.now()
    customers = many_customers(org["entity"], 21)
    stores = [org["store_a"], org["store_a2"], org["store_b"]]  # the sweep goes store by store
    due = {store.pk: Cart.objects.bulk_create(
        Cart(customer_id=customer_id, store=store, associate=associate_a, currency="USD",
             expires_at=now - timedelta(hours=1)) for customer_id in customers[:20]) for store in stores}
    later = Cart.objects.create(customer_id=customers[20], store=stores[0], associate=associate_a,
                                currency="USD", expires_at=now + timedelta(hours=3))
    PaymentLink.objects.bulk_create(
        PaymentLink(cart=cart, cart_version=1, provider="demo", reference=f"KILL-{cart.pk}", amount=100,
                    currency="USD", expires_at=cart.expires_at) for cart in [*Cart.objects.all()])
    held = PaymentLink.objects.get(cart=due[stores[1].pk][5])
    queue = new_queue()
    first = Cart.objects.filter(store=stores[0], status=Cart.Status.EXPIRED)

    with row_locked("SELECT id FROM carts_paymentlink WHERE id = %s FOR UPDATE", held.pk) as lock, \
            running_worker(queue=queue) as worker:
        carts_expire_due.delay()
        assert wait_until(lambda: first.count() == 20 and blocked_by(lock), timeout=30)
        kill(worker)
    expired_at = dict(first.values_list("pk", "closed_at"))
    assert Cart.objects.filter(status=Cart.Status.OPEN).count() == 41  # the second store's chunk rolled back

    slot = f"beat-slot:{carts_expire_due.name}"
    with running_worker(queue=queue):
        # Beat's next send in the same period finds the killed run's slot taken...
        carts_expire_due.delay()
        skipped = "carts_expire_due: this period's run was already taken"
        assert wait_until(lambda: skipped in worker_log(queue), timeout=20)
        # ...and the next period's run finishes the sweep; one more finds nothing left.
        for _period in range(2):
            cache.delete(slot)
            carts_expire_due.delay()
            assert wait_until(lambda: Cart.objects.filter(status=Cart.Status.OPEN).count() == 1, timeout=20)
        assert wait_until(lambda: worker_log(queue).count(f"{carts_expire_due.name}[") >= 6, timeout=20)
    assert f"Task {carts_expire_due.name}" in worker_log(queue) and ": 40\n" in worker_log(queue)
    assert ": 0\n" in worker_log(queue)
    assert dict(first.values_list("pk", "closed_at")) == expired_at  # expired once, not again
    assert Cart.objects.get(pk=later.pk).status == Cart.Status.OPEN
    assert not PaymentLink.objects.filter(status=PaymentLink.Status.ACTIVE).exclude(cart=later).exists()


def test_a_payment_event_killed_mid_way_is_recorded_once(client, twilio, messaging, shared, shop, worker_env):
    cart = shared
    link = PaymentLink.objects.get(cart=cart, cart_version=cart.version)
    on_hand = dict(StockLevel.objects.values_list("pk", "on_hand"))
    shared_link_text = list(Message.objects.values_list("pk", flat=True))
    texts_before = len(twilio.fake.creates)
    provider = get_provider("demo")
    body = provider.notification_body(
        psp_reference="DEMOKILLED0001", merchant_reference=link.reference, success=True,
        amount_minor=to_minor_units(link.amount, link.currency), currency=link.currency)
    queue = new_queue()

    # The task stops on the stock of the first line, after marking the cart paid: killed there.
    with row_locked("SELECT id FROM catalog_stocklevel WHERE variant_id = %s FOR UPDATE",
                    shop.coat_s.pk) as held, running_worker(queue=queue) as worker:
        signed = {SIGNATURE_HEADER: provider.sign(body)}
        response = client.post(reverse("carts_public:notify", args=["demo"]), body,
                               content_type="application/json", headers=signed)
        assert response.status_code == 200
        assert wait_until(lambda: blocked_by(held), timeout=20)
        kill(worker)
    event = PaymentEvent.objects.get()
    assert event.processed_at is None
    assert Cart.objects.get(pk=cart.pk).status == Cart.Status.OPEN and not Sale.objects.exists()

    # Back later, before the broker would hand the task out again: beat's requeue sweep sends
    # it once more (recorded over ten minutes ago, never processed). An hour on, the broker
    # hands out the killed worker's copy too: it finds the event processed.
    PaymentEvent.objects.update(received_at=timezone.now() - timedelta(minutes=11))
    receipt = Message.objects.filter(conversation=cart.conversation, direction=Message.Direction.OUTBOUND,
                                     status=Message.Status.SENT, provider_sid__isnull=False,
                                     ).exclude(pk__in=shared_link_text)  # not the staff's notice
    with running_worker(queue=queue):
        payment_events_requeue_stale.delay()
        assert wait_until(receipt.exists, timeout=30)
    visibility_timeout_passes()
    with running_worker(queue=queue):
        assert wait_until(lambda: "carts.tasks.payment_event_process" in worker_log(queue)
                          and ": 'noop'" in worker_log(queue), timeout=30)
    event.refresh_from_db()
    cart.refresh_from_db()
    assert event.processed_at is not None and event.outcome == "paid"
    assert cart.status == Cart.Status.PAID and Sale.objects.count() == 1
    assert Sale.objects.get().external_id == f"RC-{cart.pk}"
    decremented = {pk: on_hand[pk] - now for pk, now in StockLevel.objects.values_list("pk", "on_hand")}
    assert sorted(n for n in decremented.values() if n) == [1, 1]  # one coat from each location, once
    assert len(twilio.fake.creates) == texts_before + 1 and receipt.count() == 1
    assert Customer.objects.get(pk=cart.customer_id).phone == twilio.fake.last_create()["To"]
