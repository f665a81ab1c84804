"""Browser test: an image picked in the thread composer shows as a thumbnail, and Send waits
until it has loaded; a file the browser cannot read is dropped with a notice."""

import pytest
from django.urls import reverse

from clienteling.models import Channel
from conversations import services
from conversations.models import Message
from tests.conversations.conftest import messaging, opt_in  # noqa: F401  fixture
from tests.e2e.browser import PHONE, requires_chromium, sign_in
from tests.fakes.twilio_fake import PNG

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]

# Records, in the page, whether the thumbnail had loaded each time Send's disabled state changed.
WATCH_SEND = """() => {
  const send = document.querySelector("#composer button[type=submit]");
  const img = document.querySelector("#composer .image-preview");
  window.sendStates = [];
  new MutationObserver(() => window.sendStates.push(
    {disabled: send.disabled, loaded: img.complete && img.naturalWidth > 0 && !img.hidden}
  )).observe(send, {attributes: true, attributeFilter: ["disabled"]});
}"""


def test_a_picked_image_is_previewed_and_send_waits_for_it(
        live_server, settings, org, messaging, associate_a, customer_a, browser):  # noqa: F811
    settings.MESSAGING_PROVIDERS = {"sms": "demo", "whatsapp": "demo", "email": "demo"}
    opt_in(customer_a)
    thread = services.conversation_get_or_create(customer=customer_a, store=org["store_a"],
                                                 channel=Channel.SMS, user=associate_a)
    page = browser.new_context(viewport=PHONE, locale="en-US").new_page()
    sign_in(page, live_server.url, associate_a)
    page.goto(live_server.url + reverse("conversations:detail", args=[thread.pk]))
    send = page.locator("#composer button[type=submit]")
    preview = page.locator("#composer .image-preview")
    assert send.is_enabled() and preview.is_hidden()

    # A file that is not an image: no preview, a notice, the input emptied, Send usable again.
    page.evaluate(WATCH_SEND)
    page.set_input_files("#composer-image", files=[{"name": "notes.png", "mimeType": "image/png",
                                                     "buffer": b"not an image"}])
    page.locator(".toast", has_text="cannot be shown as an image").wait_for()
    assert preview.is_hidden() and send.is_enabled()
    assert page.locator("#composer-image").evaluate("input => input.files.length") == 0

    # An image: Send is disabled until the thumbnail has loaded, then enabled.
    page.evaluate("() => { window.sendStates = []; }")
    page.set_input_files("#composer-image", files=[{"name": "sand.png", "mimeType": "image/png",
                                                     "buffer": PNG}])
    preview.wait_for(state="visible")
    page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=preview.element_handle())
    assert preview.get_attribute("src").startswith("blob:")
    assert page.locator("#composer .image-chosen").inner_text().strip() == "sand.png"
    assert send.is_enabled()
    states = page.evaluate("() => window.sendStates")
    assert states[0] == {"disabled": True, "loaded": False}
    assert states[-1] == {"disabled": False, "loaded": True}

    send.click()
    page.locator(".bubble-row.outbound img").wait_for()
    assert Message.objects.get(conversation=thread).media_urls
