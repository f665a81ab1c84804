"""Phone-first layout: touch targets of at least 44 x 44 px, toasts clear of the header and the
thread's actions, list rows tappable as a whole, icon buttons named on a phone."""

import pytest
from django.urls import reverse

from tests.carts.conftest import conversation, demo_account, shop  # noqa: F401  fixtures
from tests.e2e.browser import DESKTOP, PHONE, requires_chromium, screenshot, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]

SMALL_TARGETS = """sel => Array.from(document.querySelectorAll(sel))
  .filter(el => el.offsetParent !== null)
  .map(el => { const r = el.getBoundingClientRect();
               const what = (el.getAttribute('aria-label') || el.innerText || el.name || '').trim();
               return {what: what.slice(0, 40), w: Math.round(r.width), h: Math.round(r.height)}; })
  .filter(t => t.w < 44 || t.h < 44)"""

SHOW_TOAST = """() => document.dispatchEvent(new CustomEvent("toast", {detail: {value: "Saved"}}))"""


def box(page, selector):
    return page.locator(selector).first.bounding_box()


def test_touch_targets_and_toasts_on_a_phone_and_a_desktop(
        live_server, browser, shop, conversation, demo_account, associate_a):  # noqa: F811
    base = live_server.url
    context = browser.new_context(viewport=PHONE, locale="en-US", has_touch=True)
    page = context.new_page()
    sign_in(page, base, associate_a)
    page.goto(base + reverse("conversations:detail", args=[conversation.pk]))

    # The bottom bar, the header's and the composer's buttons: 44 x 44 px at least.
    assert page.evaluate(SMALL_TARGETS, ".bottom-nav a, .conversation header .btn, #composer .btn") == []
    # Icon-only on a phone, yet each has a name.
    for selector in ("button[data-bs-target='#product-picker']", "label[for=composer-image]"):
        assert page.locator(selector).inner_text().strip() in ("Product", "Image")
    assert page.locator("#composer-image").evaluate("el => el.labels[0].innerText.trim()") == "Image"

    # A toast sits bottom centre, above the bottom bar, clear of the header and its actions.
    page.evaluate(SHOW_TOAST)
    toast = page.locator("#toasts .toast.show")
    toast.wait_for()
    shown, bar, header = toast.bounding_box(), box(page, ".bottom-nav"), box(page, ".conversation header")
    assert shown["y"] + shown["height"] <= bar["y"]
    assert shown["y"] >= header["y"] + header["height"]
    assert abs((shown["x"] + shown["width"] / 2) - PHONE["width"] / 2) < 2
    screenshot(page, "a11y-toast", sizes=None)

    # On a desktop: top right, below the navigation bar, not over the thread's actions.
    page.set_viewport_size(DESKTOP)
    page.evaluate(SHOW_TOAST)
    page.wait_for_timeout(300)
    shown, navbar = toast.last.bounding_box(), box(page, "nav.navbar")
    actions = box(page, "[data-thread-action]")
    assert shown["y"] >= navbar["y"] + navbar["height"]
    assert shown["x"] + shown["width"] > DESKTOP["width"] - 40
    assert shown["x"] >= actions["x"] + actions["width"] or shown["y"] >= actions["y"] + actions["height"]
    screenshot(page, "a11y-toast", sizes=None)

    # Checkboxes with their labels, and every button, are 44 px at least on a phone.
    page.set_viewport_size(PHONE)
    page.goto(base + reverse("carts:share_picker", args=[conversation.pk]))
    page.fill("#catalog-search", "designer")
    page.locator(".catalog-card").nth(1).wait_for()
    assert page.evaluate(SMALL_TARGETS, ".catalog-card .form-check, .btn") == []
    context.close()
