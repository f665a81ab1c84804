"""Keyboard-only journeys: sign in, filter the customer list, answer in a thread, build and share a cart.

Only Tab, Shift+Tab, Enter, Space and typing: no clicks, no `fill`. Each step asserts where
the focus lands (never lost on <body> after an htmx swap) and that it can be seen.
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from carts.models import Cart, PaymentLink
from tests.carts.conftest import conversation, demo_account, shop  # noqa: F401  fixtures
from tests.e2e.browser import DESKTOP, PHONE, requires_chromium, screenshot, settled
from tests.factories import CustomerFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  return {id: el.id, tag: el.tagName.toLowerCase(),
          text: (el.innerText || el.value || "").trim().slice(0, 80),
          outline: getComputedStyle(el).outlineStyle, shadow: getComputedStyle(el).boxShadow};
}"""


def focused(page) -> dict | None:
    return page.evaluate(FOCUSED)


def tab_to(page, selector: str, *, limit: int = 120, back: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches `selector`."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}; stopped on {focused(page)}")


def assert_visible_focus(page) -> None:
    """The focused control shows a ring: an outline, or Bootstrap's focus shadow."""
    now = focused(page)
    assert now is not None, "focus was lost to the page"
    assert now["outline"] != "none" or now["shadow"] != "none", now


def keyboard_sign_in(page, base: str, user) -> None:
    page.goto(f"{base}/login/")
    assert focused(page)["id"] == "id_username"  # the form's first field has focus at once
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_password"
    page.keyboard.type("pass-word-123")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")


def test_sign_in_then_skip_to_content(live_server, browser, associate_a):
    base = live_server.url
    context = browser.new_context(viewport=PHONE, locale="en-US")
    page = context.new_page()
    keyboard_sign_in(page, base, associate_a)

    # The first Tab reaches "Skip to content", shown while focused; Enter moves on to the page.
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["text"] == "Skip to content"
    assert page.locator(".skip-link").bounding_box()["width"] > 50
    assert_visible_focus(page)
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"
    # The next Tab goes on from the page's content, past the menu at the top.
    page.keyboard.press("Tab")
    assert page.evaluate("""() => {
      const main = document.getElementById('main'), el = document.activeElement;
      return !document.querySelector('nav.navbar').contains(el)
        && !!(main.compareDocumentPosition(el)
              & (Node.DOCUMENT_POSITION_FOLLOWING | Node.DOCUMENT_POSITION_CONTAINED_BY));
    }""")
    context.close()


def test_filter_the_customer_list_by_keyboard(live_server, browser, org, associate_a):
    store = org["store_a"]
    soon, later = date.today() + timedelta(days=5), date.today() + timedelta(days=90)
    # A birthday in five days (1 March stands in for 29 February) and one in about three months.
    claire = date(1985, 3, 1) if (soon.month, soon.day) == (2, 29) else soon.replace(year=1985)
    hugo = later.replace(year=1990, day=1)
    for first, last, born in (("Claire", "Dupont", claire), ("Hugo", "Bernard", hugo)):
        CustomerFactory(legal_entity=org["entity"], home_store=store, first_name=first, last_name=last,
                        birth_date=born, primary_salesperson=associate_a)
    base = live_server.url
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    keyboard_sign_in(page, base, associate_a)
    page.goto(base + reverse("clienteling:customer_list"))
    page.locator("#result-count", has_text="2 customers").wait_for()

    # A filter group opens with Enter; its fields arrive and the first one is reached by Tab.
    tab_to(page, "#filters .accordion-button[data-bs-target='#fg-dates']")
    assert_visible_focus(page)
    page.keyboard.press("Enter")
    page.locator("#id_birthday_within").wait_for(state="visible")
    settled(page)
    tab_to(page, "#id_birthday_within")
    page.keyboard.type("30")
    page.keyboard.press("Tab")  # the change refreshes the results

    # The results change and are read out; the focus stays in the filters, where the person was.
    page.locator("#result-count", has_text="1 customer").wait_for()
    settled(page)
    page.locator("#announcer", has_text="1 customer").wait_for()
    assert page.evaluate("() => document.getElementById('filters').contains(document.activeElement)")
    assert_visible_focus(page)
    screenshot(page, "a11y-keyboard-filter", sizes=None)

    # From the filters to the one customer left, and into the profile with Enter.
    tab_to(page, "table.customer-grid tbody a")
    assert focused(page)["text"] == "Claire Dupont"
    page.keyboard.press("Enter")
    page.locator("h1", has_text="Claire Dupont").wait_for()
    context.close()


def test_answer_in_a_thread_by_keyboard_and_build_and_share_a_cart(
        live_server, browser, shop, conversation, demo_account, associate_a, customer_a):  # noqa: F811
    base = live_server.url
    context = browser.new_context(viewport=PHONE, locale="en-US", has_touch=True)
    page = context.new_page()
    keyboard_sign_in(page, base, associate_a)
    page.goto(base + reverse("conversations:detail", args=[conversation.pk]))

    # Typing and sending: the focus comes back to the text box for the next message.
    tab_to(page, "#body")
    page.keyboard.type("Your coat is ready")
    tab_to(page, "#composer button[type=submit]")
    assert_visible_focus(page)
    page.keyboard.press("Enter")
    page.locator(".bubble-row.outbound", has_text="Your coat is ready").wait_for()
    settled(page)
    assert focused(page)["id"] == "body"
    assert page.input_value("#body") == ""

    # The image input, hidden behind its button, shows its focus on the button.
    tab_to(page, "#composer-image")
    ring = page.locator("label[for=composer-image]").evaluate("el => getComputedStyle(el).outlineStyle")
    assert ring != "none"

    # The thread's "Remote cart" action (named on a phone, where it shows an icon only).
    tab_to(page, "[data-thread-action=remote_cart]", back=True)
    assert page.locator("[data-thread-action=remote_cart]").get_attribute("aria-label") == "Remote cart"
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/carts/*/")
    cart = Cart.objects.get(customer=customer_a, status=Cart.Status.OPEN)

    # Search, then add a size with the keyboard: the focus stays in the search results' place.
    tab_to(page, "#cart-search")
    page.keyboard.type("silk scarf")
    option = page.locator("form.variant-option", has_text="One size")
    option.wait_for()
    settled(page)
    tab_to(page, "form.variant-option button[value=in_store]")
    page.keyboard.press("Enter")
    page.locator(".cart-line", has_text="Silk Scarf").wait_for()
    settled(page)
    assert focused(page) is not None

    # Share it: "Send now" by keyboard, and the link is ready.
    tab_to(page, "button[name=mode][value=send]")
    assert_visible_focus(page)
    page.keyboard.press("Enter")
    page.locator("[data-link-state]", has_text="Payment link ready").wait_for()
    settled(page)
    assert focused(page) is not None
    assert PaymentLink.objects.filter(cart=cart).exists()
    screenshot(page, "a11y-keyboard-cart")
    context.close()
