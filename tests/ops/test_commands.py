"""The beat's sweeps as commands: each does the beat task's work, says how much, and a second run
finds nothing left (or does no harm)."""

from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from carts import services as cart_services
from carts.models import Cart, PaymentEvent
from clienteling.models import BulkJob, Channel, Task
from conversations import services as conversation_services
from conversations.models import Conversation, Message
from tests.carts.conftest import shop  # noqa: F401  fixture
from tests.conversations.conftest import fake_twilio, messaging, sms_thread, twilio  # noqa: F401  fixtures
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def run(name: str, *args) -> str:
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def test_archive_conversations_archives_the_inactive_threads_once(org):
    old = timezone.now() - timedelta(days=200)
    stale = conversation_services.conversation_get_or_create(
        customer=CustomerFactory(legal_entity=org["entity"]), store=org["store_a"], channel=Channel.SMS)
    live = conversation_services.conversation_get_or_create(
        customer=CustomerFactory(legal_entity=org["entity"]), store=org["store_a"], channel=Channel.SMS)
    Conversation.objects.filter(pk=stale.pk).update(last_message_at=old, created_at=old)

    first = run("archive_conversations")
    second = run("archive_conversations")

    assert Conversation.objects.get(pk=stale.pk).status == Conversation.Status.ARCHIVED
    assert Conversation.objects.get(pk=live.pk).status == Conversation.Status.OPEN
    assert "No activity: 1 archived" in first
    assert "Customer opted out: 0 archived" in first
    assert "Conversations archived: 1." in first
    assert "Conversations archived: 0." in second


def test_send_scheduled_sends_the_due_message_once(twilio, sms_thread, associate_a,  # noqa: F811
                                                   django_capture_on_commit_callbacks):
    message = conversation_services.message_send(conversation=sms_thread, sender=associate_a, body="See you",
                                                  scheduled_for=timezone.now() + timedelta(hours=1))
    assert message.status == Message.Status.SCHEDULED
    before = run("send_scheduled")
    assert "Scheduled messages due and handled: 0" in before  # not due yet: nothing moved

    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            first = run("send_scheduled")
        second = run("send_scheduled")

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert [create.form["Body"] for create in twilio.fake.creates] == ["See you"]
    assert "Scheduled messages due and handled: 1" in first
    assert "Scheduled messages due and handled: 0" in second


def test_expire_carts_expires_carts_past_their_stores_midnight_once(shop, customer_a, associate_a):  # noqa: F811
    cart = cart_services.cart_open(customer=customer_a, store=shop.store, user=associate_a)
    Cart.objects.filter(pk=cart.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    fresh = cart_services.cart_open(customer=CustomerFactory(legal_entity=shop.store.legal_entity),
                                    store=shop.store, user=associate_a)

    first = run("expire_carts")
    second = run("expire_carts")

    assert Cart.objects.get(pk=cart.pk).status == Cart.Status.EXPIRED
    assert Cart.objects.get(pk=fresh.pk).status == Cart.Status.OPEN
    assert "Carts expired: 1." in first
    assert "Carts expired: 0." in second


def test_requeue_stale_queues_a_lost_send_again_and_sends_it_once(twilio, sms_thread, associate_a,  # noqa: F811
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():  # stored; its task never reaches a broker
        message = conversation_services.message_send(conversation=sms_thread, sender=associate_a,
                                                     body="Still there?")
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=20))

    with django_capture_on_commit_callbacks(execute=True):
        first = run("requeue_stale")
    with django_capture_on_commit_callbacks(execute=True):
        second = run("requeue_stale")

    assert Message.objects.get(pk=message.pk).status == Message.Status.SENT
    assert [create.form["Body"] for create in twilio.fake.creates] == ["Still there?"]
    assert "queued_messages: Messages still queued, their send queued again: 1" in first
    assert "queued_messages: Messages still queued, their send queued again: 0" in second
    # Every sweep says what it did, each on its line.
    for name in ("bulk_jobs", "queued_messages", "sending_messages", "webhook_events", "payment_events",
                 "import_jobs", "outbound_webhooks"):
        assert f"\n{name}: " in f"\n{first}"


def test_requeue_stale_applies_a_forgotten_payment_event_once(org, django_capture_on_commit_callbacks):
    event = PaymentEvent.objects.create(provider="demo", psp_reference="PSP1", event_code="AUTHORISATION",
                                        kind="payment", merchant_reference="nobody", payload={})
    PaymentEvent.objects.filter(pk=event.pk).update(received_at=timezone.now() - timedelta(minutes=30))

    with django_capture_on_commit_callbacks(execute=True):
        first = run("requeue_stale", "--only", "payment_events")
    with django_capture_on_commit_callbacks(execute=True):
        second = run("requeue_stale", "--only", "payment_events")

    event.refresh_from_db()
    assert event.processed_at is not None and event.outcome == "unknown reference"
    assert "payment_events: Payment notifications left unprocessed, queued again: 1" in first
    assert "payment_events: Payment notifications left unprocessed, queued again: 0" in second
    assert "bulk_jobs" not in first  # --only runs that sweep alone


def test_requeue_stale_queues_a_lost_bulk_job_which_runs_once(org, associate_a,
                                                              django_capture_on_commit_callbacks):
    ids = [customer.pk for customer in CustomerFactory.create_batch(2, legal_entity=org["entity"])]
    params = {"action": {"title": "Call back", "due_on": date(2026, 12, 24).isoformat()},
              "selection": {"ids": ids}}
    job = BulkJob.objects.create(action="follow_up", created_by=associate_a, params=params)
    BulkJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=20))

    with django_capture_on_commit_callbacks(execute=True):
        first = run("requeue_stale", "--only", "bulk_jobs")
    second = run("requeue_stale", "--only", "bulk_jobs")

    assert BulkJob.objects.get(pk=job.pk).status == BulkJob.Status.DONE
    assert Task.objects.count() == 2  # one follow-up per customer, made once
    assert "bulk_jobs: Bulk jobs still queued, queued again: 1" in first
    assert "bulk_jobs: Bulk jobs still queued, queued again: 0" in second
    assert "Stale work requeued or settled: 0." in second


def test_requeue_stale_queues_an_import_its_worker_lost_once(org, django_capture_on_commit_callbacks):
    from imports.models import ImportJob

    lost = ImportJob.objects.create(kind="customers", legal_entity=org["entity"], file_name="c.csv",
                                    format_code="atelier", status=ImportJob.Status.RUNNING,
                                    started_at=timezone.now() - timedelta(hours=2))
    busy = ImportJob.objects.create(kind="customers", legal_entity=org["entity"], file_name="d.csv",
                                    format_code="atelier", status=ImportJob.Status.RUNNING,
                                    started_at=timezone.now() - timedelta(minutes=5))

    with django_capture_on_commit_callbacks() as queued:  # the task itself is the imports' to test
        first = run("requeue_stale", "--only", "import_jobs")
    second = run("requeue_stale", "--only", "import_jobs")

    assert len(queued) == 1
    assert ImportJob.objects.get(pk=lost.pk).status == ImportJob.Status.QUEUED
    assert ImportJob.objects.get(pk=busy.pk).status == ImportJob.Status.RUNNING  # still working
    assert "import_jobs: Imports left running by a lost worker, queued again: 1" in first
    assert "import_jobs: Imports left running by a lost worker, queued again: 0" in second
