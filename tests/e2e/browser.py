"""What the browser tests share: Debian's Chromium, the screen sizes, screenshots."""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

requires_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                       reason=f"Chromium not installed at {CHROMIUM}")


def screenshot(page, name: str, *, sizes: tuple[dict, ...] | None = (PHONE, DESKTOP)) -> None:
    """Full-page PNGs into $ATELIER_SCREENSHOTS (when set), at each size, then back to the phone.

    `sizes=None` takes the page at the size it has (a test that runs at both sizes itself).
    """
    folder = os.environ.get("ATELIER_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    page.evaluate("document.querySelectorAll('.toast').forEach(function (t) { t.remove(); })")
    for size in sizes or (page.viewport_size,):
        page.set_viewport_size(size)
        # A full-page shot of a scrolled page paints the sticky navigation bar mid-page.
        page.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")
        page.wait_for_timeout(150)
        page.screenshot(path=f"{folder}/{name}-{size['width']}x{size['height']}.png", full_page=True)
    if sizes:
        page.set_viewport_size(PHONE)


def sign_in(page, base: str, user) -> None:
    """Through the console's login form, with the factories' password."""
    page.goto(f"{base}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pass-word-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/**")


def settled(page) -> None:
    """Wait until htmx has finished swapping and settling (a person never acts within 20 ms)."""
    # A function, not an expression: Playwright evaluates expressions with eval, which the
    # Content-Security-Policy refuses.
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')")
