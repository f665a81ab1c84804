"""Sending through the real Twilio SDK to the loopback fake: claims, errors, unknown outcomes."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from clienteling.models import Channel, ConsentState, CustomerConsent
from conversations import services
from conversations.models import Message
from conversations.providers import DeliveryReport
from conversations.tasks import message_dispatch, messages_reconcile_unknown

from .conftest import PUBLIC, STORE_A_SMS, STORE_A_WHATSAPP, mapped_template

pytestmark = pytest.mark.django_db


def send(thread, sender, capture, **kwargs) -> Message:
    with capture(execute=True):
        message = services.message_send(conversation=thread, sender=sender, **kwargs)
    message.refresh_from_db()
    return message


def test_sms_is_sent_with_our_id_on_the_status_callback(twilio, sms_thread, associate_a,
                                                         django_capture_on_commit_callbacks):
    message = send(sms_thread, associate_a, django_capture_on_commit_callbacks, body="Hello Claire")
    assert message.status == Message.Status.SENT
    assert message.provider_sid in twilio.fake.messages
    form = twilio.fake.last_create()
    assert (form["To"], form["From"], form["Body"]) == ("+12125550123", STORE_A_SMS, "Hello Claire")
    assert form["StatusCallback"] == f"{PUBLIC}/webhooks/twilio/status/?mid={message.pk}"
    assert twilio.fake.creates[-1].headers["I-Twilio-Idempotency-Token"] == str(message.idempotency_key)


def test_mms_sends_absolute_media_urls(twilio, sms_thread, associate_a, django_capture_on_commit_callbacks):
    send(sms_thread, associate_a, django_capture_on_commit_callbacks, body="Look",
         media_urls=["/media/look.jpg", "https://cdn.example.com/a.png"])
    assert twilio.fake.last_create()["MediaUrl"] == [f"{PUBLIC}/media/look.jpg",
                                                     "https://cdn.example.com/a.png"]


def test_whatsapp_template_goes_through_the_content_api(twilio, whatsapp_thread, associate_a,
                                                         django_capture_on_commit_callbacks):
    template = mapped_template(channel=Channel.WHATSAPP, content_sid="HX" + "a" * 32, category="utility")
    message = send(whatsapp_thread, associate_a, django_capture_on_commit_callbacks, template=template)
    form = twilio.fake.last_create()
    assert form["To"] == "whatsapp:+12125550123"
    assert form["From"] == f"whatsapp:{STORE_A_WHATSAPP}"
    assert form["ContentSid"] == "HX" + "a" * 32
    assert json.loads(form["ContentVariables"]) == {"1": "Claire", "2": "New York"}
    assert "Body" not in form
    assert message.body == "Hi Claire, new arrivals at New York."


def test_rate_limit_20429_is_retried_then_sent(twilio, sms_thread, associate_a,
                                               django_capture_on_commit_callbacks):
    twilio.fake.fail_next(20429, times=2)
    message = send(sms_thread, associate_a, django_capture_on_commit_callbacks, body="Hi")
    assert message.status == Message.Status.SENT
    assert len(twilio.fake.creates) == 3
    assert message.send_attempts == 3


def test_server_errors_give_up_after_the_retries(twilio, sms_thread, associate_a, settings,
                                                 django_capture_on_commit_callbacks):
    settings.TASK_MAX_RETRIES = 2
    twilio.fake.fail_next(20500, times=5)
    message = send(sms_thread, associate_a, django_capture_on_commit_callbacks, body="Hi")
    assert message.status == Message.Status.FAILED
    assert len(twilio.fake.creates) == 3
    assert "Gave up" in message.error_message


def test_21610_marks_the_customer_opted_out(twilio, sms_thread, associate_a, customer_a,
                                            django_capture_on_commit_callbacks):
    twilio.fake.fail_next(21610)
    message = send(sms_thread, associate_a, django_capture_on_commit_callbacks, body="Hi")
    assert (message.status, message.error_code) == (Message.Status.FAILED, "21610")
    assert "STOP" in message.error_message
    consent = CustomerConsent.objects.get(customer=customer_a, channel=Channel.SMS)
    assert (consent.state, consent.source) == (ConsentState.OPTED_OUT, CustomerConsent.Source.PROVIDER)
    assert len(twilio.fake.creates) == 1  # permanent: never retried


@pytest.mark.parametrize("code", ["21211", "21614"])
def test_invalid_or_landline_number_cannot_text(twilio, sms_thread, associate_a, customer_a, code,
                                                django_capture_on_commit_callbacks):
    twilio.fake.fail_next(int(code))
    message = send(sms_thread, associate_a, django_capture_on_commit_callbacks, body="Hi")
    assert (message.status, message.error_code) == (Message.Status.FAILED, code)
    customer_a.refresh_from_db()
    assert customer_a.can_receive_texts is False
    with pytest.raises(services.SendBlocked) as blocked:
        services.message_send(conversation=sms_thread, sender=associate_a, body="Again")
    assert blocked.value.reason_code == "cannot_text"


def test_63016_records_the_window_reason(twilio, whatsapp_thread, associate_a,
                                         django_capture_on_commit_callbacks):
    # Our window says open (the customer wrote), Twilio disagrees: its answer wins, readably.
    whatsapp_thread.last_inbound_at = timezone.now()
    whatsapp_thread.save()
    twilio.fake.fail_next(63016)
    message = send(whatsapp_thread, associate_a, django_capture_on_commit_callbacks, body="Hi")
    assert (message.status, message.error_code) == (Message.Status.FAILED, "63016")
    assert "24-hour window" in message.error_message


def test_a_retried_task_on_a_sent_message_is_a_no_op(twilio, sms_thread, associate_a,
                                                     django_capture_on_commit_callbacks):
    message = send(sms_thread, associate_a, django_capture_on_commit_callbacks, body="Hi")
    assert message_dispatch.delay(message.pk).get() == "noop"
    assert len(twilio.fake.creates) == 1


def test_timeout_after_the_request_left_is_unknown_then_reconciled(twilio, sms_thread, associate_a,
                                                                   django_capture_on_commit_callbacks):
    twilio.fake.hang_next(seconds=10)  # Twilio accepts, the answer never comes (client timeout 2 s)
    message = send(sms_thread, associate_a, django_capture_on_commit_callbacks, body="Hi")
    assert message.status == Message.Status.UNKNOWN
    assert message.provider_sid is None
    assert message_dispatch.delay(message.pk).get() == "noop"  # never resent blindly
    result = messages_reconcile_unknown.delay().get()
    message.refresh_from_db()
    assert result["found"] == 1
    assert message.status == Message.Status.SENT
    assert message.provider_sid in twilio.fake.messages
    assert len(twilio.fake.creates) == 1


def test_unknown_message_not_at_twilio_fails_after_the_delay_without_resending(
        twilio, sms_thread, associate_a, django_capture_on_commit_callbacks):
    twilio.fake.hang_next(seconds=10, accept=False)
    message = send(sms_thread, associate_a, django_capture_on_commit_callbacks, body="Hi")
    assert message.status == Message.Status.UNKNOWN
    assert services.messages_reconcile_unknown()["waiting"] == 1
    later = timezone.now() + timedelta(hours=2)
    assert services.messages_reconcile_unknown(now=later)["given_up"] == 1
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert "not resent" in message.error_message
    assert len(twilio.fake.creates) == 1


def test_a_send_stuck_after_its_worker_died_is_reconciled_not_resent(
        twilio, sms_thread, associate_a, django_capture_on_commit_callbacks):
    # The worker claimed the message and Twilio took it; then the worker died.
    message = send(sms_thread, associate_a, django_capture_on_commit_callbacks, body="Hi")
    sid = message.provider_sid
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENDING, provider_sid=None,
        status_updated_at=timezone.now() - timedelta(minutes=10))
    assert message_dispatch.delay(message.pk).get() == "noop"
    assert services.messages_reconcile_unknown()["found"] == 1
    message.refresh_from_db()
    assert (message.status, message.provider_sid) == (Message.Status.SENT, sid)
    assert len(twilio.fake.creates) == 1


def test_status_callback_with_our_id_settles_an_unknown_send(twilio, sms_thread, associate_a,
                                                             django_capture_on_commit_callbacks):
    twilio.fake.hang_next(seconds=10)
    message = send(sms_thread, associate_a, django_capture_on_commit_callbacks, body="Hi")
    sid = next(iter(twilio.fake.messages))
    report = DeliveryReport(provider_sid=sid, status="delivered", message_id=message.pk)
    assert services.message_status_update(report=report)
    message.refresh_from_db()
    assert (message.status, message.provider_sid) == (Message.Status.DELIVERED, sid)
    assert message.delivered_at is not None


def test_connection_refused_is_transient(twilio, sms_thread, associate_a, settings,
                                         django_capture_on_commit_callbacks):
    settings.TASK_MAX_RETRIES = 1
    twilio.account.api_base_url = "http://127.0.0.1:9"  # discard port: nothing listens
    twilio.account.save()
    message = send(sms_thread, associate_a, django_capture_on_commit_callbacks, body="Hi")
    assert message.status == Message.Status.FAILED
    assert message.error_code == "connection"


def test_demo_provider_records_and_reports_delivered(demo_provider, sms_thread, associate_a,
                                                        django_capture_on_commit_callbacks):
    message = send(sms_thread, associate_a, django_capture_on_commit_callbacks, body="Demo")
    assert message.status == Message.Status.DELIVERED
    assert [r.body for r in demo_provider] == ["Demo"]


def test_the_send_rechecks_consent_when_the_task_runs(demo_provider, sms_thread, associate_a,
                                                      customer_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = services.message_send(conversation=sms_thread, sender=associate_a, body="Hi")
    # The customer texts STOP before the worker picks the message up.
    services.inbound_receive(store=sms_thread.store, from_number="+12125550123", to_number=STORE_A_SMS,
                             channel=Channel.SMS, body="STOP", media_urls=[], provider_sid="SMstop1",
                             received_at=timezone.now())
    for callback in callbacks:
        callback()
    message.refresh_from_db()
    assert (message.status, message.error_code) == (Message.Status.BLOCKED, "opted_out")
    assert demo_provider == []
