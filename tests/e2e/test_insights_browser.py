"""Browser test: Today's next best action cards (done with one tap, a toast, the card gone) and
the store dashboard, checked with axe at 390 and 1366 px.

Set ATELIER_SCREENSHOTS=/some/dir to keep Today and the dashboard at both sizes.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clienteling import services as clienteling_services
from clienteling.dates import store_today
from insights import services
from insights.models import Goal, Suggestion
from tests.e2e.axe import axe_context, findings
from tests.e2e.browser import DESKTOP, PHONE, requires_chromium, screenshot, settled, sign_in
from tests.insights.conftest import book  # noqa: F401  fixture

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]


@pytest.fixture
def feed(org, associate_a, manager, book):  # noqa: F811
    store = org["store_a"]
    today = store_today(store)
    for offset, customer in enumerate(book):
        customer.birth_date = (today + timedelta(days=offset + 1)).replace(year=1984)
        customer.save()
    for who, amount in ((associate_a, "1200"), (manager, "800")):
        sale = clienteling_services.sale_record(customer=book[0], store=store, salesperson=who,
                                                sold_at=timezone.now() - timedelta(hours=2),
                                                lines=[{"title": "Coat", "amount": amount}])
        services.sale_credits_assign(sale_ids=[sale.pk])
    first = today.replace(day=1)
    Goal.objects.create(store=store, associate=associate_a, metric="sales", target=Decimal("2000"),
                        starts_on=first, ends_on=first + timedelta(days=40))
    Goal.objects.create(store=store, metric="new_clients", target=Decimal("10"), starts_on=first,
                        ends_on=first + timedelta(days=40))
    services.action_feed_build(store=store, day=today, now=timezone.now())
    return book


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1366"])
def test_today_cards_done_in_one_tap_and_accessible(live_server, associate_a, feed, browser, viewport):
    base = live_server.url
    page = axe_context(browser, viewport, reduced_motion="reduce").new_page()
    sign_in(page, base, associate_a)
    page.goto(base + reverse("clienteling:today"))
    cards = page.locator(".suggestion-card")
    assert cards.count() == 3
    assert "Birthday on" in cards.first.inner_text()
    assert "My goals" in page.content()
    assert findings(page) == []
    screenshot(page, f"insights-today-{viewport['width']}", sizes=None)
    first_id = cards.first.get_attribute("id")
    cards.first.get_by_role("button", name="Done").click()
    settled(page)
    page.locator(".toast", has_text="Marked as done.").wait_for()
    assert page.locator(f"#{first_id}").count() == 0
    assert Suggestion.objects.filter(status="done").count() == 1
    assert findings(page) == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1366"])
def test_store_dashboard_accessible(live_server, manager, feed, browser, viewport):
    base = live_server.url
    page = axe_context(browser, viewport, reduced_motion="reduce").new_page()
    sign_in(page, base, manager)
    page.goto(base + reverse("insights:dashboard"))
    assert page.locator("svg.chart-bars rect").count() >= 1
    board = page.locator("#board-title").locator("xpath=ancestor::section").inner_text()
    assert "Alex Associate" in board and "Mia Manager" in board
    assert findings(page) == []
    screenshot(page, f"insights-dashboard-{viewport['width']}", sizes=None)
