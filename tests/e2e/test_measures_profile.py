"""Browser test: the profile header at a glance (segment, spend, last purchase, channel and consent,
the card's measures, one-tap actions) passes axe and fits a phone and a desktop.

Set ATELIER_SCREENSHOTS=/some/dir to keep the header at 390 px and 1366 px.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clienteling.models import CustomerCardProperty, CustomerContactHistory, CustomerMeasures, Segment
from tests.e2e.axe import axe_context, findings
from tests.e2e.browser import DESKTOP, PHONE, requires_chromium, screenshot, sign_in
from tests.factories import CustomerFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]


@pytest.fixture
def customer(org):
    customer = CustomerFactory(legal_entity=org["entity"], home_store=org["store_a"],
                               first_name="Lena", last_name="Moreau-Castellane")
    CustomerMeasures.objects.create(
        customer=customer, sales_12mo=Decimal("15350.00"), sales_all=Decimal("40210.00"), orders_count=9,
        last_purchase_at=timezone.now() - timedelta(days=41), segment=Segment.AT_RISK,
        churn_risk=Decimal("0.640"), average_order_value=Decimal("4467.78"), usual_interval_days=35,
        next_purchase_from=timezone.localdate() - timedelta(days=6),
        next_purchase_to=timezone.localdate() + timedelta(days=4))
    CustomerContactHistory.objects.create(customer=customer, sms_consent="opted_in")
    card = ("churn_risk", "average_order_value", "next_purchase_window")
    for position, measure in enumerate(card, start=1):
        CustomerCardProperty.objects.create(position=position, measure=measure)
    return customer


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_profile_header_at_a_glance(live_server, manager, customer, browser, viewport):
    page = axe_context(browser, viewport).new_page()
    sign_in(page, live_server.url, manager)
    page.goto(live_server.url + reverse("clienteling:customer_detail", args=[customer.pk]))
    header = page.locator("header").first
    text = header.inner_text()
    assert "At risk" in text and "$15,350.00" in text and "64%" in text and "$4,467.78" in text
    assert "Preferred channel" in text and "Last purchase" in text
    # Nothing sticks out sideways on a phone.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert findings(page) == []
    screenshot(page, f"profile-header-{viewport['width']}", sizes=None)
