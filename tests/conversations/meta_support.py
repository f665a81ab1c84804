"""Fixtures and helpers for WhatsApp through Meta's Cloud API (the loopback fake of tests/fakes/meta_fake.py)."""

from types import SimpleNamespace

import pytest

from conversations.models import MetaWhatsAppAccount
from tests.fakes.meta_fake import FakeMeta

from .conftest import PUBLIC, STORE_A_WHATSAPP

WEBHOOK = "/webhooks/meta/whatsapp/"


@pytest.fixture
def fake_meta():
    with FakeMeta(display_number=STORE_A_WHATSAPP.lstrip("+")) as fake:
        yield fake


@pytest.fixture
def meta(settings, db, fake_meta):
    """WhatsApp goes through the Meta provider's HTTP client to the loopback fake."""
    settings.MESSAGING_PROVIDERS = {"sms": "demo", "whatsapp": "meta", "email": "demo"}
    settings.PUBLIC_BASE_URL = PUBLIC
    account = MetaWhatsAppAccount.objects.create(
        phone_number_id=fake_meta.phone_number_id, business_account_id="102290129340398",
        whatsapp_number=STORE_A_WHATSAPP, access_token=fake_meta.access_token,
        app_secret=fake_meta.app_secret, verify_token=fake_meta.verify_token,
        api_version=fake_meta.version, api_base_url=fake_meta.base_url)
    return SimpleNamespace(fake=fake_meta, account=account)


def post_meta(client, fake, payload: dict, *, secret: str | None = None, capture=None):
    """A signed webhook through the test client; with `capture`, its drains run."""
    body, signature = fake.signed(payload, secret)

    def post():
        return client.post(WEBHOOK, body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature)

    if capture is None:
        return post()
    with capture(execute=True):
        return post()
