"""Insights fixtures: a book for associate A in New York, a clock in the store's zone."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from clienteling import services
from insights.models import ActionRule
from tests.factories import CustomerFactory

NY = ZoneInfo("America/New_York")
DAY = date(2026, 12, 7)  # a Monday
MORNING = datetime.combine(DAY, time(7, 0), tzinfo=NY)


@pytest.fixture
def book(org, associate_a):
    """Three customers in associate A's book (no birthdays unless a test sets one)."""
    store = org["store_a"]
    entity = org["entity"]
    customers = [
        CustomerFactory(
            legal_entity=entity,
            home_store=store,
            birth_date=None,
            first_name=name,
            last_name="Book",
            primary_salesperson=associate_a,
        )
        for name in ("Ada", "Ben", "Cleo")
    ]
    owned = services.client_book_get_or_create(owner=associate_a, legal_entity=entity)
    for customer in customers:
        services.client_book_add(book=owned, customer=customer, added_by=associate_a)
    return customers


def only(condition: str) -> ActionRule:
    """Keep one enabled rule (the migration seeds one per condition)."""
    ActionRule.objects.exclude(condition=condition).update(enabled=False)
    return ActionRule.objects.get(condition=condition)
