"""A first message from an unknown number: one prospect, however many messages arrive at once."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from clienteling.models import Channel, Customer
from conversations import services
from conversations.models import Message

from .conftest import STORE_A_SMS

NEW_NUMBER = "+13105550177"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_first_messages_at_once_from_a_new_number_make_one_prospect(org, messaging):
    store = org["store_a"]
    errors = []

    def receive(sid):
        try:
            services.inbound_receive(store=store, from_number=NEW_NUMBER, to_number=STORE_A_SMS,
                                     channel=Channel.SMS, body=f"Hello {sid}", media_urls=[],
                                     provider_sid=sid, received_at=timezone.now())
        except Exception as exc:  # noqa: BLE001  reported below
            errors.append(exc)
        finally:
            connection.close()

    # Given both messages are in flight while the number is still unknown ...
    with transaction.atomic():
        services.prospect_lock(legal_entity_id=store.legal_entity_id, number=NEW_NUMBER)
        workers = [threading.Thread(target=receive, args=(f"SM{n:032d}",)) for n in (1, 2)]
        for worker in workers:
            worker.start()
        time.sleep(0.5)  # both reach the lock
    # ... when they go on together, then one prospect holds both messages.
    for worker in workers:
        worker.join(timeout=10)
    assert errors == []
    prospects = Customer.objects.filter(phone=NEW_NUMBER)
    assert prospects.count() == 1 and prospects.get().is_prospect
    assert Message.objects.filter(conversation__customer=prospects.get()).count() == 2


@pytest.mark.django_db
def test_a_whatsapp_prospect_is_named_by_its_profile_and_never_by_its_number(
        client, twilio, messaging, django_capture_on_commit_callbacks):
    from .conftest import STORE_A_WHATSAPP, post_signed

    with django_capture_on_commit_callbacks(execute=True):
        post_signed(client, "/webhooks/twilio/messages/", {
            "MessageSid": "SM" + "8" * 32, "From": f"whatsapp:{NEW_NUMBER}",
            "To": f"whatsapp:{STORE_A_WHATSAPP}", "Body": "Hello", "NumMedia": "0",
            "ProfileName": "Marguerite"}, twilio.fake.auth_token)
        post_signed(client, "/webhooks/twilio/messages/", {
            "MessageSid": "SM" + "9" * 32, "From": "+13105550188", "To": STORE_A_SMS,
            "Body": "Hi there", "NumMedia": "0"}, twilio.fake.auth_token)

    named = Customer.objects.get(phone=NEW_NUMBER)
    unnamed = Customer.objects.get(phone="+13105550188")
    assert str(named) == "Marguerite" and named.is_prospect
    assert str(unnamed) == "Prospect •••• 88"
    assert "3105550188" not in str(unnamed)
