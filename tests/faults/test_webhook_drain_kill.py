"""A worker killed in the middle of applying a batch of inbound messages: the batch is applied
whole by the next drain, never half (every message stored once, every unread count right)."""

from django.db.models import Count
from django.utils import timezone

from clienteling.models import Customer, CustomerContactHistory
from conversations import services
from conversations.models import Conversation, Message, WebhookEvent
from tests.celery_worker import kill_tree, running_worker, wait_until
from tests.conversations.conftest import STORE_A_SMS

from .conftest import FAULTS, many_customers, new_queue, row_locked, waiting_on_a_lock

pytestmark = FAULTS

CUSTOMERS = 300  # two messages each: 600 events, six batches of 100


def test_a_worker_killed_mid_batch_leaves_the_whole_batch_to_the_next_drain(org, twilio, messaging,
                                                                            associate_a, worker_env):
    store = org["store_a"]
    ids = many_customers(org["entity"], CUSTOMERS, store=store)
    Conversation.objects.bulk_create(Conversation(customer_id=pk, store=store, channel="sms",
                                                  assigned_to=associate_a) for pk in ids)
    CustomerContactHistory.objects.bulk_create(CustomerContactHistory(customer_id=pk) for pk in ids)
    phones = dict(Customer.objects.filter(pk__in=ids).values_list("pk", "phone"))
    now = timezone.now()
    WebhookEvent.objects.bulk_create(
        WebhookEvent(provider="twilio", kind="inbound", event_id=f"SM{pk:016d}{turn:0>16}", received_at=now,
                     payload={"MessageSid": f"SM{pk:016d}{turn:0>16}", "From": str(phones[pk]),
                              "To": STORE_A_SMS, "Body": f"{turn} from {pk}", "NumMedia": "0"})
        for pk in ids for turn in ("first", "second"))
    # The second batch writes its messages, then waits for this customer's history row.
    in_second_batch = ids[70]
    queue = new_queue()
    with row_locked("SELECT 1 FROM clienteling_customercontacthistory WHERE customer_id = %s FOR UPDATE",
                    in_second_batch):
        with running_worker(queue=queue) as worker:
            services.webhook_events_drain_soon(kind="inbound", force=True)
            assert wait_until(waiting_on_a_lock, timeout=60), "the drain never reached the held row"
            applied = Message.objects.filter(direction=Message.Direction.INBOUND).count()
            kill_tree(worker.pid)
            worker.wait(timeout=10)
    assert applied == 100  # the first batch is in; the second was mid-way when killed

    # Half a batch was written when the worker died: none of it stayed.
    assert Message.objects.filter(direction=Message.Direction.INBOUND).count() == 100
    assert WebhookEvent.objects.filter(processed_at__isnull=True).count() == 500

    pending = WebhookEvent.objects.filter(processed_at__isnull=True)
    with running_worker(queue=queue):
        # The beat's stale sweep finds what no drain applied (events older than its cutoff).
        def swept_and_done() -> bool:
            services.webhook_events_requeue_stale(now=timezone.now(), older_than=0)
            return wait_until(lambda: not pending.exists(), timeout=3)
        assert wait_until(swept_and_done, timeout=90)

    per_thread = (Message.objects.filter(direction=Message.Direction.INBOUND)
                  .values("conversation_id").annotate(n=Count("pk")).values_list("n", flat=True))
    assert set(per_thread) == {2} and len(per_thread) == CUSTOMERS
    threads = Conversation.objects.filter(customer_id__in=ids)
    assert set(threads.values_list("unread_count", flat=True)) == {2}
    assert set(CustomerContactHistory.objects.filter(customer_id__in=ids)
               .values_list("last_text_preview", flat=True)) == {f"second from {pk}" for pk in ids}
