"""Twilio webhooks through the test client: signatures, replays, keywords, status order."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clienteling.models import Channel, ConsentState, Customer, CustomerConsent, CustomerContactHistory, Shift
from conversations import selectors, services
from conversations.models import Conversation, Message, WebhookEvent
from tests.factories import CustomerFactory, make_staff

from .conftest import PUBLIC, STORE_A_SMS, STORE_A_WHATSAPP, post_signed, sign

pytestmark = pytest.mark.django_db
INBOUND = "/webhooks/twilio/messages/"
STATUS = "/webhooks/twilio/status/"
_sids = iter(range(1, 10_000))


def inbound(body="Hello", sender="+13105550199", to=STORE_A_SMS, **extra) -> dict:
    return {"MessageSid": f"SM{next(_sids):032d}", "AccountSid": "AC" + "f" * 32, "From": sender,
            "To": to, "Body": body, "NumMedia": "0", **extra}


def deliver(client, twilio, params, capture, path=INBOUND):
    with capture(execute=True):
        response = post_signed(client, path, params, twilio.fake.auth_token)
    return response


# --- signatures ------------------------------------------------------------------------


def test_unsigned_request_is_refused_and_changes_nothing(client, twilio, messaging):
    response = client.post(INBOUND, inbound())
    assert response.status_code == 403
    assert not WebhookEvent.objects.exists() and not Message.objects.exists()


def test_signature_with_another_token_is_refused(client, twilio, messaging):
    params = inbound()
    response = client.post(INBOUND, params, HTTP_X_TWILIO_SIGNATURE=sign(INBOUND, params, "other-token"))
    assert response.status_code == 403
    assert not WebhookEvent.objects.exists()


def test_signature_over_the_internal_url_is_refused_behind_the_proxy(client, twilio, messaging):
    params = inbound()
    signature = sign(INBOUND, params, twilio.fake.auth_token, base="http://testserver")
    assert client.post(INBOUND, params, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 403


def json_signed(path: str, body: bytes, token: str) -> tuple[str, str]:
    """What Twilio does for a JSON body: its SHA-256 goes in the URL, and the URL is signed."""
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(token)
    path_with_hash = f"{path}?bodySHA256={validator.compute_hash(body.decode())}"
    return path_with_hash, validator.compute_signature(PUBLIC + path_with_hash, {})


def test_a_json_webhook_is_checked_against_its_raw_body(client, twilio, messaging,
                                                        django_capture_on_commit_callbacks):
    import json

    body = json.dumps(inbound(body="Sent as JSON")).encode()
    path, signature = json_signed(INBOUND, body, twilio.fake.auth_token)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, body, content_type="application/json",
                               HTTP_X_TWILIO_SIGNATURE=signature)

    assert response.status_code == 200
    assert Message.objects.get().body == "Sent as JSON"


def test_a_json_webhook_with_a_changed_body_is_refused(client, twilio, messaging):
    import json

    body = json.dumps(inbound(body="Original")).encode()
    path, signature = json_signed(INBOUND, body, twilio.fake.auth_token)
    changed = body.replace(b"Original", b"Changed!")

    response = client.post(path, changed, content_type="application/json", HTTP_X_TWILIO_SIGNATURE=signature)

    assert response.status_code == 403
    assert not WebhookEvent.objects.exists()


def test_a_json_webhook_without_its_body_hash_is_refused(client, twilio, messaging):
    from twilio.request_validator import RequestValidator

    body = b'{"MessageSid": "SM1", "Body": "x"}'
    signature = RequestValidator(twilio.fake.auth_token).compute_signature(PUBLIC + INBOUND, {})

    response = client.post(INBOUND, body, content_type="application/json", HTTP_X_TWILIO_SIGNATURE=signature)

    assert response.status_code == 403


def test_tampered_body_is_refused(client, twilio, messaging):
    params = inbound()
    signature = sign(INBOUND, params, twilio.fake.auth_token)
    response = client.post(INBOUND, {**params, "Body": "changed"}, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 403


# --- inbound ---------------------------------------------------------------------------


def test_first_message_from_an_unknown_number_creates_one_prospect(client, twilio, org, messaging,
                                                                   django_capture_on_commit_callbacks):
    params = inbound("Do you have the bag in blue?")
    response = deliver(client, twilio, params, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.decode().endswith("<Response/>")
    deliver(client, twilio, params, django_capture_on_commit_callbacks)  # Twilio retries
    prospect = Customer.objects.get(phone="+13105550199")
    assert (prospect.is_prospect, prospect.legal_entity, prospect.home_store) == (
        True, org["entity"], org["store_a"])
    conversation = Conversation.objects.get(customer=prospect)
    assert (conversation.store, conversation.channel, conversation.assigned_to) == (
        org["store_a"], Channel.SMS, None)
    assert conversation.unread_count == 1
    assert conversation.last_message_preview == "Do you have the bag in blue?"
    assert WebhookEvent.objects.count() == 1
    message = Message.objects.get()
    assert (message.direction, message.status, message.provider_sid) == (
        "in", Message.Status.RECEIVED, params["MessageSid"])
    assert CustomerContactHistory.objects.get(customer=prospect).last_text_inbound is True


def test_inbound_is_idempotent_on_the_provider_id_even_without_the_event(twilio, org, messaging):
    kwargs = {"store": org["store_a"], "from_number": "+13105550199", "to_number": STORE_A_SMS,
              "channel": Channel.SMS, "body": "hi", "media_urls": [], "provider_sid": "SMdup",
              "received_at": timezone.now()}
    first = services.inbound_receive(**kwargs)
    assert services.inbound_receive(**kwargs) == first
    assert Customer.objects.filter(phone="+13105550199").count() == 1


def test_a_known_customer_is_found_in_the_store_legal_entity(client, twilio, org, messaging, customer_a,
                                                             associate_a, django_capture_on_commit_callbacks):
    # Same number in another legal entity: not the customer this store knows.
    CustomerFactory(legal_entity=org["other_entity"], phone=customer_a.phone)
    deliver(client, twilio, inbound("Hi Alex", sender=str(customer_a.phone)),
            django_capture_on_commit_callbacks)
    conversation = Conversation.objects.get()
    assert conversation.customer == customer_a
    assert conversation.assigned_to == associate_a  # the primary salesperson works in the store
    assert not Customer.objects.filter(is_prospect=True).exists()


def test_media_is_stored_as_links(client, twilio, messaging, django_capture_on_commit_callbacks):
    base = f"https://api.twilio.com/2010-04-01/Accounts/{twilio.fake.account_sid}/Messages/MM1/Media"
    deliver(client, twilio, inbound("", NumMedia="2", MediaUrl0=f"{base}/ME1", MediaUrl1=f"{base}/ME2",
                                    MediaContentType0="image/jpeg", MediaContentType1="image/png"),
            django_capture_on_commit_callbacks)
    message = Message.objects.get()
    assert message.media_urls == [f"{base}/ME1", f"{base}/ME2"]
    assert message.conversation.last_message_preview == "Image"
    content_type, data = services.media_fetch(conversation=message.conversation, url=message.media_urls[0])
    assert content_type == "image/png" and data.startswith(b"\x89PNG")
    assert twilio.fake.requests[-1].headers["Authorization"].startswith("Basic ")


def test_media_fetch_never_sends_credentials_elsewhere(twilio, sms_thread):
    with pytest.raises(Exception, match="not a Twilio link"):
        services.media_fetch(conversation=sms_thread, url="https://evil.example.com/steal")


def test_whatsapp_message_opens_the_window(client, twilio, messaging, customer_a,
                                           django_capture_on_commit_callbacks):
    deliver(client, twilio, inbound("Hi", sender="whatsapp:+12125550123", to=f"whatsapp:{STORE_A_WHATSAPP}"),
            django_capture_on_commit_callbacks)
    conversation = Conversation.objects.get()
    assert conversation.channel == Channel.WHATSAPP
    assert selectors.window_open(conversation)


def test_an_inbound_message_brings_an_archived_thread_back_to_the_top(
        client, twilio, org, messaging, customer_a, associate_a, django_capture_on_commit_callbacks):
    old = services.conversation_get_or_create(customer=customer_a, store=org["store_a"], channel=Channel.SMS)
    Conversation.objects.filter(pk=old.pk).update(last_message_at=timezone.now() - timedelta(days=200))
    services.conversation_archive(conversation=old, by=associate_a)
    other = services.conversation_get_or_create(customer=CustomerFactory(legal_entity=org["entity"]),
                                                store=org["store_a"], channel=Channel.SMS, user=associate_a)
    Conversation.objects.filter(pk=other.pk).update(last_message_at=timezone.now())
    deliver(client, twilio, inbound("I'm back", sender=str(customer_a.phone)),
            django_capture_on_commit_callbacks)
    old.refresh_from_db()
    assert (old.status, old.archive_reason, old.archived_at) == (Conversation.Status.OPEN, "", None)
    from conversations import selectors

    assert list(selectors.my_inbox(user=associate_a))[0] == old
    assert list(selectors.store_inbox(user=associate_a, store=org["store_a"]))[0] == old


# --- keywords --------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["STOP", " stop ", "Stop", "STOPALL", "unsubscribe", "Cancel", "END",
                                  "quit\n"])
def test_stop_keywords_opt_out_in_any_case(client, twilio, messaging, customer_a, word,
                                           django_capture_on_commit_callbacks):
    deliver(client, twilio, inbound(word, sender=str(customer_a.phone)), django_capture_on_commit_callbacks)
    consent = CustomerConsent.objects.get(customer=customer_a, channel=Channel.SMS)
    assert (consent.state, consent.source, consent.detail) == (
        ConsentState.OPTED_OUT, CustomerConsent.Source.KEYWORD, word.strip().upper())
    assert consent.changed_at is not None
    assert CustomerContactHistory.objects.get(customer=customer_a).sms_consent == ConsentState.OPTED_OUT


@pytest.mark.parametrize("word", ["START", " yes ", "Unstop"])
def test_start_keywords_opt_in(client, twilio, messaging, customer_a, word,
                               django_capture_on_commit_callbacks):
    deliver(client, twilio, inbound("STOP", sender=str(customer_a.phone)), django_capture_on_commit_callbacks)
    deliver(client, twilio, inbound(word, sender=str(customer_a.phone)), django_capture_on_commit_callbacks)
    consent = CustomerConsent.objects.get(customer=customer_a, channel=Channel.SMS)
    assert (consent.state, consent.detail) == (ConsentState.OPTED_IN, word.strip().upper())


def test_a_sentence_containing_stop_is_not_a_keyword(client, twilio, messaging, customer_a,
                                                     django_capture_on_commit_callbacks):
    deliver(client, twilio, inbound("Please don't stop the sale", sender=str(customer_a.phone)),
            django_capture_on_commit_callbacks)
    assert not CustomerConsent.objects.exists()


@pytest.mark.parametrize("word", ["HELP", "  help  ", "Help", "INFO", "info"])
def test_help_gets_the_store_help_text(client, twilio, messaging, customer_a, word,
                                       django_capture_on_commit_callbacks):
    messaging["store_a"].help_text = "Atelier New York: call 212 555 0100. Reply STOP to opt out."
    messaging["store_a"].save()
    deliver(client, twilio, inbound(word, sender=str(customer_a.phone)), django_capture_on_commit_callbacks)
    assert twilio.fake.last_create()["Body"] == messaging["store_a"].help_text
    assert twilio.fake.last_create()["To"] == str(customer_a.phone)


# --- status callbacks ------------------------------------------------------------------


@pytest.fixture
def sent_message(twilio, sms_thread, associate_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.message_send(conversation=sms_thread, sender=associate_a, body="Hi")
    message.refresh_from_db()
    return message


def status(message, value, **extra):
    return {"MessageSid": message.provider_sid, "MessageStatus": value,
            "AccountSid": "AC" + "f" * 32, **extra}


def status_path(message):
    return f"{STATUS}?mid={message.pk}"


def test_delivered_stays_delivered_when_a_late_sent_arrives(client, twilio, sent_message,
                                                            django_capture_on_commit_callbacks):
    for value in ("delivered", "sent", "queued"):
        response = deliver(client, twilio, status(sent_message, value), django_capture_on_commit_callbacks,
                           path=status_path(sent_message))
        assert response.status_code == 200
    sent_message.refresh_from_db()
    assert sent_message.status == Message.Status.DELIVERED
    deliver(client, twilio, status(sent_message, "read"), django_capture_on_commit_callbacks,
            path=status_path(sent_message))
    sent_message.refresh_from_db()
    assert sent_message.status == Message.Status.READ
    assert WebhookEvent.objects.filter(kind="status").count() == 4
    assert not WebhookEvent.objects.filter(processed_at__isnull=True).exists()


def test_a_replayed_status_is_recorded_once(client, twilio, sent_message, django_capture_on_commit_callbacks):
    for _ in range(3):
        deliver(client, twilio, status(sent_message, "delivered"), django_capture_on_commit_callbacks,
                path=status_path(sent_message))
    assert WebhookEvent.objects.filter(kind="status").count() == 1


def test_undelivered_records_a_readable_reason(client, twilio, sent_message,
                                               django_capture_on_commit_callbacks):
    deliver(client, twilio, status(sent_message, "undelivered", ErrorCode="30007"),
            django_capture_on_commit_callbacks, path=status_path(sent_message))
    sent_message.refresh_from_db()
    assert (sent_message.status, sent_message.error_code) == (Message.Status.UNDELIVERED, "30007")
    assert "spam" in sent_message.error_message
    deliver(client, twilio, status(sent_message, "delivered"), django_capture_on_commit_callbacks,
            path=status_path(sent_message))
    sent_message.refresh_from_db()
    assert sent_message.status == Message.Status.UNDELIVERED  # terminal


def test_failed_21610_callback_opts_the_customer_out(client, twilio, sent_message, customer_a,
                                                     django_capture_on_commit_callbacks):
    deliver(client, twilio, status(sent_message, "failed", ErrorCode="21610"),
            django_capture_on_commit_callbacks, path=status_path(sent_message))
    consent = CustomerConsent.objects.get(customer=customer_a, channel=Channel.SMS)
    assert consent.state == ConsentState.OPTED_OUT


def test_status_for_an_unknown_message_is_answered_200(client, twilio, messaging, caplog,
                                                       django_capture_on_commit_callbacks):
    params = {"MessageSid": "SM" + "9" * 32, "MessageStatus": "delivered"}
    with caplog.at_level("INFO", logger="conversations"):
        response = deliver(client, twilio, params, django_capture_on_commit_callbacks, path=STATUS)
    assert response.status_code == 200
    assert "unknown message" in caplog.text
    assert WebhookEvent.objects.get().processed_at is not None


# --- assignment ------------------------------------------------------------------------


def test_round_robin_among_associates_on_shift(client, twilio, org, messaging, associate_a,
                                               django_capture_on_commit_callbacks):
    from clienteling.models import StaffProfile

    colleague = make_staff(StaffProfile.Role.ASSOCIATE, org["store_a"], username="colleague.a")
    away = make_staff(StaffProfile.Role.ASSOCIATE, org["store_a"], username="away.a")
    now = timezone.now()
    for user in (associate_a, colleague):
        Shift.objects.create(store=org["store_a"], staff=user, starts_at=now - timedelta(hours=1),
                             ends_at=now + timedelta(hours=3))
    Shift.objects.create(store=org["store_a"], staff=away, starts_at=now + timedelta(hours=5),
                         ends_at=now + timedelta(hours=9))
    messaging["store_a"].round_robin_enabled = True
    messaging["store_a"].save()
    for number in ("+13105550001", "+13105550002", "+13105550003"):
        deliver(client, twilio, inbound("Hi", sender=number), django_capture_on_commit_callbacks)
    assigned = list(Conversation.objects.order_by("pk").values_list("assigned_to", flat=True))
    assert sorted(assigned[:2]) == sorted([associate_a.pk, colleague.pk])
    assert assigned[2] == assigned[0]
    assert away.pk not in assigned


def test_without_round_robin_a_stranger_lands_unassigned(client, twilio, org, messaging, associate_a,
                                                         django_capture_on_commit_callbacks):
    now = timezone.now()
    Shift.objects.create(store=org["store_a"], staff=associate_a, starts_at=now - timedelta(hours=1),
                         ends_at=now + timedelta(hours=1))
    deliver(client, twilio, inbound("Hi"), django_capture_on_commit_callbacks)
    assert Conversation.objects.get().assigned_to is None


def test_a_token_rotated_in_the_admin_is_honoured_at_once(client, twilio, messaging, company_admin,
                                                          django_capture_on_commit_callbacks):
    deliver(client, twilio, inbound("first"), django_capture_on_commit_callbacks)  # caches the token
    admin = Client()
    admin.force_login(company_admin)
    admin.post(reverse("admin:conversations_twilioaccount_change", args=[twilio.account.pk]), {
        "name": "Main", "account_sid": twilio.account.account_sid, "auth_token": "rotated-token-456",
        "api_base_url": twilio.account.api_base_url, "active": "on"})
    params = inbound("second")
    assert post_signed(client, INBOUND, params, twilio.fake.auth_token).status_code == 403
    assert post_signed(client, INBOUND, params, "rotated-token-456").status_code == 200


def test_an_event_whose_task_was_lost_is_queued_again(client, twilio, messaging, monkeypatch,
                                                      django_capture_on_commit_callbacks):
    from conversations import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("redis is away")

    monkeypatch.setattr(tasks.webhook_events_drain, "delay", broker_down)
    response = deliver(client, twilio, inbound("Hello?"), django_capture_on_commit_callbacks)
    assert response.status_code == 200  # recorded; Twilio must not retry
    event = WebhookEvent.objects.get()
    assert event.processed_at is None and not Message.objects.exists()
    monkeypatch.undo()
    later = timezone.now() + timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.webhook_events_requeue_stale(now=later) == 1
    event.refresh_from_db()
    assert event.processed_at is not None
    assert Message.objects.get().body == "Hello?"


def test_a_provider_without_webhooks_refuses_one_and_keeps_no_images(rf):
    from conversations.providers import PermanentError, provider_by_name
    from conversations.webhooks import webhook_record

    request = rf.post("/webhooks/demo/", {"MessageSid": "SM" + "1" * 32, "Body": "STOP"})
    assert webhook_record(request, provider_name="demo", kind="inbound").status_code == 403
    assert not WebhookEvent.objects.exists()
    with pytest.raises(PermanentError) as refused:
        provider_by_name("demo").media_fetch(url="https://example.com/image.jpg")
    assert refused.value.code == "no_media"
