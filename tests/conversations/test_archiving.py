"""Auto-archiving thresholds, each reached at exactly N days, and the batched sweep."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from clienteling.models import Channel, ConsentState, CustomerConsent
from conversations import services
from conversations.models import ArchivePolicy, Conversation
from conversations.services import sweeps
from conversations.tasks import conversations_archive_due
from tests.factories import CustomerFactory

from .conftest import STORE_A_SMS, set_consent

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def thread_at(org, when, **fields) -> Conversation:
    customer = CustomerFactory(legal_entity=org["entity"])
    thread = services.conversation_get_or_create(customer=customer, store=org["store_a"], channel=Channel.SMS)
    Conversation.objects.filter(pk=thread.pk).update(last_message_at=when, created_at=when, **fields)
    thread.refresh_from_db()
    return thread


def state(thread) -> tuple[str, str]:
    thread.refresh_from_db()
    return thread.status, thread.archive_reason


def test_no_activity_archives_at_exactly_the_threshold(org):
    thread = thread_at(org, T0)
    assert services.conversations_archive_due(now=T0 + timedelta(days=120) - SECOND)["inactive"] == 0
    assert state(thread) == ("open", "")
    assert services.conversations_archive_due(now=T0 + timedelta(days=120))["inactive"] == 1
    assert state(thread) == ("archived", "inactive")


def test_threshold_comes_from_the_policy(org):
    policy = ArchivePolicy.load()
    policy.inactive_days = 30
    policy.save()
    thread = thread_at(org, T0)
    services.conversations_archive_due(now=T0 + timedelta(days=30))
    assert state(thread) == ("archived", "inactive")


def test_opted_out_archives_two_days_after_the_opt_out(org):
    thread = thread_at(org, T0)
    out_at = T0 + timedelta(days=10)
    set_consent(thread.customer, Channel.SMS, ConsentState.OPTED_OUT, CustomerConsent.Source.KEYWORD,
                at=out_at)
    services.conversations_archive_due(now=out_at + timedelta(days=2) - SECOND)
    assert state(thread) == ("open", "")
    services.conversations_archive_due(now=out_at + timedelta(days=2))
    assert state(thread) == ("archived", "opted_out")


def test_opting_out_of_another_channel_does_not_archive(org):
    thread = thread_at(org, T0)
    set_consent(thread.customer, Channel.EMAIL, ConsentState.OPTED_OUT, at=T0)
    services.conversations_archive_due(now=T0 + timedelta(days=3))
    assert state(thread) == ("open", "")


def test_unanswered_opt_in_archives_after_seven_days(org):
    thread = thread_at(org, T0, opt_in_requested_at=T0)
    set_consent(thread.customer, Channel.SMS, ConsentState.REQUESTED, at=T0)
    services.conversations_archive_due(now=T0 + timedelta(days=7) - SECOND)
    assert state(thread) == ("open", "")
    services.conversations_archive_due(now=T0 + timedelta(days=7))
    assert state(thread) == ("archived", "opt_in_unanswered")


def test_an_accepted_opt_in_is_not_archived(org):
    thread = thread_at(org, T0, opt_in_requested_at=T0)
    set_consent(thread.customer, Channel.SMS, ConsentState.OPTED_IN, at=T0 + timedelta(days=1))
    services.conversations_archive_due(now=T0 + timedelta(days=8))
    assert state(thread) == ("open", "")


def test_a_customer_who_answered_without_start_is_not_archived(org, messaging):
    thread = thread_at(org, T0, opt_in_requested_at=T0)
    set_consent(thread.customer, Channel.SMS, ConsentState.REQUESTED, at=T0)
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        services.inbound_receive(store=thread.store, from_number=str(thread.customer.phone),
                                 to_number=STORE_A_SMS, channel=Channel.SMS, body="Who is this?",
                                 media_urls=[], provider_sid="SMq", received_at=timezone.now())
    services.conversations_archive_due(now=T0 + timedelta(days=8))
    assert state(thread) == ("open", "")


def test_the_sweep_works_in_chunks_and_can_run_again(org, monkeypatch):
    monkeypatch.setattr(sweeps, "CHUNK", 2)
    threads = [thread_at(org, T0) for _ in range(5)]
    assert services.conversations_archive_due(now=T0 + timedelta(days=200))["inactive"] == 5
    assert services.conversations_archive_due(now=T0 + timedelta(days=200))["inactive"] == 0
    assert {state(t) for t in threads} == {("archived", "inactive")}


def test_beat_task_archives(org):
    thread = thread_at(org, timezone.now() - timedelta(days=121))
    result = conversations_archive_due.delay().get()
    assert result["inactive"] == 1
    assert state(thread) == ("archived", "inactive")
