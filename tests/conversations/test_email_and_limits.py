"""Email through a real SMTP server on loopback; the per-sender token bucket; admin test message."""

import time
import uuid

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from clienteling.models import Channel
from conversations import services
from conversations.models import Message
from conversations.providers import ratelimit
from tests.fakes.smtp import FakeSMTP

from .conftest import STORE_A_SMS

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    server = FakeSMTP().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.MESSAGING_PROVIDERS = {"sms": "demo", "whatsapp": "demo", "email": "email"}
    settings.MESSAGING_EMAIL_FROM = "clienteling@atelier.example.com"
    yield server
    server.stop()


@pytest.fixture
def email_thread(org, customer_a, associate_a):
    return services.conversation_get_or_create(customer=customer_a, store=org["store_a"],
                                               channel=Channel.EMAIL)


def send(thread, sender, capture, **kwargs):
    with capture(execute=True):
        message = services.message_send(conversation=thread, sender=sender, **kwargs)
    message.refresh_from_db()
    return message


def test_email_is_delivered_over_smtp(smtp, email_thread, associate_a, django_capture_on_commit_callbacks):
    message = send(email_thread, associate_a, django_capture_on_commit_callbacks, body="Your order is in.",
                   media_urls=["https://cdn.example.com/look.jpg"])
    assert message.status == Message.Status.SENT
    assert message.provider_sid == f"email:{message.idempotency_key.hex}"
    received = smtp.messages[0]
    assert received["To"] == "claire@example.com"
    assert received["From"] == "New York <clienteling@atelier.example.com>"
    assert received["Subject"] == "A message from New York"
    assert received["Message-ID"] == f"<{message.idempotency_key}@atelier>"
    assert "https://cdn.example.com/look.jpg" in received.get_content()


def test_refused_recipient_is_permanent(smtp, email_thread, associate_a, django_capture_on_commit_callbacks):
    smtp.handler.reject_rcpt = "550 5.1.1 No such user"
    message = send(email_thread, associate_a, django_capture_on_commit_callbacks, body="Hi")
    assert (message.status, message.error_code) == (Message.Status.FAILED, "rcpt_refused")
    assert smtp.messages == []


def test_temporary_smtp_failure_is_retried(smtp, email_thread, associate_a, settings,
                                           django_capture_on_commit_callbacks):
    settings.TASK_MAX_RETRIES = 1
    smtp.handler.reject_data = "451 4.3.0 Try again later"
    message = send(email_thread, associate_a, django_capture_on_commit_callbacks, body="Hi")
    assert (message.status, message.error_code, message.send_attempts) == (Message.Status.FAILED, "451", 2)


def test_an_unreachable_mail_server_is_transient(settings, email_thread, associate_a,
                                                 django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    settings.MESSAGING_PROVIDERS = {"email": "email"}
    settings.TASK_MAX_RETRIES = 0
    message = send(email_thread, associate_a, django_capture_on_commit_callbacks, body="Hi")
    assert (message.status, message.error_code) == (Message.Status.FAILED, "connection")


# --- rate limit ------------------------------------------------------------------------


def test_local_bucket_spaces_sends():
    bucket = ratelimit.LocalTokenBucket()
    assert bucket.acquire("sms:+1", rate=2, capacity=1) == 0
    wait = bucket.acquire("sms:+1", rate=2, capacity=1)
    assert 0.4 < wait <= 0.5
    assert bucket.acquire("sms:+2", rate=2, capacity=1) == 0  # per sender


@pytest.mark.skipif(not django_settings.REDIS_URL, reason="needs Redis")
def test_redis_bucket_is_shared_by_every_client():
    key = f"test-{uuid.uuid4().hex}"
    first, second = (ratelimit.RedisTokenBucket(django_settings.REDIS_URL) for _ in range(2))
    assert first.acquire(key, rate=5, capacity=2) == 0
    assert second.acquire(key, rate=5, capacity=2) == 0
    wait = first.acquire(key, rate=5, capacity=2)  # the bucket both share is empty
    assert 0 < wait <= 0.2
    time.sleep(wait)
    assert second.acquire(key, rate=5, capacity=2) == 0


def test_a_rate_limited_send_waits_for_its_turn(twilio, sms_thread, associate_a, settings,
                                                django_capture_on_commit_callbacks):
    settings.MESSAGING_SEND_RATE_PER_SECOND = 4
    settings.REDIS_URL = ""  # the process-local bucket
    ratelimit._limiter = None
    started = time.monotonic()
    for n in range(3):
        send(sms_thread, associate_a, django_capture_on_commit_callbacks, body=f"m{n}")
    assert time.monotonic() - started >= 0.45  # 3 sends at 4/s after the first token
    assert len(twilio.fake.creates) == 3
    ratelimit._limiter = None


def test_a_rate_limited_batch_hands_the_rest_back_to_the_queue(twilio, sms_thread, associate_a, settings,
                                                                monkeypatch):
    from conversations import tasks

    settings.MESSAGING_SEND_RATE_PER_SECOND, settings.MESSAGING_SEND_BURST = 2, 1
    settings.REDIS_URL = ""  # the process-local bucket
    ratelimit._limiter = None
    ids = [Message.objects.create(conversation=sms_thread, direction=Message.Direction.OUTBOUND, body=f"m{n}",
                                  status=Message.Status.QUEUED).pk for n in range(5)]
    handed_back = []
    monkeypatch.setattr(tasks.messages_dispatch, "apply_async",
                        lambda args, countdown: handed_back.append((args, countdown)))
    started = time.monotonic()

    assert tasks.messages_dispatch(ids) == 1  # as a worker runs it: the first token, then the queue waits

    assert time.monotonic() - started < 0.4  # not 2 s asleep in the worker for the other four
    [(args, countdown)] = handed_back
    assert args == (ids[1:],) and 0.3 < countdown <= 0.5
    assert len(twilio.fake.creates) == 1
    assert Message.objects.filter(pk__in=ids[1:], status=Message.Status.QUEUED).count() == 4
    ratelimit._limiter = None


# --- admin -----------------------------------------------------------------------------


def test_admin_sends_a_test_message(client, company_admin, twilio, org, messaging):
    client.force_login(company_admin)
    changelist = reverse("admin:conversations_twilioaccount_changelist")
    page = client.post(changelist, {"action": "send_test_message", "_selected_action": [twilio.account.pk]})
    assert page.status_code == 200 and "Send to" in page.content.decode()
    response = client.post(changelist, {
        "action": "send_test_message", "_selected_action": [twilio.account.pk], "apply": "1",
        "to": "+12125550177", "channel": "sms", "store": org["store_a"].pk}, follow=True)
    assert "test message sent (SM" in response.content.decode()
    form = twilio.fake.last_create()
    assert (form["To"], form["From"]) == ("+12125550177", STORE_A_SMS)


def test_admin_test_message_reports_a_twilio_error(client, company_admin, twilio, org, messaging):
    twilio.fake.fail_next(21211)
    client.force_login(company_admin)
    response = client.post(reverse("admin:conversations_twilioaccount_changelist"), {
        "action": "send_test_message", "_selected_action": [twilio.account.pk], "apply": "1",
        "to": "+12125550177", "channel": "sms", "store": org["store_a"].pk}, follow=True)
    assert "not a valid phone number" in response.content.decode()
