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
