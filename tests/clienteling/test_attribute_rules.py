"""Where attributes show: their channels, the customer card, the client book attribute group."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clienteling import services
from clienteling.models import (
    AttributeGroup,
    CustomerCardProperty,
    CustomerMeasures,
    ModuleSettings,
    ProfileSectionAttribute,
    SalesChannel,
)
from clienteling.selectors.attributes import customer_attributes
from tests.clienteling.profile_helpers import profile_url, section, url
from tests.factories import AttributeFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def in_section(*attributes):
    preferences = section("attributes")
    for position, attribute in enumerate(attributes):
        ProfileSectionAttribute.objects.create(section=preferences, attribute=attribute,
                                               position=position)
    return preferences


def book_of(user, org, *customers):
    book = services.client_book_get_or_create(owner=user, legal_entity=org["entity"])
    for customer in customers:
        services.client_book_add(book=book, customer=customer, added_by=user)
    return book


def set_value(customer, attribute, value, channel=SalesChannel.STORE):
    services.attribute_values_set(customer=customer, attribute=attribute, raw_values=value,
                                  channel=channel)


def use_client_book_group(group):
    settings = ModuleSettings.load()
    settings.client_book_attribute_group = group
    settings.save()


# Channels ------------------------------------------------------------------------------------

@pytest.fixture
def web_only():
    """Shown to customers on the web, never to associates in the store."""
    return AttributeFactory(name="Newsletter topics", channel_store=False, channel_web=True,
                            enabled_as_filter=True, can_be_refined=True, show_on_card=True)


def test_an_attribute_limited_to_the_web_stays_out_of_the_console(client, org, manager, customer_a,
                                                                   web_only):
    # Given a store attribute and a web-only one, both in the profile, filterable, on the card
    store = AttributeFactory(name="Shoe size", enabled_as_filter=True, can_be_refined=True,
                             show_on_card=True)
    preferences = in_section(store, web_only)
    set_value(customer_a, store, "41")
    set_value(customer_a, web_only, "Bridal", channel=SalesChannel.WEB)
    book_of(manager, org, customer_a)
    client.force_login(manager)

    # The profile, its edit form, the list's filters, the book's refinement and card: store only
    profile = client.get(profile_url(customer_a)).content.decode()
    assert "Shoe size" in profile and "Newsletter topics" not in profile and "Bridal" not in profile
    form = client.get(url("profile_attributes_edit", customer_a, preferences.pk)).content.decode()
    assert "Shoe size" in form and "Newsletter topics" not in form
    filters = client.get(reverse("clienteling:customer_list")).context["result"].filterset
    assert set(filters.attributes) == {store.slug}
    book = client.get(reverse("clienteling:my_client_book"))
    assert set(book.context["result"].filterset.attributes) == {store.slug}
    assert [p["label"] for p in book.context["cards"][0]["properties"]] == ["Shoe size"]


def test_customer_facing_pages_read_the_web_channels_attributes(customer_a, web_only):
    store = AttributeFactory(name="Shoe size")
    both = AttributeFactory(name="Birthday gift", channel_web=True)
    # In display order (all at position 0 here: by name)
    assert customer_attributes(customer=customer_a, channel=SalesChannel.WEB) == [both, web_only]
    assert customer_attributes(customer=customer_a, channel=SalesChannel.STORE) == [both, store]


def test_a_write_states_its_channel_and_is_refused_where_the_attribute_is_not_used(customer_a,
                                                                                  web_only):
    store = AttributeFactory(name="Shoe size")
    with pytest.raises(ValidationError, match="not used on the Store channel"):
        set_value(customer_a, web_only, "Bridal")  # the console writes as the store
    with pytest.raises(ValidationError, match="not used on the Web channel"):
        set_value(customer_a, store, "41", channel=SalesChannel.WEB)
    set_value(customer_a, web_only, "Bridal", channel=SalesChannel.WEB)
    assert customer_a.attribute_values.get().value == "Bridal"


# The customer card ---------------------------------------------------------------------------

def card(client, user, customer):
    client.force_login(user)
    return client.get(reverse("clienteling:my_client_book")).context["cards"][0]["properties"]


def test_the_card_shows_the_measures_then_the_marked_attributes_in_display_order(
        client, org, manager, customer_a):
    # Given a pinned measure and four attributes marked for the card, listed out of order
    CustomerCardProperty.objects.create(position=1, measure="sales_12mo")
    CustomerMeasures.objects.create(customer=customer_a, sales_12mo=250)
    third = AttributeFactory(name="Colour", show_on_card=True, position=3)
    first = AttributeFactory(name="Size", show_on_card=True, position=1)
    AttributeFactory(name="Fit", show_on_card=True, position=4)
    AttributeFactory(name="Hidden", show_on_card=False, position=0)
    set_value(customer_a, first, "M")
    set_value(customer_a, third, "Navy")
    book_of(manager, org, customer_a)

    # Then the card holds three: the measure, then the first two marked attributes
    assert card(client, manager, customer_a) == [
        {"label": "Sales 12 months", "value": 250, "kind": "money"},
        {"label": "Size", "value": "M", "kind": "text"},
        {"label": "Colour", "value": "Navy", "kind": "text"},
    ]


def test_an_admin_can_still_pin_an_attribute_one_by_one(client, org, manager, customer_a):
    pinned = AttributeFactory(name="Tailor", show_on_card=False, position=9)
    marked = AttributeFactory(name="Size", show_on_card=True, position=1)
    CustomerCardProperty.objects.create(position=1, attribute=pinned)
    set_value(customer_a, pinned, "Marco")
    book_of(manager, org, customer_a)
    labels = [p["label"] for p in card(client, manager, customer_a)]
    assert labels == [marked.name, "Tailor"]  # together, in display order


def test_the_profile_header_shows_the_customer_card(client, manager, customer_a):
    size = AttributeFactory(name="Size", show_on_card=True)
    set_value(customer_a, size, "M")
    CustomerCardProperty.objects.create(position=1, measure="sales_all")
    CustomerMeasures.objects.create(customer=customer_a, sales_all=1200)
    client.force_login(manager)
    response = client.get(profile_url(customer_a))
    assert [p["label"] for p in response.context["card"]] == ["Sales all time", "Size"]
    header = response.content.decode().split('id="customer-card"')[1].split("</header>")[0]
    assert "Sales all time" in header and "$1,200.00" in header and "Size" in header


# The client book attribute group (Dynamics) --------------------------------------------------

@pytest.fixture
def groups():
    """"Client book" is the group the admin picked; "Standard" is every customer's."""
    book_group = AttributeGroup.objects.create(name="Client book", position=1)
    standard = AttributeGroup.objects.create(name="Standard", position=2)
    return {
        "group": book_group,
        "occasion": AttributeFactory(name="Next occasion", group=book_group, can_be_refined=True,
                                     show_on_card=True, position=1),
        "stylist": AttributeFactory(name="Stylist notes", group=book_group, position=2),
        "size": AttributeFactory(name="Size", group=standard, can_be_refined=True,
                                 show_on_card=True, position=3),
    }


def test_the_admin_picks_the_client_book_attribute_group_once(client, company_admin, groups):
    client.force_login(company_admin)
    change = reverse("admin:clienteling_modulesettings_change", args=[ModuleSettings.load().pk])
    assert 'name="client_book_attribute_group"' in client.get(change).content.decode()
    client.post(change, {"customers_enabled": "on", "switch_conversations": "on",
                         "switch_remote_carts": "on",
                         "client_book_attribute_group": groups["group"].pk})
    assert ModuleSettings.load().client_book_attribute_group == groups["group"]


def test_client_book_refinement_offers_the_groups_attributes(client, org, manager, groups):
    occasion = groups["occasion"]
    anniversary, birthday = CustomerFactory.create_batch(2, legal_entity=org["entity"])
    set_value(anniversary, occasion, "Anniversary")
    set_value(birthday, occasion, "Birthday")
    book_of(manager, org, anniversary, birthday)
    client.force_login(manager)
    # Without a group: every refinable attribute
    book = reverse("clienteling:my_client_book")
    assert set(client.get(book).context["result"].filterset.attributes) == {
        occasion.slug, groups["size"].slug}

    use_client_book_group(groups["group"])

    page = client.get(book)
    assert set(page.context["result"].filterset.attributes) == {occasion.slug}
    body = page.content.decode()
    assert "Refine by attributes" in body and f'name="attr-{occasion.slug}"' in body
    assert f'name="attr-{groups["size"].slug}"' not in body
    refined = client.get(book, {f"attr-{occasion.slug}": "birth"})
    assert [c["customer"] for c in refined.context["cards"]] == [birthday]
    assert 'id="refine" open' in refined.content.decode()  # what refines the book stays in view


def test_the_cards_marked_attributes_come_from_the_client_book_group(client, org, manager,
                                                                      customer_a, groups):
    book_of(manager, org, customer_a)
    assert [p["label"] for p in card(client, manager, customer_a)] == ["Next occasion", "Size"]
    use_client_book_group(groups["group"])
    assert [p["label"] for p in card(client, manager, customer_a)] == ["Next occasion"]


def test_client_book_attributes_show_on_a_profile_only_in_a_client_book(client, org, manager,
                                                                        associate_a, groups):
    # Given the client book group picked, and both groups' attributes in the profile
    use_client_book_group(groups["group"])
    preferences = in_section(groups["occasion"], groups["stylist"], groups["size"])
    customer = CustomerFactory(legal_entity=org["entity"], home_store=org["store_a"])
    client.force_login(manager)

    # A customer in nobody's book shows the standard attributes only, to view and to edit
    body = client.get(profile_url(customer)).content.decode()
    assert "Size" in body and "Next occasion" not in body and "Stylist notes" not in body
    form = client.get(url("profile_attributes_edit", customer, preferences.pk)).content.decode()
    assert "Size" in form and "Stylist notes" not in form
    assert customer_attributes(customer=customer, channel=SalesChannel.STORE) == [groups["size"]]

    # Once in a client book (anyone's), the client book attributes show as well
    book_of(associate_a, org, customer)
    body = client.get(profile_url(customer)).content.decode()
    assert "Size" in body and "Next occasion" in body and "Stylist notes" in body
    form = client.get(url("profile_attributes_edit", customer, preferences.pk)).content.decode()
    assert "Stylist notes" in form
    assert len(customer_attributes(customer=customer, channel=SalesChannel.STORE)) == 3
