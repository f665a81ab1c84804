"""Saved lists ("Create my own"), list templates and the columns they remember."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from clienteling import services
from clienteling.models import CustomerTag, GridPreference, SavedCustomerList, StaffProfile
from tests.factories import CustomerFactory, TagFactory, make_staff

pytestmark = pytest.mark.django_db
LIST = "clienteling:customer_list"
HTMX_RESULTS = {"HX-Request": "true", "HX-Target": "results"}


def list_state(body: str, form_id: str) -> dict[str, list[str]]:
    """The hidden inputs the results fragment renders for a form outside it."""
    state: dict[str, list[str]] = {}
    for tag in re.findall(r"<input[^>]*>", body):
        if f'form="{form_id}"' not in tag:
            continue
        name = re.search(r'name="([^"]*)"', tag).group(1)
        value = re.search(r'value="([^"]*)"', tag).group(1).replace("&amp;", "&")
        state.setdefault(name, []).append(value)
    return state


def template(owner, store=None, status="published", **fields):
    return SavedCustomerList.objects.create(owner=owner, name=fields.pop("name", "Template"),
                                            is_template=True, template_status=status,
                                            store=store, **fields)


@pytest.fixture
def manager_a2(org):
    """A manager of Boston only (same legal entity and store group as New York)."""
    return make_staff(StaffProfile.Role.STORE_MANAGER, org["store_a2"], username="manager.bos",
                      first_name="Bo", last_name="Boston")


# --- "Create my own" -------------------------------------------------------------------


def test_create_my_own_saves_the_filters_of_the_last_live_search(client, manager, org):
    # Given a manager who filtered live (htmx) after the page loaded with other filters
    vip = TagFactory(name="VIP")
    client.force_login(manager)
    client.get(reverse(LIST), {"birthday_within": "7"})
    fragment = client.get(reverse(LIST), {"birthday_within": "30", "tags": [vip.pk],
                                          "sort": "-sales_12mo"},
                          headers=HTMX_RESULTS).content.decode()

    # When the "Create my own" dialog is submitted with what the fragment carries
    state = list_state(fragment, "save-list-form")
    client.post(reverse("clienteling:saved_list_create"), {**state, "name": "Birthdays"})

    # Then the list holds the filters shown last, not those of the first page load
    saved = SavedCustomerList.objects.get(owner=manager, name="Birthdays")
    assert saved.filters == {"birthday_within": ["30"], "tags": [str(vip.pk)]}
    assert saved.sort == "-sales_12mo"


def test_create_my_own_keeps_the_column_order(client, manager):
    # Given columns chosen in an order that is not the menu's
    client.force_login(manager)
    services.grid_preference_set(user=manager, columns=["tags", "city", "email"])
    fragment = client.get(reverse(LIST), headers=HTMX_RESULTS).content.decode()

    # When the list is saved
    client.post(reverse("clienteling:saved_list_create"),
                {**list_state(fragment, "save-list-form"), "name": "Ordered"})

    # Then its columns keep that order, the customer column first
    saved = SavedCustomerList.objects.get(name="Ordered")
    assert saved.columns == ["customer", "tags", "city", "email"]
    result = client.get(reverse(LIST), {"list": saved.pk}).context["result"]
    assert [c.key for c in result.columns] == ["customer", "tags", "city", "email"]


def test_a_saved_list_opens_with_its_sort(client, manager, org):
    CustomerFactory(legal_entity=org["entity"], first_name="Ann", last_name="Able")
    CustomerFactory(legal_entity=org["entity"], first_name="Zoe", last_name="Zed")
    saved = services.saved_list_create(owner=manager, name="Z first", filters={},
                                       columns=["customer"], sort="-customer")
    client.force_login(manager)
    rows = client.get(reverse(LIST), {"list": saved.pk}).context["result"].rows
    assert [row["customer"].first_name for row in rows] == ["Zoe", "Ann"]


def test_a_list_without_a_name_is_not_saved(client, manager):
    client.force_login(manager)
    response = client.post(reverse("clienteling:saved_list_create"), {"name": "  ", "query": ""})
    assert response.status_code == 302
    assert not SavedCustomerList.objects.exists()


def test_columns_are_remembered_per_saved_list(client, manager):
    # Given a saved list and a default grid
    saved = services.saved_list_create(owner=manager, name="Mine", filters={},
                                       columns=["customer", "email"])
    services.grid_preference_set(user=manager, columns=["city"])
    client.force_login(manager)

    # When the columns are changed while the list is open
    client.post(reverse("clienteling:grid_columns"),
                {"list": saved.pk, "cols": ["phone", "tags", "customer"]})

    # Then the list remembers them and the default grid keeps its own
    saved.refresh_from_db()
    assert saved.columns == ["customer", "phone", "tags"]
    assert GridPreference.objects.get(user=manager).columns == ["customer", "city"]
    in_list = client.get(reverse(LIST), {"list": saved.pk}).context["result"]
    default = client.get(reverse(LIST)).context["result"]
    assert [c.key for c in in_list.columns] == ["customer", "phone", "tags"]
    assert [c.key for c in default.columns] == ["customer", "city"]


def test_the_column_menu_lists_shown_columns_first_in_their_order(client, manager):
    services.grid_preference_set(user=manager, columns=["tags", "city"])
    client.force_login(manager)
    menu = client.get(reverse(LIST)).context["column_menu"]
    assert [item["column"].key for item in menu[:3]] == ["customer", "tags", "city"]
    assert [item["checked"] for item in menu[:4]] == [True, True, True, False]


def test_updating_a_saved_list_keeps_its_new_filters_columns_and_sort(client, manager):
    saved = services.saved_list_create(owner=manager, name="Mine", filters={"q": ["a"]},
                                       columns=["customer"])
    client.force_login(manager)
    client.post(reverse("clienteling:saved_list_update", args=[saved.pk]),
                {"query": "birthday_within=14", "cols": ["customer", "dob"], "sort": "city"})
    saved.refresh_from_db()
    assert (saved.filters, saved.columns, saved.sort) == (
        {"birthday_within": ["14"]}, ["customer", "dob"], "city")


# --- List templates -------------------------------------------------------------------------


def test_manager_edits_a_template_of_their_store(client, manager, org):
    # Given a draft template of the manager's store
    old = template(manager, org["store_a"], status="draft", name="Old name",
                   filters={"birthday_within": ["7"]}, columns=["customer"])
    client.force_login(manager)
    page = client.get(reverse("clienteling:list_template_edit", args=[old.pk]))
    assert page.status_code == 200
    assert page.context["filter_form"]["birthday_within"].value() == "7"

    # When name, description, filters, columns and status change
    response = client.post(reverse("clienteling:list_template_edit", args=[old.pk]), {
        "name": "Lapsed VIPs", "description": "No purchase this year",
        "template_status": "published", "store": org["store_a"].pk,
        "not_purchased_within": "365", "sales_24mo_min": "1000",
        "cols": ["sales_24mo", "customer", "last_sale"], "sort": "-sales_24mo",
    })

    # Then the template holds all of it
    assert response.status_code == 302
    old.refresh_from_db()
    assert (old.name, old.description, old.template_status) == (
        "Lapsed VIPs", "No purchase this year", "published")
    assert old.filters == {"not_purchased_within": ["365"], "sales_24mo_min": ["1000"]}
    assert old.columns == ["customer", "sales_24mo", "last_sale"]
    assert old.sort == "-sales_24mo"


def test_bad_template_filters_are_explained_and_nothing_is_saved(client, manager, org):
    old = template(manager, org["store_a"], filters={"birthday_within": ["7"]})
    client.force_login(manager)
    response = client.post(reverse("clienteling:list_template_edit", args=[old.pk]), {
        "name": "Broken", "template_status": "published", "store": org["store_a"].pk,
        "sales_12mo_min": "900", "sales_12mo_max": "100"})
    assert response.status_code == 400
    assert "Must not be below the lower bound." in response.content.decode()
    old.refresh_from_db()
    assert old.name == "Template" and old.filters == {"birthday_within": ["7"]}


@pytest.mark.parametrize("view", ["list_template_edit", "list_template_status"])
def test_a_manager_of_another_store_gets_404(client, manager, manager_a2, org, view):
    # Given a template of New York, and the manager of Boston
    new_york = template(manager, org["store_a"], status="draft")
    client.force_login(manager_a2)

    # When they try to change it
    response = client.post(reverse(f"clienteling:{view}", args=[new_york.pk]),
                           {"name": "Mine now", "status": "published",
                            "template_status": "published", "store": org["store_a2"].pk})

    # Then it is not found, and nothing changed
    assert response.status_code == 404
    new_york.refresh_from_db()
    assert (new_york.name, new_york.template_status) == ("Template", "draft")


def test_a_manager_sees_only_their_stores_and_company_wide_templates(client, manager, manager_a2,
                                                                     company_admin, org):
    template(manager, org["store_a"], name="New York only")
    template(manager_a2, org["store_a2"], name="Boston only")
    template(company_admin, None, name="Everywhere")
    client.force_login(manager_a2)
    rows = client.get(reverse("clienteling:list_template_manage")).context["rows"]
    assert {(row["template"].name, row["can_change"]) for row in rows} == {
        ("Boston only", True), ("Everywhere", False)}


def test_company_wide_templates_are_read_only_for_managers(client, manager, company_admin):
    everywhere = template(company_admin, None, status="published")
    client.force_login(manager)
    response = client.post(reverse("clienteling:list_template_status", args=[everywhere.pk]),
                           {"status": "retired"})
    assert response.status_code == 404
    everywhere.refresh_from_db()
    assert everywhere.template_status == "published"


def test_a_manager_publishes_only_to_a_store_they_manage(client, manager, org):
    client.force_login(manager)
    response = client.post(reverse("clienteling:list_template_create"), {
        "name": "Boston list", "template_status": "published", "store": org["store_a2"].pk})
    assert response.status_code == 400
    assert not SavedCustomerList.objects.filter(is_template=True).exists()
    no_store = client.post(reverse("clienteling:list_template_create"), {
        "name": "Everywhere", "template_status": "published"})
    assert no_store.status_code == 400


def test_company_admin_changes_any_template_and_publishes_to_every_store(client, company_admin,
                                                                         manager, org):
    new_york = template(manager, org["store_a"], status="draft")
    client.force_login(company_admin)
    client.post(reverse("clienteling:list_template_edit", args=[new_york.pk]), {
        "name": "For everyone", "template_status": "published", "store": ""})
    new_york.refresh_from_db()
    assert (new_york.name, new_york.store, new_york.template_status) == (
        "For everyone", None, "published")


def test_manager_retires_a_template_of_their_store(client, manager, org):
    mine = template(manager, org["store_a"])
    client.force_login(manager)
    client.post(reverse("clienteling:list_template_status", args=[mine.pk]), {"status": "retired"})
    mine.refresh_from_db()
    assert mine.template_status == "retired"


def test_new_template_starts_from_the_list_the_manager_was_looking_at(client, manager):
    client.force_login(manager)
    page = client.get(reverse("clienteling:list_template_create"),
                      {"query": "birthday_within=30&has_email=on",
                       "cols": ["customer", "dob"], "sort": "city"})
    assert page.context["filter_form"]["birthday_within"].value() == "30"
    assert [i["column"].key for i in page.context["column_menu"] if i["checked"]] == [
        "customer", "dob"]
    assert page.context["form"]["sort"].value() == "city"


def test_associates_see_published_templates_of_their_stores_only(client, associate_a, manager_a2,
                                                                 company_admin, org):
    template(manager_a2, org["store_a2"], name="Boston only")
    template(company_admin, None, name="Everywhere")
    template(company_admin, None, name="Draft", status="draft")
    client.force_login(associate_a)
    names = {t.name for t in client.get(reverse("clienteling:list_templates")).context["templates"]}
    assert names == {"Everywhere"}


def test_a_copied_template_is_a_live_list_of_its_own(client, associate_a, company_admin, org):
    vip = TagFactory(name="VIP")
    published = template(company_admin, None, filters={"tags": [str(vip.pk)]},
                         columns=["customer", "tags"], sort="city")
    client.force_login(associate_a)
    client.post(reverse("clienteling:list_template_copy", args=[published.pk]))
    copy = SavedCustomerList.objects.get(owner=associate_a)
    assert (copy.columns, copy.sort, copy.source_template) == (["customer", "tags"], "city",
                                                               published)
    customer = CustomerFactory(legal_entity=org["entity"])
    CustomerTag.objects.create(customer=customer, tag=vip)
    rows = client.get(reverse(LIST), {"list": copy.pk}).context["result"].rows
    assert [row["customer"] for row in rows] == [customer]


def test_only_template_managers_open_the_template_editor(associate_a, manager, org):
    associate = Client()
    associate.force_login(associate_a)
    mine = template(manager, org["store_a"])
    assert associate.get(reverse("clienteling:list_template_edit", args=[mine.pk])).status_code == 403
