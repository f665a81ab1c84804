"""Meta's webhooks through the shared pipeline: the handshake, signatures, statuses, inbound messages.

Signed as Meta signs them (X-Hub-Signature-256 over the raw body with the app secret), recorded
once per message and status, and applied by the same drains as Twilio's.
"""

import pytest
from django.utils import timezone

from clienteling.models import Channel, ConsentState, CustomerConsent
from conversations import services
from conversations.models import Conversation, Message, WebhookEvent
from tests.fakes.twilio_fake import PNG

from .conftest import STORE_A_WHATSAPP
from .meta_support import WEBHOOK, post_meta, running_meta

pytestmark = pytest.mark.django_db
NEW_NUMBER = "+13105550199"


@pytest.fixture
def meta(settings, db):
    with running_meta(settings) as found:
        yield found


def sent_message(thread, associate, capture) -> Message:
    thread.last_inbound_at = timezone.now()
    thread.save(update_fields=["last_inbound_at"])
    with capture(execute=True):
        message = services.message_send(conversation=thread, sender=associate, body="The coat is in")
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    return message


# --- the verification handshake ------------------------------------------------------------


def test_the_handshake_echoes_the_challenge_for_the_right_verify_token(client, meta):
    response = client.get(WEBHOOK, {"hub.mode": "subscribe", "hub.verify_token": meta.fake.verify_token,
                                     "hub.challenge": "1158201444"})
    assert (response.status_code, response.content, response["Content-Type"]) == (
        200, b"1158201444", "text/plain")


@pytest.mark.parametrize("query", [
    {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1158201444"},
    {"hub.mode": "unsubscribe", "hub.verify_token": "atelier-verify-89", "hub.challenge": "1"},
    {"hub.mode": "subscribe", "hub.verify_token": "atelier-verify-89", "hub.challenge": "<script>"},
    {},
])
def test_a_wrong_handshake_is_refused(client, meta, query):
    assert client.get(WEBHOOK, query).status_code == 403


# --- signatures and bodies -------------------------------------------------------------------


def test_a_bad_signature_is_refused_and_stores_nothing(client, meta, messaging):
    payload = meta.fake.inbound_payload(from_=NEW_NUMBER)
    assert post_meta(client, meta.fake, payload, secret="another-secret").status_code == 403
    body, _signature = meta.fake.signed(payload)
    assert client.post(WEBHOOK, body, content_type="application/json").status_code == 403
    assert client.post(WEBHOOK, body, content_type="application/json",
                       HTTP_X_HUB_SIGNATURE_256="sha1=" + "0" * 40).status_code == 403
    assert not WebhookEvent.objects.exists() and not Message.objects.exists()


def test_an_inactive_account_s_secret_no_longer_signs(client, meta, messaging):
    meta.account.active = False
    meta.account.save()
    assert post_meta(client, meta.fake, meta.fake.inbound_payload(from_=NEW_NUMBER)).status_code == 403


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"entry": "nope"}'])
def test_a_malformed_body_is_a_400_and_stores_nothing(client, meta, body):
    response = client.post(WEBHOOK, body, content_type="application/json",
                           HTTP_X_HUB_SIGNATURE_256=meta.fake.sign(body))
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


# --- inbound messages ------------------------------------------------------------------------


def test_an_inbound_text_creates_the_conversation_and_message(client, meta, messaging, org,
                                                              django_capture_on_commit_callbacks):
    payload = meta.fake.inbound_payload(from_=NEW_NUMBER, body="Is the coat in?", name="Ada Byron")
    response = post_meta(client, meta.fake, payload, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 200
    message = Message.objects.get(direction=Message.Direction.INBOUND)
    wamid = payload["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    assert (message.body, message.provider_sid) == ("Is the coat in?", wamid)
    conversation = message.conversation
    assert (conversation.store, conversation.channel) == (org["store_a"], Channel.WHATSAPP)
    customer = conversation.customer
    assert str(customer.phone) == NEW_NUMBER and customer.profile_name == "Ada Byron"
    assert conversation.last_inbound_at is not None
    event = WebhookEvent.objects.get()
    assert (event.provider, event.kind, event.event_id) == ("meta", "inbound", wamid)
    assert event.processed_at is not None


def test_a_replay_is_recorded_once(client, meta, messaging, django_capture_on_commit_callbacks):
    payload = meta.fake.inbound_payload(from_=NEW_NUMBER)
    for _attempt in range(2):
        response = post_meta(client, meta.fake, payload, capture=django_capture_on_commit_callbacks)
        assert response.status_code == 200
    assert WebhookEvent.objects.count() == 1 and Message.objects.count() == 1


def test_an_inbound_image_is_fetched_through_the_graph_media_endpoint(client, meta, messaging, manager,
                                                                     django_capture_on_commit_callbacks):
    payload = meta.fake.inbound_payload(from_=NEW_NUMBER, body="This one?", image_id="1037543291543636")
    post_meta(client, meta.fake, payload, capture=django_capture_on_commit_callbacks)
    message = Message.objects.get(direction=Message.Direction.INBOUND)
    assert message.body == "This one?"
    assert message.media_urls == [
        f"https://graph.facebook.com/1037543291543636?phone_number_id={meta.fake.phone_number_id}"]
    client.force_login(manager)
    response = client.get(f"/conversations/{message.conversation_id}/media/{message.pk}/0/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content == PNG
    paths = [r.path for r in meta.fake.requests if r.method == "GET"]
    assert paths == ["/v21.0/1037543291543636", "/whatsapp_business/attachments/"]
    assert all(r.headers["Authorization"] == f"Bearer {meta.fake.access_token}" for r in meta.fake.requests)


def test_messages_and_statuses_in_one_post_are_recorded_one_by_one(client, meta, whatsapp_thread, associate_a,
                                                                   django_capture_on_commit_callbacks):
    message = sent_message(whatsapp_thread, associate_a, django_capture_on_commit_callbacks)
    inbound = meta.fake.inbound_payload(from_=NEW_NUMBER, body="Thanks")
    statuses = meta.fake.status_payload(meta.fake.status(message.provider_sid, "delivered"),
                                        meta.fake.status(message.provider_sid, "read"))
    inbound["entry"] += statuses["entry"]
    post_meta(client, meta.fake, inbound, capture=django_capture_on_commit_callbacks)
    assert sorted(WebhookEvent.objects.values_list("kind", flat=True)) == ["inbound", "status", "status"]
    message.refresh_from_db()
    assert message.status == Message.Status.READ
    assert Message.objects.filter(direction=Message.Direction.INBOUND, body="Thanks").exists()


# --- statuses --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["sent", "delivered", "read"])
def test_a_status_moves_the_message_up(client, meta, whatsapp_thread, associate_a, status,
                                       django_capture_on_commit_callbacks):
    message = sent_message(whatsapp_thread, associate_a, django_capture_on_commit_callbacks)
    post_meta(client, meta.fake, meta.fake.status_payload(meta.fake.status(message.provider_sid, status)),
              capture=django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert message.status == status
    # An older status arriving late never moves it back.
    post_meta(client, meta.fake, meta.fake.status_payload(meta.fake.status(message.provider_sid, "sent")),
              capture=django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert message.status == status


def test_failed_131050_records_the_reason_and_opts_the_customer_out(client, meta, whatsapp_thread,
                                                                    associate_a,
                                                                    django_capture_on_commit_callbacks):
    message = sent_message(whatsapp_thread, associate_a, django_capture_on_commit_callbacks)
    post_meta(client, meta.fake, meta.fake.status_payload(
        meta.fake.status(message.provider_sid, "failed", error=131050)),
        capture=django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert (message.status, message.error_code) == (Message.Status.FAILED, "131050")
    assert "stopped marketing messages" in message.error_message
    consent = CustomerConsent.objects.filter(customer=whatsapp_thread.customer,
                                             channel=Channel.WHATSAPP).latest("pk")
    assert consent.state == ConsentState.OPTED_OUT and consent.source == CustomerConsent.Source.PROVIDER


def test_failed_131026_is_recorded_without_touching_sms(client, meta, whatsapp_thread, associate_a,
                                                        django_capture_on_commit_callbacks):
    message = sent_message(whatsapp_thread, associate_a, django_capture_on_commit_callbacks)
    post_meta(client, meta.fake, meta.fake.status_payload(
        meta.fake.status(message.provider_sid, "failed", error=131026)),
        capture=django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert (message.status, message.error_code) == (Message.Status.FAILED, "131026")
    assert message.error_message == "This number cannot receive WhatsApp messages."
    whatsapp_thread.customer.refresh_from_db()
    assert whatsapp_thread.customer.can_receive_texts is True


def test_a_status_for_a_message_we_never_sent_changes_nothing(client, meta, messaging,
                                                              django_capture_on_commit_callbacks):
    unknown = meta.fake.status_payload(meta.fake.status("wamid.unknown", "read"))
    response = post_meta(client, meta.fake, unknown,
                         capture=django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert WebhookEvent.objects.get().processed_at is not None
    assert not Conversation.objects.exists()


def test_the_whatsapp_number_of_the_store_routes_the_inbound(client, meta, messaging, org,
                                                             django_capture_on_commit_callbacks):
    assert meta.fake.display_number == STORE_A_WHATSAPP.lstrip("+")
    post_meta(client, meta.fake, meta.fake.inbound_payload(from_=NEW_NUMBER),
              capture=django_capture_on_commit_callbacks)
    assert Conversation.objects.get().store == org["store_a"]
