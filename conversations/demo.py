"""The demo messaging provider: play a customer's reply through the real inbound path."""

import uuid

from django.conf import settings
from django.utils import timezone

from . import services


def provider_is_demo(*, channel: str) -> bool:
    return settings.MESSAGING_PROVIDERS.get(channel, "demo") == "demo"


def simulate_customer_reply(*, conversation, body: str):
    store = conversation.store
    return services.inbound_receive(
        store=store, from_number=str(conversation.customer.phone),
        to_number=str(store.clienteling_phone), channel=conversation.channel, body=body,
        media_urls=[], provider_sid=f"SIM{uuid.uuid4().hex}", received_at=timezone.now(),
    )
