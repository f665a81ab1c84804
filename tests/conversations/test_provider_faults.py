"""Twilio misbehaving: every fault on a send or a lookup ends in a recorded state the thread explains.

The real SDK talks to the loopback fake, which injects the faults (tests/fakes/twilio_fake.py).
Each send is run the way a worker runs it (`as_worker`): a retry is scheduled, not run at once,
so the countdown the task asks for is what the test reads.
"""

import html
import re
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from catalog.providers import retry_after_seconds
from conversations import services
from conversations.models import Message
from conversations.providers import ratelimit
from conversations.tasks import message_dispatch
from tests.celery_worker import running_worker, wait_until

pytestmark = pytest.mark.django_db


def queued(thread, sender, capture, body="Hi") -> Message:
    """A message written by an associate; its send task is captured, not run."""
    with capture(execute=False):
        message = services.message_send(conversation=thread, sender=sender, body=body)
    return message


def as_worker(monkeypatch, message_id: int, *, retries: int = 0) -> dict:
    """Run the send task as a worker would (not eagerly); what it scheduled comes back."""
    scheduled = {}

    def schedule(args=None, kwargs=None, countdown=None, **options):
        scheduled.update(args=args, countdown=countdown)

    monkeypatch.setattr(message_dispatch, "apply_async", schedule)
    message_dispatch.push_request(retries=retries, is_eager=False, called_directly=False, args=(message_id,),
                                  kwargs={}, id=f"test-{message_id}-{retries}")
    try:
        scheduled["result"] = message_dispatch.run(message_id)
    except Exception as exc:  # Celery's Retry: the retry was scheduled
        scheduled["raised"] = type(exc).__name__
    finally:
        message_dispatch.pop_request()
    return scheduled


def status_line(client, user, message) -> str:
    """The text under the message's bubble in the thread, as the associate reads it."""
    client.force_login(user)
    page = client.get(reverse("conversations:detail", args=[message.conversation_id])).content.decode()
    bubble = page.split(f'data-message="{message.pk}"', 1)[1]
    meta = re.search(r'class="meta small">(.*?)</div>\s*</div>', bubble, re.DOTALL).group(1)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", meta)).split())


# --- Twilio answers 429 ---------------------------------------------------------------------------


def test_429_stays_queued_with_the_reason_and_is_retried_no_earlier_than_retry_after(
        twilio, sms_thread, associate_a, client, monkeypatch, django_capture_on_commit_callbacks):
    message = queued(sms_thread, associate_a, django_capture_on_commit_callbacks)
    twilio.fake.inject("429", retry_after=7)

    scheduled = as_worker(monkeypatch, message.pk)

    assert (scheduled["raised"], scheduled["countdown"]) == ("Retry", 7.0)
    message.refresh_from_db()
    assert (message.status, message.error_code) == (Message.Status.QUEUED, "20429")
    assert status_line(client, associate_a, message).endswith(
        "Queued Will retry: Twilio is rate limiting requests.")
    assert as_worker(monkeypatch, message.pk, retries=1)["result"] == "sent"
    message.refresh_from_db()
    assert (message.status, message.error_message) == (Message.Status.SENT, "")
    assert len(twilio.fake.creates) == 2


def test_retry_after_as_an_http_date_is_read_as_seconds():
    later = timezone.now() + timedelta(seconds=90)
    assert 85 <= retry_after_seconds(later.strftime("%a, %d %b %Y %H:%M:%S GMT")) <= 91
    assert retry_after_seconds("2.5") == 2.5
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_a_retry_waits_for_the_senders_rate_too(twilio, sms_thread, associate_a, settings, monkeypatch,
                                                django_capture_on_commit_callbacks):
    # One text every 20 s from this number; Twilio asks for 1 s only.
    settings.MESSAGING_SEND_RATE_PER_SECOND, settings.MESSAGING_SEND_BURST = 0.05, 1
    monkeypatch.setattr(ratelimit, "_limiter", ratelimit.LocalTokenBucket())
    monkeypatch.setattr(ratelimit, "_limiter_url", settings.REDIS_URL)
    message = queued(sms_thread, associate_a, django_capture_on_commit_callbacks)
    twilio.fake.inject("429", retry_after=1)
    assert as_worker(monkeypatch, message.pk)["countdown"] == 1.0

    again = as_worker(monkeypatch, message.pk, retries=1)  # the retry, when it comes due

    assert again["result"] == "rate_limited"
    assert 1.0 < again["countdown"] <= 20.0  # handed back to the queue for the bucket to refill
    assert len(twilio.fake.creates) == 1  # nothing reached Twilio ahead of the rate
    message.refresh_from_db()
    assert (message.status, message.send_attempts) == (Message.Status.QUEUED, 1)


# --- Twilio answers 500 ---------------------------------------------------------------------------


def test_500_is_retried_then_fails_with_the_reason(twilio, sms_thread, associate_a, client, settings,
                                                   django_capture_on_commit_callbacks):
    settings.TASK_MAX_RETRIES = 2
    twilio.fake.inject("500", times=3)
    with django_capture_on_commit_callbacks(execute=True):
        message = services.message_send(conversation=sms_thread, sender=associate_a, body="Hi")
    message.refresh_from_db()
    assert (message.status, message.error_code, message.send_attempts) == (Message.Status.FAILED, "20500", 3)
    assert len(twilio.fake.creates) == 3
    assert status_line(client, associate_a, message).endswith(
        "Failed Gave up after repeated errors: Twilio had an internal server error.")


# --- the request left, the answer did not come back --------------------------------------------


def test_timeout_after_the_request_left_is_unknown_and_never_resent(twilio, sms_thread, associate_a, client,
                                                                    monkeypatch,
                                                                    django_capture_on_commit_callbacks):
    message = queued(sms_thread, associate_a, django_capture_on_commit_callbacks)
    twilio.fake.inject("timeout", delay=10)  # Twilio took it; the client gives up after 2 s

    assert as_worker(monkeypatch, message.pk)["result"] == "unknown"

    message.refresh_from_db()
    assert (message.status, message.error_code) == (Message.Status.UNKNOWN, "timeout")
    assert message.provider_sid is None
    assert "Outcome unknown No answer from Twilio after the message left" in status_line(client, associate_a,
                                                                                          message)
    assert as_worker(monkeypatch, message.pk, retries=1)["result"] == "noop"
    assert services.messages_reconcile_unknown()["found"] == 1
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.provider_sid in twilio.fake.messages
    assert len(twilio.fake.creates) == 1


def test_an_unreadable_2xx_is_unknown_then_found_not_resent(twilio, sms_thread, associate_a, client,
                                                            monkeypatch, django_capture_on_commit_callbacks):
    # A 2xx says Twilio accepted the message; without its SID a resend could text the customer
    # twice, so the outcome is unknown until the status callback or a lookup settles it.
    message = queued(sms_thread, associate_a, django_capture_on_commit_callbacks)
    twilio.fake.inject("malformed")

    assert as_worker(monkeypatch, message.pk)["result"] == "unknown"

    message.refresh_from_db()
    assert (message.status, message.error_code) == (Message.Status.UNKNOWN, "bad_response")
    assert status_line(client, associate_a, message).endswith(
        "Outcome unknown Twilio accepted the message but its answer could not be read: "
        "waiting for Twilio to report on it.")
    assert as_worker(monkeypatch, message.pk, retries=1)["result"] == "noop"
    assert services.messages_reconcile_unknown()["found"] == 1
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.provider_sid in twilio.fake.messages
    assert len(twilio.fake.creates) == 1


def test_slow_but_within_the_timeout_is_sent_once(twilio, sms_thread, associate_a, monkeypatch,
                                                  django_capture_on_commit_callbacks):
    message = queued(sms_thread, associate_a, django_capture_on_commit_callbacks)
    twilio.fake.inject("slow", delay=0.5)
    started = time.monotonic()
    assert as_worker(monkeypatch, message.pk)["result"] == "sent"
    assert time.monotonic() - started >= 0.5
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.provider_sid in twilio.fake.messages
    assert len(twilio.fake.creates) == 1


def test_an_unexpected_error_in_the_provider_leaves_no_message_sending(twilio, sms_thread, associate_a,
                                                                       monkeypatch,
                                                                       django_capture_on_commit_callbacks):
    from conversations.providers.twilio import TwilioProvider

    message = queued(sms_thread, associate_a, django_capture_on_commit_callbacks)

    def broken(self, message):
        raise KeyError("sid")

    monkeypatch.setattr(TwilioProvider, "send", broken)
    with pytest.raises(KeyError):
        services.message_dispatch(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.error_code) == (Message.Status.UNKNOWN, "error")
    assert "checking with the provider" in message.error_message


# --- the lookup that settles unknown outcomes --------------------------------------------------


@pytest.mark.parametrize("kind", ["429", "500", "malformed", "timeout"])
def test_a_failed_lookup_leaves_the_message_unknown_for_the_next_sweep(kind, twilio, sms_thread, associate_a,
                                                                       monkeypatch,
                                                                       django_capture_on_commit_callbacks):
    message = queued(sms_thread, associate_a, django_capture_on_commit_callbacks)
    twilio.fake.inject("malformed")  # accepted, answer unreadable: UNKNOWN at once
    as_worker(monkeypatch, message.pk)
    twilio.fake.inject(kind, on="list", retry_after=1, delay=10)

    assert services.messages_reconcile_unknown()["lookup_failed"] == 1

    message.refresh_from_db()
    assert message.status == Message.Status.UNKNOWN
    assert services.messages_reconcile_unknown()["found"] == 1
    assert len(twilio.fake.creates) == 1


# --- through a real worker ----------------------------------------------------------------------

@pytest.fixture
def worker_env(monkeypatch, settings):
    # The worker reads its settings from the environment, not from this process.
    monkeypatch.setenv("MESSAGING_SMS_PROVIDER", "twilio")
    monkeypatch.setenv("PUBLIC_BASE_URL", settings.PUBLIC_BASE_URL)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis")
@pytest.mark.usefixtures("worker_env")
def test_a_worker_waits_out_retry_after_then_retries_a_500_and_sends_once(twilio, sms_thread, associate_a):
    twilio.fake.inject("429", retry_after=2)
    twilio.fake.inject("500")
    with running_worker():
        message = services.message_send(conversation=sms_thread, sender=associate_a, body="Hi")
        assert wait_until(lambda: Message.objects.get(pk=message.pk).status == Message.Status.SENT,
                          timeout=30)
    first, second, third = twilio.fake.creates
    assert second.at - first.at >= 2.0  # not before Twilio's Retry-After
    assert third.at >= second.at
    message.refresh_from_db()
    assert message.send_attempts == 3 and message.provider_sid in twilio.fake.messages
