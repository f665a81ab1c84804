from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.utils import timezone
from twilio.request_validator import RequestValidator

from clienteling import services as clienteling_services
from clienteling.models import Channel, ConsentState, CustomerConsent
from conversations import services
from conversations.models import (
    Message,
    MessageTemplate,
    StoreMessagingSettings,
    TemplateVariable,
    TwilioAccount,
)
from conversations.providers import demo as demo_messaging
from tests.fakes.twilio_fake import FakeTwilio

PUBLIC = "https://atelier.example.com"
STORE_A_SMS = "+12125550100"
STORE_A_WHATSAPP = "+12125550101"
STORE_A2_SMS = "+16175550100"
STORE_B_SMS = "+33142680000"
# 12:00 in New York (EDT): inside the default marketing hours of the factory stores.
NOON_NY = datetime(2026, 6, 10, 16, 0, tzinfo=UTC)


@pytest.fixture
def fake_twilio():
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture
def twilio(settings, db, fake_twilio):
    """Texts go through the real Twilio SDK to the loopback fake."""
    settings.MESSAGING_PROVIDERS = {"sms": "twilio", "whatsapp": "twilio", "email": "demo"}
    settings.PUBLIC_BASE_URL = PUBLIC
    account = TwilioAccount.objects.create(
        account_sid=fake_twilio.account_sid, auth_token=fake_twilio.auth_token,
        api_base_url=fake_twilio.base_url, whatsapp_sender="+12125550199")
    return SimpleNamespace(fake=fake_twilio, account=account)


@pytest.fixture
def demo_provider(settings):
    settings.MESSAGING_PROVIDERS = {"sms": "demo", "whatsapp": "demo", "email": "demo"}
    demo_messaging.outbox.clear()
    yield demo_messaging.outbox
    demo_messaging.outbox.clear()


@pytest.fixture
def messaging(org):
    return {
        "store_a": StoreMessagingSettings.objects.create(
            store=org["store_a"], sms_number=STORE_A_SMS, whatsapp_sender=STORE_A_WHATSAPP),
        "store_a2": StoreMessagingSettings.objects.create(store=org["store_a2"], sms_number=STORE_A2_SMS),
        "store_b": StoreMessagingSettings.objects.create(store=org["store_b"], sms_number=STORE_B_SMS),
    }


@pytest.fixture
def at_noon():
    with time_machine.travel(NOON_NY, tick=True) as traveller:
        yield traveller


@pytest.fixture
def sms_thread(org, messaging, customer_a, associate_a):
    """A thread with a client who opted in to texts (the usual case); `new_sms_thread` is not."""
    opt_in(customer_a)
    return services.conversation_get_or_create(customer=customer_a, store=org["store_a"], channel=Channel.SMS,
                                      user=associate_a)


@pytest.fixture
def new_sms_thread(org, messaging, customer_a, associate_a):
    """A first thread with a client who was never asked to opt in."""
    return services.conversation_get_or_create(customer=customer_a, store=org["store_a"], channel=Channel.SMS,
                                      user=associate_a)


@pytest.fixture
def whatsapp_thread(org, messaging, customer_a, associate_a):
    opt_in(customer_a, Channel.WHATSAPP)
    return services.conversation_get_or_create(customer=customer_a, store=org["store_a"],
                                               channel=Channel.WHATSAPP, user=associate_a)


def set_consent(customer, channel, state, source=CustomerConsent.Source.ASSOCIATE, at=None):
    return clienteling_services.customer_consent_set(customer=customer, channel=channel, state=state,
                                                     source=source, at=at)


def reply(thread, body="Hi", sid=None):
    """The customer writes in the thread (the inbound path a webhook takes)."""
    return services.inbound_receive(
        store=thread.store, from_number=str(thread.customer.phone), to_number=STORE_A_SMS,
        channel=thread.channel, body=body, media_urls=[],
        provider_sid=sid or f"SM{Message.objects.count():032d}", received_at=timezone.now())


def opt_in(customer, channel=Channel.SMS):
    return set_consent(customer, channel, ConsentState.OPTED_IN, CustomerConsent.Source.KEYWORD)


def mapped_template(*, channel=Channel.SMS, body="Hi {{1}}, new arrivals at {{2}}.",
                    sources=("customer_first_name", "store_name"), content_sid="", name=None,
                    **fields) -> MessageTemplate:
    template = MessageTemplate.objects.create(
        channel=channel, name=name or f"tpl-{channel}-{MessageTemplate.objects.count()}", body=body,
        content_sid=content_sid or ("HX" + "0" * 32 if channel == Channel.WHATSAPP else ""),
        status=MessageTemplate.Status.APPROVED, **fields)
    for position, source in enumerate(sources, start=1):
        TemplateVariable.objects.create(template=template, position=position, source=source)
    return template


def sign(path: str, params: dict, token: str, base: str = PUBLIC) -> str:
    return RequestValidator(token).compute_signature(base + path, params)


def post_signed(client, path: str, params: dict, token: str, **extra):
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=sign(path, params, token), **extra)
