"""The customer list's filters: dates, scope, contact, tags, purchases, attributes, search,
opt-in, mailing lists."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from clienteling import services
from clienteling.dates import month_day_keys_within
from clienteling.models import (
    AttributeOption,
    CustomerContactHistory,
    CustomerTag,
    WishlistItem,
)
from tests.clienteling.list_helpers import LIST, NOON_UTC, names
from tests.factories import AttributeFactory, ProductFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_month_day_keys_wrap_the_year_end():
    keys = month_day_keys_within(date(2026, 12, 29), 5)
    assert keys == [101, 102, 103, 1229, 1230, 1231]


def test_february_29_counts_on_the_28th_in_a_non_leap_year():
    assert 229 in month_day_keys_within(date(2027, 2, 27), 1)
    assert 229 not in month_day_keys_within(date(2027, 2, 25), 2)
    assert 229 in month_day_keys_within(date(2028, 2, 29), 0)


@time_machine.travel(NOON_UTC, tick=False)
def test_birthday_within_days_crosses_the_year_end(as_manager, manager, people):
    as_manager.force_login(manager)  # the session must start in the travelled time
    people["Ann"].birth_date = date(1990, 1, 2)
    people["Ben"].birth_date = date(1985, 12, 30)
    people["Cai"].birth_date = date(1985, 1, 10)
    for name in ("Ann", "Ben", "Cai"):
        people[name].save()
    response = as_manager.get(reverse(LIST), {"birthday_within": 7})
    assert names(response) == {"Ann", "Ben"}


@time_machine.travel(datetime(2027, 2, 26, 17, tzinfo=ZoneInfo("UTC")), tick=False)
def test_leap_day_birthday_shows_in_a_non_leap_year(as_manager, manager, people):
    as_manager.force_login(manager)  # the session must start in the travelled time
    people["Dee"].birth_date = date(1992, 2, 29)
    people["Dee"].save()
    assert names(as_manager.get(reverse(LIST), {"birthday_within": 3})) == {"Dee"}


@time_machine.travel(NOON_UTC, tick=False)
def test_partner_birthday_and_anniversary_filters(as_manager, manager, people):
    as_manager.force_login(manager)  # the session must start in the travelled time
    people["Ann"].partner_birth_date = date(1980, 12, 31)
    people["Ann"].save()
    people["Ben"].anniversary = date(2010, 1, 1)
    people["Ben"].save()
    assert names(as_manager.get(reverse(LIST), {"partner_birthday_within": 5})) == {"Ann"}
    assert names(as_manager.get(reverse(LIST), {"anniversary_within": 5})) == {"Ben"}


def test_scope_primary_my_book_and_sold_to(as_manager, manager, org, people):
    people["Ann"].primary_salesperson = manager
    people["Ann"].save()
    book = services.client_book_get_or_create(owner=manager, legal_entity=org["entity"])
    services.client_book_add(book=book, customer=people["Ben"], added_by=manager)
    services.sale_record(customer=people["Cai"], store=org["store_a"], salesperson=manager,
                         sold_at=timezone.now(),
                         lines=[{"title": "Scarf", "amount": Decimal("10.00")}])
    assert names(as_manager.get(reverse(LIST), {"scope": "primary"})) == {"Ann"}
    assert names(as_manager.get(reverse(LIST), {"scope": "my_book"})) == {"Ben"}
    assert names(as_manager.get(reverse(LIST), {"scope": "sold_to"})) == {"Cai"}


def test_store_book_scope_includes_colleagues_of_the_store_group(as_manager, org, people,
                                                                 associate_a):
    book = services.client_book_get_or_create(owner=associate_a, legal_entity=org["entity"])
    services.client_book_add(book=book, customer=people["Dee"], added_by=associate_a)
    assert names(as_manager.get(reverse(LIST), {"scope": "store_book"})) == {"Dee"}


def test_contact_options(as_manager, people):
    people["Ann"].email = ""
    people["Ann"].save()
    people["Ben"].phone = ""
    people["Ben"].save()
    people["Cai"].can_receive_texts = False
    people["Cai"].save()
    WishlistItem.objects.create(customer=people["Dee"], product=ProductFactory())
    CustomerContactHistory.objects.create(customer=people["Dee"], sms_consent="opted_out")
    assert names(as_manager.get(reverse(LIST), {"has_email": "on"})) == {"Ben", "Cai", "Dee"}
    assert names(as_manager.get(reverse(LIST), {"has_phone": "on"})) == {"Ann", "Dee"}
    assert names(as_manager.get(reverse(LIST), {"has_wishlist": "on"})) == {"Dee"}
    assert names(as_manager.get(reverse(LIST), {"exclude_sms_opted_out": "on"})) == {
        "Ann", "Ben", "Cai"}


def test_primary_accounts_only(as_manager, people):
    people["Ben"].primary_account = people["Ann"]
    people["Ben"].save()
    assert "Ben" not in names(as_manager.get(reverse(LIST), {"primary_only": "on"}))


def test_tags_match_any_and_all(as_manager, people):
    vip, summer = TagFactory(name="VIP"), TagFactory(name="Summer")
    CustomerTag.objects.bulk_create([
        CustomerTag(customer=people["Ann"], tag=vip),
        CustomerTag(customer=people["Ann"], tag=summer),
        CustomerTag(customer=people["Ben"], tag=vip),
    ])
    any_match = as_manager.get(reverse(LIST), {"tags": [vip.pk, summer.pk], "tags_match": "any"})
    all_match = as_manager.get(reverse(LIST), {"tags": [vip.pk, summer.pk], "tags_match": "all"})
    assert names(any_match) == {"Ann", "Ben"}
    assert names(all_match) == {"Ann"}


@time_machine.travel(NOON_UTC, tick=False)
def test_communication_history_counts_marketing_only(as_manager, manager, people):
    as_manager.force_login(manager)  # the session must start in the travelled time
    CustomerContactHistory.objects.create(customer=people["Ann"],
                                          last_marketing_at=timezone.now() - timedelta(days=3))
    CustomerContactHistory.objects.create(customer=people["Ben"],
                                          last_marketing_at=timezone.now() - timedelta(days=40),
                                          last_text_at=timezone.now())
    assert names(as_manager.get(reverse(LIST), {"contacted_within": 7})) == {"Ann"}
    assert names(as_manager.get(reverse(LIST), {"not_contacted_within": 7})) == {
        "Ben", "Cai", "Dee"}


@time_machine.travel(NOON_UTC, tick=False)
def test_purchase_history_filters(as_manager, org, manager, people):
    as_manager.force_login(manager)  # the session must start in the travelled time
    product = ProductFactory()
    services.sale_record(customer=people["Ann"], store=org["store_a"], salesperson=manager,
                         sold_at=timezone.now() - timedelta(days=10),
                         lines=[{"title": "Silk scarf", "amount": Decimal("500.00"),
                                 "product": product, "designer": product.designer,
                                 "category": product.category}])
    services.sale_record(customer=people["Ben"], store=org["store_a"], salesperson=manager,
                         sold_at=timezone.now() - timedelta(days=500),
                         lines=[{"title": "Wool coat", "amount": Decimal("2000.00")}])
    assert names(as_manager.get(reverse(LIST), {"purchased_within": 30})) == {"Ann"}
    assert names(as_manager.get(reverse(LIST), {"not_purchased_within": 30})) == {
        "Ben", "Cai", "Dee"}
    assert names(as_manager.get(reverse(LIST), {"sales_12mo_min": "100",
                                                "sales_12mo_max": "600"})) == {"Ann"}
    assert names(as_manager.get(reverse(LIST), {"sales_24mo_min": "1000"})) == {"Ben"}
    assert names(as_manager.get(reverse(LIST), {"designers": [product.designer_id]})) == {"Ann"}
    assert names(as_manager.get(reverse(LIST), {"categories": [product.category_id]})) == {"Ann"}
    assert names(as_manager.get(reverse(LIST), {"titles": "coat, hat"})) == {"Ben"}


def test_only_filterable_attributes_are_offered(as_manager):
    AttributeFactory(name="Shoe size", data_type="decimal", enabled_as_filter=True)
    AttributeFactory(name="Secret score", data_type="number", enabled_as_filter=False)
    form = as_manager.get(reverse(LIST)).context["form"]
    assert "attr-shoe-size_min" in form.fields
    assert not any(name.startswith("attr-secret-score") for name in form.fields)


def test_attribute_filters_by_type(as_manager, people):
    visit = AttributeFactory(name="Last Visit", data_type="date", enabled_as_filter=True)
    size = AttributeFactory(name="Shoe size", data_type="decimal", enabled_as_filter=True)
    vip = AttributeFactory(name="VIP", data_type="boolean", enabled_as_filter=True)
    colour = AttributeFactory(name="Colour", data_type="single_choice", enabled_as_filter=True)
    AttributeOption.objects.create(attribute=colour, value="navy", label="Navy")
    AttributeOption.objects.create(attribute=colour, value="red", label="Red")
    notes = AttributeFactory(name="Style", data_type="text", enabled_as_filter=True)
    set_value = services.attribute_values_set
    set_value(customer=people["Ann"], attribute=visit, raw_values="2026-10-01")
    set_value(customer=people["Ben"], attribute=visit, raw_values="2025-01-01")
    set_value(customer=people["Ann"], attribute=size, raw_values="38.5")
    set_value(customer=people["Cai"], attribute=size, raw_values="42")
    set_value(customer=people["Dee"], attribute=vip, raw_values="yes")
    set_value(customer=people["Cai"], attribute=colour, raw_values="navy")
    set_value(customer=people["Ben"], attribute=notes, raw_values="Loves tailored wool")
    get = as_manager.get
    assert names(get(reverse(LIST), {"attr-last-visit_after": "2026-01-01"})) == {"Ann"}
    assert names(get(reverse(LIST), {"attr-shoe-size_min": "40"})) == {"Cai"}
    assert names(get(reverse(LIST), {"attr-vip": "yes"})) == {"Dee"}
    assert names(get(reverse(LIST), {"attr-colour": ["navy", "red"]})) == {"Cai"}
    assert names(get(reverse(LIST), {"attr-style": "wool"})) == {"Ben"}


@pytest.mark.parametrize("query", ["(212) 555-0123", "212.555.0123", "+1 212 555 0123",
                                   "2125550123"])
def test_search_finds_a_phone_in_any_common_format(as_manager, people, query):
    people["Ann"].phone = "+12125550123"
    people["Ann"].save()
    assert names(as_manager.get(reverse(LIST), {"q": query})) == {"Ann"}


def test_search_by_name_and_email(as_manager, people):
    assert names(as_manager.get(reverse(LIST), {"q": "ben test"})) == {"Ben"}
    assert names(as_manager.get(reverse(LIST), {"q": "cai@example.com"})) == {"Cai"}


@pytest.mark.parametrize("params", [
    {"birthday_within": "soon"}, {"birthday_within": "-3"}, {"sales_12mo_min": "lots"},
    {"scope": "everyone"}, {"tags": ["999999"]}, {"cursor": "not-a-cursor"},
    {"attr-shoe-size_min": "big"}, {"sales_12mo_min": "500", "sales_12mo_max": "100"},
])
def test_malformed_filters_get_a_clear_400(as_manager, people, params):
    AttributeFactory(name="Shoe size", data_type="decimal", enabled_as_filter=True)
    response = as_manager.get(reverse(LIST), params)
    assert response.status_code == 400
    assert "Some filters need a fix" in response.content.decode()


# --- Phone search in the store's country ------------------------------------------------------


@pytest.mark.parametrize("query", ["06 12 34 56 78", "0612345678", "06.12.34.56.78",
                                   "+33 6 12 34 56 78", "0033 6 12 34 56 78"])
def test_a_french_associate_finds_a_customer_by_a_national_number(client, associate_b, customer_b,
                                                                  query):
    client.force_login(associate_b)
    response = client.get(reverse(LIST), {"q": query})
    assert [row["customer"] for row in response.context["result"].rows] == [customer_b]


@pytest.mark.parametrize("query", ["(212) 555-0123", "212-555-0123", "1 212 555 0123",
                                   "+1 (212) 555-0123"])
def test_a_us_associate_finds_a_customer_by_a_national_number(client, associate_a, customer_a,
                                                              query):
    client.force_login(associate_a)
    response = client.get(reverse(LIST), {"q": query})
    assert [row["customer"] for row in response.context["result"].rows] == [customer_a]


@pytest.mark.parametrize("query", ["555-0123", "2125550", "0123", "claire@", "example.com", "claire@example"])
def test_a_part_of_a_masked_number_or_email_finds_nobody_without_the_permission(client, associate_a,
                                                                               manager, customer_a,
                                                                               query):
    # The associate sees them masked: a part must not let them rebuild the value.
    client.force_login(associate_a)
    assert client.get(reverse(LIST), {"q": query}).context["result"].rows == []
    # Whoever may see the details finds the customer by a part of them.
    client.force_login(manager)
    rows = client.get(reverse(LIST), {"q": query}).context["result"].rows
    assert [row["customer"] for row in rows] == [customer_a]


def test_the_full_email_finds_the_customer_in_front_of_the_associate(client, associate_a, customer_a):
    client.force_login(associate_a)
    rows = client.get(reverse(LIST), {"q": "Claire@Example.com"}).context["result"].rows
    assert [row["customer"] for row in rows] == [customer_a]


def test_a_number_read_in_the_store_country_does_not_find_another_number(client, associate_b,
                                                                          customer_b):
    client.force_login(associate_b)
    response = client.get(reverse(LIST), {"q": "06 12 34 56 79"})
    assert response.context["result"].rows == []


# --- Opt-in status and texts (contact history written by conversations) -------------------


def test_opt_in_status_per_channel(as_manager, people):
    services.contact_history_set_consent(customer_id=people["Ann"].pk, channel="sms",
                                         state="opted_in")
    services.contact_history_set_consent(customer_id=people["Ben"].pk, channel="sms",
                                         state="opted_out")
    services.contact_history_set_consent(customer_id=people["Cai"].pk, channel="whatsapp",
                                         state="requested")
    services.contact_history_set_consent(customer_id=people["Cai"].pk, channel="email",
                                         state="opted_in")
    get = as_manager.get
    assert names(get(reverse(LIST), {"sms_consent": "opted_in"})) == {"Ann"}
    assert names(get(reverse(LIST), {"sms_consent": "opted_out"})) == {"Ben"}
    assert names(get(reverse(LIST), {"whatsapp_consent": "requested"})) == {"Cai"}
    assert names(get(reverse(LIST), {"email_consent": "opted_in"})) == {"Cai"}
    # "Not asked" includes customers conversations never wrote anything about.
    assert names(get(reverse(LIST), {"sms_consent": "unknown"})) == {"Cai", "Dee"}


def test_opt_in_status_refuses_an_unknown_state(as_manager, people):
    response = as_manager.get(reverse(LIST), {"sms_consent": "maybe"})
    assert response.status_code == 400


@time_machine.travel(NOON_UTC, tick=False)
def test_last_text_within_and_no_text_within(as_manager, manager, people):
    as_manager.force_login(manager)  # the session must start in the travelled time
    services.contact_history_record_message(
        customer_id=people["Ann"].pk, at=timezone.now() - timedelta(days=2), preview="Hi",
        inbound=True, is_marketing=False, channel="sms")
    services.contact_history_record_message(
        customer_id=people["Ben"].pk, at=timezone.now() - timedelta(days=20), preview="Hello",
        inbound=False, is_marketing=False, channel="whatsapp")
    services.contact_history_record_message(
        customer_id=people["Cai"].pk, at=timezone.now() - timedelta(days=1), preview="News",
        inbound=False, is_marketing=True, channel="email")  # an email is not a text
    assert names(as_manager.get(reverse(LIST), {"texted_within": 7})) == {"Ann"}
    assert names(as_manager.get(reverse(LIST), {"texted_within": 30})) == {"Ann", "Ben"}
    assert names(as_manager.get(reverse(LIST), {"not_texted_within": 7})) == {"Ben", "Cai", "Dee"}


def test_a_filter_group_with_a_value_opens_by_itself(as_manager, people):
    body = as_manager.get(reverse(LIST), {"sms_consent": "opted_in"}).content.decode()
    assert 'id="fg-consent" class="accordion-collapse collapse show"' in body
    assert 'id="fg-dates" class="accordion-collapse collapse"' in body


# --- Mailing lists, and the store's calendar ---------------------------------------------------


def test_mailing_lists_match_any_and_all(as_manager, people):
    from clienteling.models import CustomerMailingList, MailingList

    news = MailingList.objects.create(name="Newsletter", slug="newsletter")
    events = MailingList.objects.create(name="Events", slug="events")
    CustomerMailingList.objects.bulk_create([
        CustomerMailingList(customer=people["Ann"], mailing_list=news),
        CustomerMailingList(customer=people["Ann"], mailing_list=events),
        CustomerMailingList(customer=people["Ben"], mailing_list=events),
    ])
    chosen = [news.pk, events.pk]
    assert names(as_manager.get(reverse(LIST), {"mailing_lists": chosen,
                                                "mailing_lists_match": "any"})) == {"Ann", "Ben"}
    assert names(as_manager.get(reverse(LIST), {"mailing_lists": chosen,
                                                "mailing_lists_match": "all"})) == {"Ann"}


# 23:30 on 31 December in New York is already 1 January in UTC.
NEW_YEARS_EVE_NIGHT = datetime(2027, 1, 1, 4, 30, tzinfo=ZoneInfo("UTC"))


@time_machine.travel(NEW_YEARS_EVE_NIGHT, tick=False)
def test_within_n_days_counts_from_the_stores_day_not_utcs(as_manager, manager, people):
    as_manager.force_login(manager)  # the session must start in the travelled time
    people["Ann"].birth_date = date(1990, 12, 31)  # today in New York
    people["Ben"].birth_date = date(1990, 1, 1)    # today in UTC, tomorrow in New York
    people["Ann"].save()
    people["Ben"].save()
    services.sale_record(customer=people["Cai"], store=as_manager_store(manager),
                         salesperson=manager,
                         sold_at=datetime(2026, 12, 31, 5, 30, tzinfo=ZoneInfo("UTC")),
                         lines=[{"title": "Gloves", "amount": Decimal("80.00")}])
    assert names(as_manager.get(reverse(LIST), {"birthday_within": 0})) == {"Ann"}
    assert names(as_manager.get(reverse(LIST), {"birthday_within": 1})) == {"Ann", "Ben"}
    # 00:30 on 31 December in New York: today in the store's calendar (yesterday in UTC's).
    assert names(as_manager.get(reverse(LIST), {"purchased_within": 0})) == {"Cai"}


def as_manager_store(user):
    return user.staff_profile.home_store


def test_filter_choices_follow_the_admins_changes_at_once(as_manager):
    from clienteling.models import CustomerAttribute

    def section(key):
        return as_manager.get(reverse("clienteling:filter_group", args=[key])).content.decode()

    assert "Fresh arrivals" not in section("tags")  # now cached
    tag = TagFactory(name="Fresh arrivals")
    AttributeFactory(name="Preferred fitter", enabled_as_filter=True,
                     data_type=CustomerAttribute.DataType.TEXT)
    assert "Fresh arrivals" in section("tags") and "Preferred fitter" in section("attributes")
    tag.active = False
    tag.save()
    assert "Fresh arrivals" not in section("tags")


def test_closed_filter_sections_load_their_fields_when_first_opened(as_manager):
    """The list renders the fields of the sections in use; the others come on opening."""
    page = as_manager.get(reverse(LIST)).content.decode()
    assert 'id="id_q"' in page and 'id="id_birthday_within"' not in page
    assert reverse("clienteling:filter_group", args=["dates"]) in page

    section = as_manager.get(reverse("clienteling:filter_group", args=["dates"]))
    assert section.status_code == 200 and 'id="id_birthday_within"' in section.content.decode()
    assert as_manager.get(reverse("clienteling:filter_group", args=["nothing"])).status_code == 404

    # A section holding a value is open, its fields in the page.
    filtered = as_manager.get(reverse(LIST), {"birthday_within": 7}).content.decode()
    assert 'id="id_birthday_within"' in filtered and 'value="7"' in filtered
