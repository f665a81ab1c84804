"""Browser test: the console is an installable app. Its manifest is linked and valid, the
service worker registers from a static file (no inline script: the Content-Security-Policy
refuses nothing) and controls the page, and without the network a page opened before comes
from the cache while any other shows the offline page.

Set ATELIER_SCREENSHOTS=/some/dir to keep the offline page and the notifications page.
"""

import pytest
from django.urls import reverse

from tests.e2e.browser import PHONE, requires_chromium, screenshot, sign_in

pytestmark = [requires_chromium, pytest.mark.e2e,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

RECORD = """
window.__refused = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__refused.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile);
});
"""
FETCH_JSON = "(url) => fetch(url).then(function (r) { return r.json(); })"
CACHED_PAGES = """(path) => caches.keys().then(function (names) {
  return Promise.all(names.filter(function (n) { return n.indexOf("atelier-pages-") === 0; })
    .map(function (n) { return caches.open(n).then(function (c) { return c.keys(); }); }));
}).then(function (lists) {
  return [].concat.apply([], lists).some(function (r) { return new URL(r.url).pathname === path; });
})"""


def test_the_console_installs_and_says_honestly_what_works_offline(live_server, browser, associate_a):
    base = live_server.url
    context = browser.new_context(viewport=PHONE)
    context.add_init_script(RECORD)
    page = context.new_page()
    sign_in(page, base, associate_a)

    # The manifest: linked from every console page, and what an install needs.
    href = page.get_attribute("link[rel=manifest]", "href")
    manifest = page.evaluate(FETCH_JSON, href)
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/", "/", "standalone")
    assert {icon["purpose"] for icon in manifest["icons"]} == {"any", "maskable"}
    for icon in manifest["icons"]:
        assert page.request.get(base + icon["src"]).headers["content-type"] == "image/png"

    # The worker registers at the root and takes the page over.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    scope = page.evaluate("() => navigator.serviceWorker.ready.then(function (r) { return r.scope; })")
    assert scope == base + "/"

    # A page opened online is kept for reading later.
    book = reverse("clienteling:my_client_book")
    page.goto(base + book)
    page.wait_for_function(CACHED_PAGES, arg=book, timeout=10000)
    assert page.evaluate("() => window.__refused") == []

    context.set_offline(True)
    page.goto(base + reverse("conversations:inbox"))  # never opened: the offline page
    assert page.locator("[data-offline]").inner_text() == "You are offline"
    assert "read only and as they were then" in page.content()
    screenshot(page, "pwa-offline")

    page.goto(base + book)  # opened before: its copy, read only
    assert page.locator("[data-offline]").count() == 0
    assert page.locator("main h1").first.is_visible()

    context.set_offline(False)
    page.goto(base + reverse("pwa:notifications"))
    # Headless Chromium has no push service: the page offers the button or says push cannot
    # work here, and the console around it works as ever.
    page.wait_for_function("() => document.querySelector('[data-push-panel]').dataset.state")
    assert page.evaluate("() => window.__refused") == []
    screenshot(page, "pwa-notifications")
    context.close()


def test_the_account_menu_offers_notifications_where_the_browser_can_push(live_server, browser, associate_a):
    base = live_server.url
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, base, associate_a)

    page.click("#account-menu")
    link = page.locator(".account-menu a[href='/account/notifications/']")
    assert link.inner_text() == "Notifications"
    link.click()
    page.wait_for_url(base + "/account/notifications/")
    assert page.locator("h1").inner_text().strip() == "Notifications"
    context.close()
