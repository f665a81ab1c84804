"""Browser test: a store manager opens the WhatsApp setup page on a phone and on a desktop, sees the
QR code and the chat link, Meta posts the first customer message (signed, to the live server), and
the page shows it by itself; then a test message goes out through the form.

Set ATELIER_SCREENSHOTS=/some/dir to keep screenshots at 390 and 1280 pixels wide.
"""

import pytest

from tests.conversations.conftest import STORE_A_WHATSAPP, messaging  # noqa: F401  fixtures
from tests.conversations.meta_support import WEBHOOK, running_meta
from tests.e2e.browser import PHONE, requires_chromium, screenshot, settled, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]
WIDE = {"width": 1280, "height": 900}


@pytest.fixture
def meta(settings, db):
    with running_meta(settings) as found:
        yield found


def test_the_first_message_arrives_on_the_page_by_itself(live_server, meta, messaging, manager, org,  # noqa: F811
                                                        browser):
    base = live_server.url
    context = browser.new_context(viewport=PHONE, locale="en-US", has_touch=True)
    page = context.new_page()
    sign_in(page, base, manager)
    page.goto(f"{base}/conversations/store/{org['store_a'].pk}/whatsapp/")
    assert page.locator("[data-qr] svg").is_visible()
    assert page.locator("[data-chat-link]").get_attribute("href") == f"https://wa.me/{STORE_A_WHATSAPP[1:]}"
    box = page.locator("[data-qr] svg").bounding_box()
    assert box["width"] >= 150 and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "whatsapp-setup-waiting", sizes=(PHONE, WIDE))

    # The admin scans the code and writes from their phone: Meta posts the message to us.
    status = meta.fake.post_webhook(base + WEBHOOK, meta.fake.inbound_payload(
        from_="+13105550199", body="Hello from my phone", name="Ada Byron"))
    assert status == 200
    page.wait_for_selector('[data-arrived="yes"]', timeout=15_000)
    assert "Ada Byron" in page.locator("#wa-arrival").inner_text()
    assert "America/New_York" in page.locator("[data-arrived-at]").inner_text()

    page.fill("#wa-test-to", "+13105550199")
    page.click("#wa-test-title ~ .input-group button[type=submit]")
    page.wait_for_selector("[data-outcome]")
    settled(page)
    assert page.locator("[data-outcome]").get_attribute("data-outcome") == "sent"
    assert meta.fake.last_send()["to"] == "13105550199"
    screenshot(page, "whatsapp-setup-arrived", sizes=(PHONE, WIDE))
    context.close()
