"""Browser test: an associate builds and shares a remote cart; the customer pays it with the demo provider.

Chromium through Playwright against pytest-django's live server (Celery runs
eagerly in test settings). Set ATELIER_SCREENSHOTS=/some/dir to keep
screenshots of the associate's and the customer's cart pages at phone and
desktop sizes.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from carts.models import Cart
from clienteling.models import Sale
from conversations.models import Message
from tests.carts.conftest import conversation, demo_account, shop  # noqa: F401  fixtures
from tests.e2e.browser import PHONE, requires_chromium, screenshot, settled, sign_in

pytestmark = [
    pytest.mark.e2e,
    # serialized_rollback keeps the rows data migrations made (role groups ...).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]


def swipe_left(context, page, line) -> None:
    """A finger drags the line two thirds of the screen to the left (real touch events via CDP)."""
    # Instant: Bootstrap makes scrolling smooth, and the finger must land where the line is.
    line.evaluate("el => el.scrollIntoView({block: 'center', behavior: 'instant'})")
    box = line.bounding_box()
    x, y = box["x"] + box["width"] * 0.8, box["y"] + 16
    cdp = context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 11):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove",
                                              "touchPoints": [{"x": x - step * 26, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_associate_builds_and_shares_a_cart_the_customer_pays_it(
        live_server, settings, shop, conversation, demo_account,  # noqa: F811
        associate_a, customer_a, browser):
    base = live_server.url

    # The associate signs in on a phone and opens the customer's cart from the conversation.
    associate = browser.new_context(viewport=PHONE, locale="en-US", has_touch=True)
    page = associate.new_page()
    sign_in(page, base, associate_a)
    page.goto(base + reverse("conversations:detail", args=[conversation.pk]))
    page.click("[data-thread-action=remote_cart]")
    page.wait_for_url(base + "/carts/*/")
    cart = Cart.objects.get(customer=customer_a, status=Cart.Status.OPEN)
    assert page.url == base + reverse("carts:detail", args=[cart.pk])

    # Two lines: size S from the store, size M (none on the floor) shipped from the warehouse.
    page.fill("#cart-search", "cashmere coat")
    small = page.locator("form.variant-option", has_text="S · Camel")
    small.locator("button[value=in_store]").click()
    page.locator(".cart-line", has_text="S / Camel").wait_for()
    page.locator("form.variant-option", has_text="M · Camel").locator("button[value=ship]").click()
    page.locator(".cart-line", has_text="M / Camel").wait_for()
    assert page.locator(".cart-line").count() == 2

    # A third line, swiped away on the touch screen.
    page.fill("#cart-search", "silk scarf")
    page.locator("form.variant-option", has_text="One size").locator("button[value=in_store]").click()
    scarf = page.locator(".cart-line", has_text="Silk Scarf")
    scarf.wait_for()
    swipe_left(associate, page, scarf)
    scarf.wait_for(state="detached")
    assert page.locator(".cart-line").count() == 2

    # A 5 % cart discount (the associate may give up to 10 %).
    page.locator(".cart-summary details summary", has_text="Cart discount").click()
    page.fill("#discount-value-cart", "5")
    page.locator(".cart-summary form.discount-form button", has_text="Apply").click()
    page.locator(".totals dt", has_text="Cart discount").wait_for()

    # Delivery for the shipped line, and express shipping.
    page.locator("summary", has_text="A new address").click()
    page.fill("#d-line1", "1 Park Avenue")
    page.fill("#d-zip", "10016")
    page.fill("#d-city", "New York")
    page.locator("button", has_text="Save address").click()
    # An associate may not see addresses: the saved one shows as masked, in every part.
    page.locator("address[data-delivery]", has_text="•••").wait_for()
    assert "New York" not in page.locator("address[data-delivery]").inner_text()
    settled(page)
    page.select_option("#shipping-option", label="Express · $35.00")
    page.locator(".totals dt", has_text="Shipping · Express").wait_for()

    # 2,400 - 5 % = 2,280; + 35 shipping = 2,315; + 8.875 % tax (205.46) = 2,520.46
    expected = "$2,520.46"
    assert page.locator("[data-cart-total]").inner_text() == expected
    page.locator("button", has_text="Send now").click()
    page.locator("[data-link-state]", has_text="Payment link ready").wait_for()
    screenshot(page, "associate-cart")
    cart.refresh_from_db()
    assert cart.total == Decimal("2520.46")
    shared = Message.objects.get(conversation=conversation, kind=Message.Kind.CART)
    cart_link = next(word for word in shared.body.split() if word.startswith(base))

    # The associate's other screens: open carts, the catalog, sharing from the conversation.
    page.goto(base + reverse("carts:index"))
    page.locator(".list-group-item", has_text="Claire Dupont").wait_for()
    screenshot(page, "carts-index")
    page.goto(base + reverse("carts:catalog"))
    page.locator(".empty-state").wait_for()
    screenshot(page, "catalog-empty")
    page.fill("#catalog-search", "cashmere")
    page.locator(".catalog-card", has_text="Cashmere Coat in Camel").wait_for()
    assert "$1,200.00" in page.locator(".catalog-card").inner_text()
    screenshot(page, "catalog")
    page.goto(base + reverse("carts:share_picker", args=[conversation.pk]))
    page.fill("#catalog-search", "designer")
    page.locator(".catalog-card").nth(1).wait_for()
    page.locator(".catalog-card", has_text="Silk Scarf").locator("input[type=checkbox]").check()
    screenshot(page, "share-picker")

    # The customer opens the link from the message, without signing in, and pays.
    customer = browser.new_context(viewport=PHONE, locale="en-US")
    phone = customer.new_page()
    phone.goto(cart_link)
    assert phone.locator("[data-cart-total]").inner_text() == expected
    assert phone.locator(".list-group-item").count() == 2
    screenshot(phone, "customer-cart")
    phone.locator("[data-pay]").click()
    assert phone.locator("[data-pay-amount]").inner_text() == expected
    phone.locator("[data-demo-pay]").click()
    phone.get_by_text("Thank you, this cart is paid").wait_for()

    # The associate sees the payment in the chat, and the sale in purchase history.
    page.goto(base + reverse("conversations:detail", args=[conversation.pk]))
    page.get_by_text("paid via remote checkout link").wait_for()
    page.goto(base + reverse("clienteling:customer_detail", args=[customer_a.pk]))
    history = page.locator("article", has_text="Cashmere Coat in Camel – S / Camel")
    history.wait_for()
    assert expected in history.inner_text()
    sale = Sale.objects.get(customer=customer_a)
    assert sale.source == Sale.Source.REMOTE_CART and sale.salesperson == associate_a
    assert sale.total == Decimal("2520.46")
    page.goto(base + reverse("carts:index"))
    page.locator(".empty-state").wait_for()
    screenshot(page, "carts-index-empty")
    customer.close()
    associate.close()


# A camera that "sees" a barcode on its third frame: BarcodeDetector and getUserMedia as the
# browser would give them on a phone (headless Chromium has neither).
FAKE_CAMERA = """
(() => {
  const code = "%s";
  window.BarcodeDetector = class {
    detect() { this.frames = (this.frames || 0) + 1;
               return Promise.resolve(this.frames > 2 ? [{ rawValue: code }] : []); }
  };
  if (!navigator.mediaDevices) Object.defineProperty(navigator, "mediaDevices", { value: {} });
  navigator.mediaDevices.getUserMedia = () => {
    const canvas = document.createElement("canvas");
    canvas.width = 64; canvas.height = 48;
    canvas.getContext("2d").fillRect(0, 0, 64, 48);
    return Promise.resolve(canvas.captureStream(10));
  };
})();
"""


def signed_in(browser, base, user, *, init_script: str = ""):
    context = browser.new_context(viewport=PHONE, locale="en-US", has_touch=True)
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    sign_in(page, base, user)
    return context, page


@pytest.mark.parametrize("screen", ["catalog", "share_picker"])
def test_the_camera_scans_a_barcode_into_the_catalog_search(
        live_server, shop, conversation, associate_a, browser, screen):  # noqa: F811
    base = live_server.url
    context, page = signed_in(browser, base, associate_a, init_script=FAKE_CAMERA % shop.coat_s.barcode)
    url = (reverse("carts:catalog") if screen == "catalog"
           else reverse("carts:share_picker", args=[conversation.pk]))
    page.goto(base + url)

    page.locator("[data-scan-camera]").click()

    page.locator(".catalog-card", has_text="Cashmere Coat in Camel").wait_for()
    assert page.input_value("#catalog-search") == shop.coat_s.barcode
    assert not page.locator("[data-scan-dialog]").evaluate("dialog => dialog.open")
    context.close()


def test_the_camera_scans_a_size_straight_into_the_cart(
        live_server, shop, conversation, associate_a, browser):  # noqa: F811
    base = live_server.url
    context, page = signed_in(browser, base, associate_a, init_script=FAKE_CAMERA % shop.coat_s.barcode)
    page.goto(base + reverse("conversations:detail", args=[conversation.pk]))
    page.click("[data-thread-action=remote_cart]")

    page.locator("[data-scan-camera]").click()

    page.locator(".cart-line", has_text="S / Camel").wait_for()
    assert page.input_value("#cart-search") == ""  # ready for the next code
    context.close()
