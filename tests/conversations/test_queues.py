"""Queues by workload, with the Procfile's split of workers: a customer's STOP is acted on
within seconds while a campaign's delivery reports are still queueing behind each other."""

import time
import uuid

import pytest
from celery import current_app
from django.conf import settings
from django.utils import timezone

from catalog.background import PROCESS_WORKLOADS, WORKLOADS, queue_names, route_task
from clienteling.models import Channel, ConsentState, CustomerConsent
from conversations import services
from conversations.models import WebhookEvent
from conversations.tasks import webhook_event_process
from tests.celery_worker import running_worker, wait_until

from .conftest import STORE_A_SMS, opt_in, post_signed

REPORTS = 4000


def test_each_workload_has_its_queue():
    base = current_app.conf.task_default_queue
    assert route_task(webhook_event_process.name, (1,), {"kind": "inbound"}, {}) == {
        "queue": f"{base}.inbound"}
    assert route_task(webhook_event_process.name, (1,), {"kind": "status"}, {}) == {"queue": f"{base}.status"}
    assert route_task("conversations.tasks.message_dispatch", (1,), {}, {}) == {"queue": f"{base}.sends"}
    assert route_task("conversations.tasks.messages_dispatch", ([1],), {}, {}) == {"queue": f"{base}.bulk"}
    assert route_task("carts.tasks.carts_expire_due", (), {}, {}) == {"queue": f"{base}.sweeps"}
    assert route_task("carts.tasks.payment_event_process", (1,), {}, {}) == {"queue": f"{base}.payments"}
    # Every task the project defines has a workload or knowingly goes to the default queue.
    ours = {name for name in current_app.tasks if name.split(".")[0] in {"catalog", "clienteling",
                                                                          "conversations", "carts"}}
    routed = {name for name in ours if route_task(name, (), {}, {}) is not None}
    assert ours == routed, ours - routed


def test_the_procfile_runs_the_workers_the_queues_are_planned_for():
    from pathlib import Path

    procfile = (Path(__file__).resolve().parents[2] / "Procfile").read_text().splitlines()
    taken = {line.split(":", 1)[0]: line.split(" -Q ", 1)[1].split()[0].split(",")
             for line in procfile if " -Q " in line}
    assert taken == {
        "worker": [*(f"atelier.{w}" for w in PROCESS_WORKLOADS["worker"]), "atelier"],
        "background": [f"atelier.{w}" for w in PROCESS_WORKLOADS["background"]]}
    # Every workload has a worker.
    assert sorted(sum(PROCESS_WORKLOADS.values(), ())) == sorted(WORKLOADS)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis")
def test_a_stop_is_acted_on_while_thousands_of_delivery_reports_wait(client, twilio, sms_thread, associate_a,
                                                                     customer_a, monkeypatch):
    monkeypatch.setenv("MESSAGING_SMS_PROVIDER", "twilio")
    monkeypatch.setenv("PUBLIC_BASE_URL", settings.PUBLIC_BASE_URL)
    opt_in(customer_a)
    queue = f"atelier-test-{uuid.uuid4().hex[:8]}"
    # The Procfile's two workers, one process each.
    with running_worker(queue=queue, workloads=PROCESS_WORKLOADS["background"]), \
            running_worker(queue=queue, workloads=PROCESS_WORKLOADS["worker"]):
        # A campaign's delivery reports arrive first: recorded, and queued behind each other.
        now = timezone.now()
        reports = WebhookEvent.objects.bulk_create(
            WebhookEvent(provider="twilio", kind="status", event_id=f"SM{n:032d}:delivered", received_at=now,
                         payload={"MessageSid": f"SM{n:032d}", "MessageStatus": "delivered"})
            for n in range(REPORTS))
        for report in reports:
            webhook_event_process.delay(report.pk, kind="status")

        # Then the customer texts STOP, through the webhook.
        asked = time.monotonic()
        response = post_signed(client, "/webhooks/twilio/messages/", {
            "MessageSid": "SM" + "5" * 32, "From": str(customer_a.phone), "To": STORE_A_SMS,
            "Body": "STOP", "NumMedia": "0"}, twilio.fake.auth_token)
        assert response.status_code == 200
        opted_out = CustomerConsent.objects.filter(customer=customer_a, channel=Channel.SMS,
                                                   state=ConsentState.OPTED_OUT)
        assert wait_until(opted_out.exists, timeout=10), "the STOP waited behind the delivery reports"
        took = time.monotonic() - asked
        waiting = WebhookEvent.objects.filter(kind="status", processed_at__isnull=True).count()

        assert took < 10
        assert waiting > REPORTS // 2, f"only {waiting} reports were left: the test proved nothing"
        with pytest.raises(services.SendBlocked):
            services.message_send(conversation=sms_thread, sender=associate_a, body="One more offer")
    _purge(queue)


def _purge(queue: str) -> None:
    with current_app.connection_for_write() as conn:
        for name in queue_names(queue):
            conn.default_channel.queue_purge(name)
