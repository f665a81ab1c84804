import pytest
from django.db import connections

from .browser import ARGS, CHROMIUM


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls in the
    # test are plain synchronous setup and checks.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()
        # ORM calls made while Playwright's loop runs may get connections of their own
        # (contextvars): close them, or the test database cannot be dropped afterwards.
        connections.close_all()
