"""WhatsApp through Meta's Cloud API in tests: the loopback fake (tests/fakes/meta_fake.py) and its account.

Each test file makes its `meta` fixture from `running_meta` (a fixture imported by name would
shadow itself in every test's arguments).
"""

from contextlib import contextmanager
from types import SimpleNamespace

from conversations.models import MetaWhatsAppAccount
from tests.fakes.meta_fake import FakeMeta

from .conftest import PUBLIC, STORE_A_WHATSAPP

WEBHOOK = "/webhooks/meta/whatsapp/"


@contextmanager
def running_meta(settings):
    """WhatsApp goes through the Meta provider's HTTP client to a loopback fake, for the block."""
    with FakeMeta(display_number=STORE_A_WHATSAPP.lstrip("+")) as fake:
        settings.MESSAGING_PROVIDERS = {"sms": "demo", "whatsapp": "meta", "email": "demo"}
        settings.PUBLIC_BASE_URL = PUBLIC
        account = MetaWhatsAppAccount.objects.create(
            phone_number_id=fake.phone_number_id, business_account_id="102290129340398",
            whatsapp_number=STORE_A_WHATSAPP, access_token=fake.access_token,
            app_secret=fake.app_secret, verify_token=fake.verify_token,
            api_version=fake.version, api_base_url=fake.base_url)
        yield SimpleNamespace(fake=fake, account=account)


def post_meta(client, fake, payload: dict, *, secret: str | None = None, capture=None):
    """A signed webhook through the test client; with `capture`, its drains run."""
    body, signature = fake.signed(payload, secret)

    def post():
        return client.post(WEBHOOK, body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature)

    if capture is None:
        return post()
    with capture(execute=True):
        return post()
