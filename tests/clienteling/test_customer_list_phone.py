"""The customer list on a phone: compact cards, active filters as chips, "Show N results"."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from clienteling import services
from clienteling.models import CustomerMeasures, CustomerTag
from tests.factories import TagFactory

pytestmark = pytest.mark.django_db
LIST = "clienteling:customer_list"


def cards(body: str) -> list[str]:
    return re.findall(r'<li class="list-group-item customer-card">.*?</li>', body, re.S)


def test_a_card_shows_name_key_facts_and_opens_the_profile_as_a_whole(as_manager, manager, people):
    ann = people["Ann"]
    vip, gold, press = TagFactory(name="VIP"), TagFactory(name="Gold"), TagFactory(name="Press")
    for tag in (vip, gold, press):
        CustomerTag.objects.create(customer=ann, tag=tag)
    CustomerMeasures.objects.create(customer=ann, last_purchase_at=datetime(2026, 3, 14, 15, tzinfo=UTC))
    book = services.client_book_get_or_create(owner=manager, legal_entity=ann.legal_entity)
    services.client_book_add(book=book, customer=ann, added_by=manager)

    body = as_manager.get(reverse(LIST)).content.decode()
    found = cards(body)
    assert len(found) == 4
    card = next(card for card in found if "Ann Test" in card)
    profile = reverse("clienteling:customer_detail", args=[ann.pk])
    assert f'<a class="card-name stretched-link" href="{profile}">' in card
    assert 'aria-label="Select Ann Test"' in card and 'form="bulk-form"' in card
    assert "In your book" in card
    assert "Gold, Press +1" in card  # the first two tags by name, and how many more
    assert "Last purchase 03/14/2026" in card  # the list's one short date format
    other = next(card for card in found if "Ben Test" in card)
    assert "In your book" not in other and "No purchase yet" in other
    assert 'class="list-group shadow-sm d-md-none card-list compact-cards"' in body


def test_each_active_filter_is_a_chip_that_removes_itself(as_manager, people):
    vip, gold = TagFactory(name="VIP"), TagFactory(name="Gold")
    url = reverse(LIST) + f"?has_email=on&tags={vip.pk}&tags={gold.pk}&tags_match=any&sort=-created"
    body = as_manager.get(url).content.decode()
    chips = re.findall(r'<a class="filter-chip" href="([^"]+)" aria-label="([^"]+)" data-chip>', body)
    labels = [label for _href, label in chips]
    assert labels == ["Remove filter Has an email", "Remove filter Tags: VIP", "Remove filter Tags: Gold"]
    without_vip = dict(chips)  # href -> label
    href = next(href for href, label in without_vip.items() if label.endswith("VIP"))
    assert f"tags={gold.pk}" in href and f"tags={vip.pk}" not in href and "has_email=on" in href
    assert "sort=-created" in href.replace("&amp;", "&")
    assert 'data-chips-clear>Clear all</a>' in body
    # Following a chip: that filter is gone, the others stay.
    body = as_manager.get(href.replace("&amp;", "&")).content.decode()
    assert "Remove filter Tags: VIP" not in body and "Remove filter Tags: Gold" in body


def test_no_filter_no_chips(as_manager, people):
    body = as_manager.get(reverse(LIST)).content.decode()
    assert "data-filter-chips" not in body and "data-chip" not in body


def test_the_filter_sheet_says_how_many_it_will_show(as_manager, people):
    body = as_manager.get(reverse(LIST)).content.decode()
    assert f'data-count-url="{reverse("clienteling:customer_count")}"' in body
    assert "<span data-show-label>Show 4 results</span>" in body
    # The count endpoint the sheet asks as filters change carries the same label.
    count = as_manager.get(reverse("clienteling:customer_count") + "?q=Ann", HTTP_HX_REQUEST="true")
    assert 'data-show-label="Show 1 result"' in count.content.decode()
    none = as_manager.get(reverse("clienteling:customer_count") + "?q=Nobody", HTTP_HX_REQUEST="true")
    assert 'data-show-label="Show 0 results"' in none.content.decode()
