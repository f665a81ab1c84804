"""Browser test: opt-in request, the customer's START through the signed webhook, a live badge,
a quick reply delivered.

Chromium through Playwright against pytest-django's live server (Celery runs
eagerly in test settings). Sends go through the real twilio SDK to the
loopback fake; the customer's reply and the delivery report arrive as signed
Twilio webhooks. Set ATELIER_SCREENSHOTS=/some/dir to keep screenshots of the
inbox, thread, composer and outreach pages at phone and desktop sizes.
"""


import pytest
import requests
from django.urls import reverse
from twilio.request_validator import RequestValidator

from clienteling.models import CustomerTag, ProfileSection
from conversations.models import Conversation, Message, QuickReply, TwilioAccount
from tests.conversations.conftest import STORE_A_SMS, fake_twilio, mapped_template, messaging  # noqa: F401
from tests.e2e.browser import PHONE, requires_chromium, screenshot, sign_in
from tests.factories import CustomerFactory, TagFactory
from tests.fakes.twilio_fake import PNG

INBOUND = "/webhooks/twilio/messages/"
STATUS = "/webhooks/twilio/status/"

pytestmark = [
    pytest.mark.e2e,
    # serialized_rollback keeps the rows data migrations made (role groups ...).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]


def twilio_posts(base: str, path: str, params: dict, token: str) -> requests.Response:
    """What Twilio does: a form POST signed with the account's auth token over the public URL."""
    signature = RequestValidator(token).compute_signature(base + path, params)
    return requests.post(base + path, data=params, headers={"X-Twilio-Signature": signature}, timeout=10)


def test_opt_in_start_live_badge_and_a_delivered_quick_reply(
        live_server, settings, org, messaging, fake_twilio, associate_a, customer_a, browser):  # noqa: F811
    # Given a store texting through Twilio (the real SDK, talking to the loopback fake) ...
    base = live_server.url
    settings.MESSAGING_PROVIDERS = {"sms": "twilio", "whatsapp": "twilio", "email": "demo"}
    settings.CONVERSATIONS_BADGE_POLL_SECONDS = 1
    TwilioAccount.objects.create(account_sid=fake_twilio.account_sid, auth_token=fake_twilio.auth_token,
                                 api_base_url=fake_twilio.base_url)
    # The default layout (a conversations data migration) shows the section after the contact details.
    assert ProfileSection.objects.filter(kind="conversations", enabled=True).count() == 1
    QuickReply.objects.create(title="Alterations ready", body="Your alterations are ready, see you soon!")
    mapped_template(name="Summer preview", body="Hi {{1}}, the summer collection is in at {{2}}.")
    campaign = TagFactory(name="Summer Campaign", is_outreach_list=True)
    nora = CustomerFactory(legal_entity=org["entity"], first_name="Nora", last_name="Vance")
    omar = CustomerFactory(legal_entity=org["entity"], first_name="Omar", last_name="Quill", phone="")
    for customer in (customer_a, nora, omar):
        CustomerTag.objects.create(customer=customer, tag=campaign)

    # ... the associate signs in on a phone and sends an opt-in request from the profile.
    context = browser.new_context(viewport=PHONE, locale="en-US", has_touch=True)
    page = context.new_page()
    sign_in(page, base, associate_a)
    page.goto(base + reverse("clienteling:customer_detail", args=[customer_a.pk]))
    page.locator("button[name=opt_in]").click()
    page.wait_for_url("**/conversations/*/")
    page.locator(".bubble-row.outbound", has_text="Reply START").wait_for()
    conversation = Conversation.objects.get(customer=customer_a)
    opt_in = Message.objects.get(conversation=conversation, kind=Message.Kind.OPT_IN)
    assert fake_twilio.last_create()["To"] == str(customer_a.phone)
    assert opt_in.provider_sid in fake_twilio.messages

    # When the customer replies START (a signed inbound webhook) while the associate is on the inbox ...
    page.goto(base + reverse("conversations:inbox"))
    badge = page.locator(".bottom-badge [data-unread-count]")
    assert badge.count() == 0
    reply = {"MessageSid": "SM" + "5" * 32, "AccountSid": fake_twilio.account_sid,
             "From": str(customer_a.phone), "To": STORE_A_SMS, "Body": " start ", "NumMedia": "0"}
    assert twilio_posts(base, INBOUND, reply, fake_twilio.auth_token).status_code == 200

    # ... then the badge shows the unread reply without a reload.
    badge.wait_for(timeout=10_000)
    assert badge.inner_text() == "1"
    page.locator("#inbox-rows .unread", has_text="Claire Dupont").wait_for(timeout=20_000)
    screenshot(page, "conversations-inbox")

    # The associate opens the thread and answers with a quick reply.
    page.locator("#inbox-rows a", has_text="Claire Dupont").click()
    page.locator(".bubble-row.inbound", has_text="start").wait_for()
    page.locator("button", has_text="Reply").first.click()
    page.locator(".quick-reply", has_text="Alterations ready").click()
    assert page.input_value("#body") == "Your alterations are ready, see you soon!"
    page.locator("#composer button[type=submit]").click()
    sent = page.locator(".bubble-row.outbound", has_text="Your alterations are ready")
    sent.locator("[data-status=sent]").wait_for()
    answer = Message.objects.get(conversation=conversation, body="Your alterations are ready, see you soon!")
    assert answer.provider_sid in fake_twilio.messages

    # Twilio reports it delivered (a signed status callback carrying our id) and the open thread shows it.
    callback = {"MessageSid": answer.provider_sid, "MessageStatus": "delivered",
                "AccountSid": fake_twilio.account_sid, "To": str(customer_a.phone), "From": STORE_A_SMS}
    path = f"{STATUS}?mid={answer.pk}"
    assert twilio_posts(base, path, callback, fake_twilio.auth_token).status_code == 200
    sent.locator("[data-status=delivered]").wait_for(timeout=15_000)

    # The customer sends a photo (shown through our view, fetched with the account's keys) and the
    # associate answers with one of their own (MMS from a US store).
    media = f"{fake_twilio.base_url}/2010-04-01/Accounts/{fake_twilio.account_sid}/Messages/MM1/Media/ME1"
    photo = {"MessageSid": "SM" + "6" * 32, "AccountSid": fake_twilio.account_sid,
             "From": str(customer_a.phone), "To": STORE_A_SMS, "Body": "Does it come in this colour?",
             "NumMedia": "1", "MediaUrl0": media, "MediaContentType0": "image/png"}
    assert twilio_posts(base, INBOUND, photo, fake_twilio.auth_token).status_code == 200
    received = page.locator(".bubble-row.inbound", has_text="this colour")
    received.locator("img").wait_for(timeout=15_000)
    assert media not in page.content()
    # The image arrives through our media view: wait until the browser has decoded it.
    page.wait_for_function(
        "el => el.complete && el.naturalWidth > 0", arg=received.locator("img").element_handle(),
        timeout=15_000)
    assert received.locator("img").evaluate("img => img.naturalWidth") == 240
    page.set_input_files("#composer-image", files=[{"name": "sand.png", "mimeType": "image/png",
                                                     "buffer": PNG}])
    page.fill("#body", "Yes, in sand too")
    page.locator("#composer button[type=submit]").click()
    mine = page.locator(".bubble-row.outbound", has_text="in sand too")
    mine.locator("img").wait_for()
    assert fake_twilio.last_create()["MediaUrl"].startswith(base + "/conversations/media/")
    screenshot(page, "conversations-thread")

    # The composer's tools open; the template preview renders this customer's data on the server.
    page.locator("button[data-bs-target='#schedule-box']").click()
    page.locator("#send-at").wait_for()
    page.locator("summary", has_text="Send a template").click()
    preview = "Hi Claire, the summer collection is in at New York."
    page.locator(".template-rendered", has_text=preview).wait_for()
    screenshot(page, "conversations-composer")

    # The outreach pages.
    page.goto(base + reverse("conversations:outreach_lists"))
    page.locator(".card", has_text="Summer Campaign").first.wait_for()
    screenshot(page, "conversations-outreach-lists")
    page.goto(base + reverse("conversations:outreach_detail", args=[campaign.pk]))
    page.locator(".list-group-item", has_text="Omar").wait_for()
    page.locator("#bulk-form button[type=submit]").click()
    report = page.locator(".outreach-report[data-job-status=done]")
    report.wait_for(timeout=15_000)
    assert "Has not opted in: 1" in report.inner_text() and "No mobile number: 1" in report.inner_text()
    screenshot(page, "conversations-outreach-detail")
    context.close()
