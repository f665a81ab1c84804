"""Browser: the customer's "my details" page on a phone and a desktop, and its expired page.

Set ATELIER_SCREENSHOTS=/some/dir to keep them at both sizes.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clienteling.models import ConsentChange, CustomerAttribute, SelfServiceLink
from clienteling.services.self_service import self_service_link_issue
from tests.e2e.browser import DESKTOP, PHONE, requires_chromium, screenshot
from tests.e2e.conftest import browser  # noqa: F401  fixture
from tests.factories import AttributeFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True),
              requires_chromium]


def test_the_customer_updates_their_details_on_a_phone(live_server, browser, org, customer_a,  # noqa: F811
                                                       associate_a):
    store = org["store_a"]
    store.address_line1, store.city, store.zip_code = "767 Madison Avenue", "New York", "10065"
    store.clienteling_phone = "+12125550100"
    store.save()
    size = AttributeFactory(name="Shoe size", data_type=CustomerAttribute.DataType.NUMBER,
                            customer_editable=True, channel_web=True)
    colour = AttributeFactory(name="Favourite colour", data_type=CustomerAttribute.DataType.SINGLE_CHOICE,
                              customer_editable=True, channel_web=True)
    colour.options.create(value="navy", label="Navy", position=0)
    colour.options.create(value="camel", label="Camel", position=1)
    token = self_service_link_issue(customer=customer_a, user=associate_a).token
    url = live_server.url + reverse("clienteling_public:my_details", args=[token])
    context = browser.new_context(viewport=PHONE, locale="en-US")
    page = context.new_page()
    errors = []
    # Script errors only: the 400 and 410 answers below are meant.
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    screenshot(page, "my-details")
    # Bad input first: the form says what is wrong and nothing is saved.
    page.fill("#id_email", "claire@")
    page.click("button[type=submit]")
    page.locator("[data-form-errors]").wait_for()
    screenshot(page, "my-details-errors")
    page.fill("#id_email", "")
    page.fill(f"#id_attribute_{size.pk}", "39")
    page.select_option(f"#id_attribute_{colour.pk}", "camel")
    page.fill("#id_phone", "212 555 0177")
    page.check("#id_consent_sms")
    # The Save button stays in reach at the bottom of a phone's screen.
    box = page.locator("button[type=submit]").bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"]
    page.click("button[type=submit]")
    page.locator("[data-saved]").wait_for()
    customer_a.refresh_from_db()
    assert str(customer_a.phone) == "+12125550177"
    assert ConsentChange.objects.filter(customer=customer_a, source="web", state="opted_in").exists()
    page.set_viewport_size(DESKTOP)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    SelfServiceLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = page.goto(url)
    assert response.status == 410
    screenshot(page, "my-details-expired")
    assert not errors, errors
    context.close()
