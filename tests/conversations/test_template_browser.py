"""Browser: the template preview in the admin and in the composer shows the header image and
the quick-reply buttons, at phone and desktop sizes, with nothing refused by the
Content-Security-Policy. ATELIER_SCREENSHOTS=/some/dir keeps screenshots."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clienteling.models import Channel
from conversations import services
from tests.e2e.browser import DESKTOP, PHONE, requires_chromium, screenshot, settled, sign_in
from tests.e2e.conftest import browser  # noqa: F401
from tests.fakes.twilio_fake import PNG

from .conftest import mapped_template

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True),
              requires_chromium]

RECORD = """
window.__refused = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__refused.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""
IMAGE_LOADED = ("() => { const i = document.querySelector('.tpl-image'); "
                "return i && i.complete && i.naturalWidth > 0; }")


def test_preview_shows_image_and_buttons_in_admin_and_composer(live_server, browser, settings,  # noqa: F811
                                                              company_admin, associate_a, whatsapp_thread):
    settings.MESSAGING_PROVIDERS = {"sms": "demo", "whatsapp": "demo", "email": "demo"}
    base = live_server.url
    # An image of our own origin (the policy allows only that): one stored as outbound media.
    image = base + services.media_store(SimpleUploadedFile("look.png", PNG, content_type="image/png"))
    media = mapped_template(channel=Channel.WHATSAPP, name="Autumn looks", message_type="media",
                            header_image_url=image, body="Hi {{1}}, the autumn looks are in at {{2}}.")
    quick = mapped_template(channel=Channel.WHATSAPP, name="Fitting", message_type="quick_reply",
                            buttons=["Book a fitting", "Call me", "Not now"],
                            body="Hi {{1}}, shall we book your fitting at {{2}}?")
    company_admin.is_superuser = True
    company_admin.save()

    for size in (PHONE, DESKTOP):
        context = browser.new_context(viewport=size)
        context.add_init_script(RECORD)
        page = context.new_page()
        sign_in(page, base, company_admin)
        page.goto(base + reverse("admin:conversations_messagetemplate_change", args=[media.pk]))
        page.wait_for_function(IMAGE_LOADED)
        screenshot(page, f"template-admin-media-{size['width']}", sizes=None)
        page.goto(base + reverse("admin:conversations_messagetemplate_change", args=[quick.pk]))
        buttons = page.locator(".tpl-button")
        assert buttons.all_inner_texts() == ["Book a fitting", "Call me", "Not now"]
        # The stylesheet applied: buttons are pills, not bare text.
        assert buttons.first.evaluate("b => getComputedStyle(b).borderTopLeftRadius") == "16px"
        assert page.evaluate("() => window.__refused") == []
        context.close()

    context = browser.new_context(viewport=PHONE, has_touch=True)
    context.add_init_script(RECORD)
    page = context.new_page()
    sign_in(page, base, associate_a)
    page.goto(base + reverse("conversations:detail", args=[whatsapp_thread.pk]))
    templates = page.locator("details", has=page.locator("select[name=template]"))
    if templates.get_attribute("open") is None:  # open already while the WhatsApp window is closed
        page.locator("summary", has_text="Send a template").click()
    page.select_option("select[name=template]", str(media.pk))
    settled(page)
    page.locator(".tpl-text", has_text="Hi Claire, the autumn looks are in at New York.").wait_for()
    page.wait_for_function(IMAGE_LOADED)
    screenshot(page, "template-composer-media", sizes=None)
    page.select_option("select[name=template]", str(quick.pk))
    page.locator(".tpl-button", has_text="Book a fitting").wait_for()
    assert page.locator(".tpl-image").count() == 0
    screenshot(page, "template-composer-quick-reply")
    assert page.evaluate("() => window.__refused") == []
