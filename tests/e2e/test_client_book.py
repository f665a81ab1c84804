"""Browser test: a manager's client book shows its identifier and the customer cards, is refined
by the client book attribute group, and a profile's header shows the same card.

Set ATELIER_SCREENSHOTS=/some/dir to keep the book and the profile at phone and desktop sizes.
"""

import pytest
from django.urls import reverse

from clienteling import services
from clienteling.models import (
    AttributeGroup,
    AttributeOption,
    CustomerCardProperty,
    CustomerMeasures,
    ModuleSettings,
    NumberSequence,
)
from tests.e2e.browser import DESKTOP, requires_chromium, screenshot, settled, sign_in
from tests.factories import AttributeFactory, CustomerFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]


@pytest.fixture
def book(org, manager):
    """Three customers in the manager's book; "Occasion" belongs to the client book group."""
    NumberSequence.objects.filter(scope="client_book").update(prefix="NY-", padding=5, next_number=42)
    group = AttributeGroup.objects.create(name="Client book")
    occasion = AttributeFactory(name="Occasion", data_type="single_choice", group=group,
                                can_be_refined=True, show_on_card=True, position=1)
    for position, (value, label) in enumerate([("wedding", "Wedding"), ("birthday", "Birthday")]):
        AttributeOption.objects.create(attribute=occasion, value=value, label=label, position=position)
    size = AttributeFactory(name="Size", group=group, show_on_card=True, position=2)
    AttributeFactory(name="Web only", channel_store=False, channel_web=True, show_on_card=True)
    settings = ModuleSettings.load()
    settings.client_book_attribute_group = group
    settings.save()
    CustomerCardProperty.objects.create(position=1, measure="sales_12mo")
    made = {}
    for first, last, when, wears, spent in (("Claire", "Dupont", "wedding", "38", 4200),
                                            ("Hugo", "Bernard", "birthday", "52", 980),
                                            ("Lena", "Moreau", "wedding", "40", 15350)):
        customer = CustomerFactory(legal_entity=org["entity"], home_store=org["store_a"],
                                   first_name=first, last_name=last)
        CustomerMeasures.objects.create(customer=customer, sales_12mo=spent)
        services.attribute_values_set(customer=customer, attribute=occasion, raw_values=when)
        services.attribute_values_set(customer=customer, attribute=size, raw_values=wears)
        made[first] = customer
    own = services.client_book_get_or_create(owner=manager, legal_entity=org["entity"])
    services.client_book_add_many(book=own, customer_ids=[c.pk for c in made.values()], added_by=manager)
    return made


def card_names(page) -> list[str]:
    return page.locator("#results .card a.fw-medium").all_inner_texts()


def test_a_manager_refines_the_client_book_and_opens_a_card(live_server, manager, book, browser):
    base = live_server.url
    page = browser.new_context(viewport=DESKTOP, locale="en-US", reduced_motion="reduce").new_page()
    sign_in(page, base, manager)
    page.goto(base + reverse("clienteling:my_client_book"))

    # The book's identifier, and each card: the measure, then the group's attributes
    assert "NY-00042" in page.locator("h1").inner_text()
    assert sorted(card_names(page)) == ["Claire Dupont", "Hugo Bernard", "Lena Moreau"]
    first = page.locator("#results .card").first.inner_text()
    assert "Sales 12 months" in first and "Occasion" in first and "Size" in first
    assert "Web only" not in page.content()

    # Refined by the client book group's attribute
    page.locator("#refine summary").click()
    page.select_option("select[name^='attr-']", "wedding")
    settled(page)
    page.locator("#results", has_text="2 customers").wait_for()
    assert sorted(card_names(page)) == ["Claire Dupont", "Lena Moreau"]
    screenshot(page, "client-book-refined")

    # The profile's header shows the same card
    page.locator("#results a", has_text="Lena Moreau").click()
    page.locator("#customer-card").wait_for()
    header = page.locator("#customer-card").inner_text()
    assert "$15,350.00" in header and "Wedding" in header and "40" in header
    screenshot(page, "profile-card")
