"""Redis restarted (SIGKILL, no persistence: every queued task lost) while sends and webhooks flow.

The test runs a Redis of its own (the machine's is shared with other tests), points this
process, the worker, the broker and the cache at it, kills it and starts it again empty on
the same port. Work recorded in the database before the restart is finished afterwards,
queued again by beat's sweeps; no webhook answered 200 is lost, and one answered otherwise
is delivered again by its provider and recorded once.
"""

import socket
import subprocess
from collections import Counter
from contextlib import contextmanager
from datetime import time as clock
from datetime import timedelta

import redis
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from carts.models import Cart, PaymentEvent, PaymentLink
from carts.payments import get_provider
from carts.payments.demo import SIGNATURE_HEADER
from carts.tasks import payment_events_requeue_stale
from catalog.money import to_minor_units
from clienteling.models import Channel
from config.celery import app
from conversations import services as conversation_services
from conversations.models import Message, WebhookEvent
from conversations.tasks import messages_reconcile_unknown
from tests.celery_worker import running_worker, wait_until
from tests.conversations.conftest import STORE_A_SMS, post_signed

from .conftest import FAULTS, many_customers, new_queue

pytestmark = FAULTS

SENDS = 30
INBOUND = 10


class OwnRedis:
    """A redis-server of this test's own on a free port; nothing is ever written to disk."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        assert wait_until(lambda: self._pings(client), timeout=10), "redis-server did not start"

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)

    @staticmethod
    def _pings(client) -> bool:
        try:
            return client.ping()
        except redis.ConnectionError:
            return False


@contextmanager
def on_own_redis():
    """This process (cache, broker) and the workers it starts use a Redis of their own."""
    server = OwnRedis()
    server.start()
    # Celery reads its broker from these settings (CELERY_BROKER_URL) on every use.
    own = override_settings(REDIS_URL=server.url, CELERY_BROKER_URL=server.url, CACHES={
        "default": {**settings.CACHES["default"], "LOCATION": server.url}})
    own.enable()
    forget_broker_connections()
    try:
        yield server
    finally:
        own.disable()
        forget_broker_connections()
        if server.process.poll() is None:
            server.kill()


def forget_broker_connections() -> None:
    """The next publish opens connections to the broker the settings name now."""
    app._pool = None
    app.amqp._producer_pool = None


def post_inbound(client, twilio, customer_phone: str, sid: str, body: str):
    return post_signed(client, "/webhooks/twilio/messages/", {
        "MessageSid": sid, "From": customer_phone, "To": STORE_A_SMS, "Body": body, "NumMedia": "0"},
        twilio.fake.auth_token)


def test_a_redis_restart_loses_no_queued_send_and_no_acknowledged_webhook(twilio, messaging, org, associate_a,
                                                                          shared, worker_env):
    messaging["store_a"].quiet_hours_start = messaging["store_a"].quiet_hours_end = clock(0)
    messaging["store_a"].save()
    ids = many_customers(org["entity"], SENDS + INBOUND)
    threads = [conversation_services.conversation_get_or_create(customer=customer, store=org["store_a"],
                                                                channel=Channel.SMS, user=associate_a)
               for customer in org["entity"].customers.filter(pk__in=ids).order_by("pk")]
    link = PaymentLink.objects.get(cart=shared, cart_version=shared.version)
    demo = get_provider("demo")
    payment = demo.notification_body(psp_reference="DEMOREDIS0001", merchant_reference=link.reference,
                                     success=True, amount_minor=to_minor_units(link.amount, link.currency),
                                     currency=link.currency)
    web = Client(raise_request_exception=False)  # a view's error is the provider's 500
    answers = {}  # webhook -> status codes answered, in order

    def inbound(n: int):
        thread = threads[SENDS + n]
        key = f"inbound {n}"
        answers.setdefault(key, []).append(post_inbound(web, twilio, str(thread.customer.phone),
                                                        f"SM{n:032d}", f"Reply {n}").status_code)

    def pay():
        answers.setdefault("payment", []).append(web.post(
            reverse("carts_public:notify", args=["demo"]), payment, content_type="application/json",
            headers={SIGNATURE_HEADER: demo.sign(payment)}).status_code)

    for _ in range(SENDS):
        twilio.fake.hang_next(seconds=0.3)  # Twilio answers slowly: the sends queue up
    queue = new_queue()
    with on_own_redis() as server, running_worker(queue=queue):
        sends = [conversation_services.message_send(conversation=thread, sender=associate_a,
                                                    body=f"Hello {n}")
                 for n, thread in enumerate(threads[:SENDS])]
        for n in range(INBOUND // 2):
            inbound(n)
        assert wait_until(lambda: len(twilio.fake.creates) >= 5, timeout=30)

        server.kill()  # every queued task is lost
        pay()  # while Redis is down
        inbound(INBOUND // 2)
        server.start()  # empty, on the same port

        for n in range(INBOUND // 2 + 1, INBOUND):
            inbound(n)
        # The provider delivers again what was not answered 200.
        for key, codes in list(answers.items()):
            if codes[-1] != 200:
                pay() if key == "payment" else inbound(int(key.split()[1]))
        assert all(codes[-1] == 200 for codes in answers.values()), answers
        lost = Message.objects.filter(pk__in=[m.pk for m in sends], status=Message.Status.QUEUED).count()
        assert lost, "the restart lost no send: the test proved nothing"

        # Beat's sweeps, once their delays have passed, queue again what the database holds.
        Message.objects.filter(status=Message.Status.QUEUED).update(
            created_at=timezone.now() - timedelta(minutes=20))
        WebhookEvent.objects.filter(processed_at__isnull=True).update(
            received_at=timezone.now() - timedelta(minutes=5))
        PaymentEvent.objects.filter(processed_at__isnull=True).update(
            received_at=timezone.now() - timedelta(minutes=11))
        messages_reconcile_unknown.delay()
        payment_events_requeue_stale.delay()
        sent = Message.objects.filter(pk__in=[m.pk for m in sends], status=Message.Status.SENT)
        replies = Message.objects.filter(direction=Message.Direction.INBOUND)
        # The payment's receipt text is queued when the payment is applied: wait for it too.
        payer = str(shared.customer.phone)
        assert wait_until(lambda: sent.count() == SENDS and replies.count() == INBOUND
                          and not WebhookEvent.objects.filter(processed_at__isnull=True).exists()
                          and Cart.objects.get(pk=shared.pk).status == Cart.Status.PAID
                          and sum(c.form["To"] == payer for c in twilio.fake.creates) >= 2,
                          timeout=45), (
            Counter(Message.objects.values_list("status", flat=True)), replies.count())

    sent_to = Counter(create.form["To"] for create in twilio.fake.creates)
    # Each send once; the paying customer has their link's text and the receipt.
    assert sent_to == {**{str(thread.customer.phone): 1 for thread in threads[:SENDS]},
                       str(shared.customer.phone): 2}, "a text went out twice, or not at all"
    assert sorted(replies.values_list("body", flat=True)) == sorted(f"Reply {n}" for n in range(INBOUND))
    assert PaymentEvent.objects.get().outcome == "paid"
    assert WebhookEvent.objects.filter(kind="inbound").count() == INBOUND
