"""Browser tests: the customer's receipt and expired-cart pages, reviewing a cart's message before
sending it, and the share line that shows the payment link as soon as it exists.

Set ATELIER_SCREENSHOTS=/some/dir to keep the receipt and the expired page at phone and desktop sizes.
"""

import pytest
from django.urls import reverse

from carts import services, tasks
from carts.models import PaymentLink, StoreCartSettings
from conversations.models import Message, StoreMessagingSettings
from tests.carts.conftest import conversation, demo_account, shop, two_coats_cart  # noqa: F401  fixtures
from tests.e2e.browser import PHONE, requires_chromium, screenshot, settled, sign_in
from tests.factories import CustomerFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]


@pytest.fixture
def storefront(shop):  # noqa: F811
    """Store A as a customer meets it: an address, a phone, a number for texts and an email."""
    store = shop.store
    store.address_line1, store.city = "767 Madison Avenue", "New York"
    store.state, store.zip_code = "NY", "10065"
    store.save()
    StoreMessagingSettings.objects.create(store=store, sms_number="+12125550188")
    StoreCartSettings.objects.filter(store=store).update(contact_email="newyork@stores.example")
    return store


def test_the_paid_link_shows_a_receipt_and_an_expired_one_the_way_back_to_the_store(
        live_server, storefront, shop, two_coats_cart, associate_a, org, browser,  # noqa: F811
        demo_account, django_capture_on_commit_callbacks, settings):  # noqa: F811
    base = live_server.url
    settings.PUBLIC_BASE_URL = base  # links made outside a request, as the test shares directly
    with django_capture_on_commit_callbacks(execute=True):
        services.cart_share(cart=two_coats_cart, user=associate_a)
    customer = browser.new_context(viewport=PHONE, locale="en-US")
    phone = customer.new_page()

    # The customer pays, comes back to their link, and finds the receipt there.
    phone.goto(base + reverse("carts_public:cart", args=[two_coats_cart.token]))
    phone.locator("[data-pay]").click()
    phone.locator("[data-demo-pay]").click()
    phone.locator("[data-receipt]").wait_for()
    again = phone.goto(base + reverse("carts_public:cart", args=[two_coats_cart.token]))
    assert again.status == 200
    assert phone.locator("[data-line]").count() == 2
    assert phone.locator("[data-cart-total]").inner_text() == "$2,651.11"
    assert phone.locator(".public-brand").inner_text() == "New York"
    assert phone.locator("[data-contact=phone]").get_attribute("href") == "tel:+12125551234"
    screenshot(phone, "customer-receipt")

    # Another customer's cart passes midnight unpaid: the link says so and how to reach the store.
    other = CustomerFactory(legal_entity=org["entity"], home_store=storefront, first_name="Hugo",
                            phone="+12125550177")
    cart = services.cart_open(customer=other, store=storefront, user=associate_a)
    services.cart_line_add(cart=cart, variant=shop.scarf_os, user=associate_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.cart_share(cart=cart, user=associate_a, channel="email")
    services.carts_expire(cart_ids=[cart.pk])
    expired = phone.goto(base + reverse("carts_public:cart", args=[cart.token]))
    assert expired.status == 410
    phone.get_by_text("This cart expired").wait_for()
    assert phone.locator("[data-contact]").evaluate_all("links => links.map(a => a.href)") == [
        "tel:+12125551234", "sms:+12125550188", "mailto:newyork@stores.example"]
    assert "Silk Scarf" not in phone.content() and "Hugo" not in phone.content()
    screenshot(phone, "customer-cart-expired")
    customer.close()


def test_review_in_conversation_puts_the_message_in_the_composer(
        live_server, two_coats_cart, conversation, associate_a, browser):  # noqa: F811
    base = live_server.url
    context = browser.new_context(viewport=PHONE, locale="en-US")
    page = context.new_page()
    sign_in(page, base, associate_a)
    page.goto(base + reverse("carts:detail", args=[two_coats_cart.pk]))

    page.locator("button", has_text="Review in conversation").click()

    page.wait_for_url(base + reverse("conversations:detail", args=[conversation.pk]))
    composer = page.locator("#body")
    link = reverse("carts_public:cart", args=[two_coats_cart.token])
    assert composer.input_value().endswith(link)
    assert composer.evaluate("el => el === document.activeElement")
    assert not Message.objects.filter(conversation=conversation).exists()
    composer.press("End")
    composer.type(" Talk soon!")
    page.locator("#composer button[type=submit]").click()
    page.locator(".bubble-row.outbound", has_text="Talk soon!").wait_for()
    settled(page)
    assert page.locator("#body").input_value() == ""
    context.close()


def test_the_share_line_shows_the_link_once_ready_even_after_a_failed_request(
        live_server, two_coats_cart, conversation, associate_a, browser, monkeypatch):  # noqa: F811
    # The worker is "slow": the test makes the link itself, after the page asked a few times.
    monkeypatch.setattr(tasks.payment_link_create, "delay_on_commit", lambda *args, **kwargs: None)
    base = live_server.url
    context = browser.new_context(viewport=PHONE, locale="en-US")
    page = context.new_page()
    sign_in(page, base, associate_a)
    page.goto(base + reverse("carts:detail", args=[two_coats_cart.pk]))
    failed = []

    def first_fails(route):
        if not failed:
            failed.append(route.request.url)
            route.fulfill(status=502, body="Bad gateway")
        else:
            route.continue_()

    page.route("**" + reverse("carts:link_state", args=[two_coats_cart.pk]), first_fails)
    page.locator("button", has_text="Send now").click()
    page.locator("[data-link-state]", has_text="Preparing the payment link").wait_for()
    page.wait_for_function("() => document.querySelectorAll('.toast').length > 0")  # the failure was told
    services.payment_link_create(link_id=PaymentLink.objects.get(cart=two_coats_cart).pk)

    page.locator("[data-link-state]", has_text="Payment link ready").wait_for(timeout=5000)
    assert len(failed) == 1
    context.close()
