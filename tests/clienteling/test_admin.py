"""The Company Admin configuration screens."""

import pytest
from django.contrib import admin
from django.urls import reverse

from clienteling.models import CustomerAttribute, ModuleSettings, ProfileSection

pytestmark = pytest.mark.django_db

REGISTERED = sorted(
    ((model._meta.app_label, model._meta.model_name) for model in admin.site._registry),
)


def admin_url(app_label, model_name, view):
    return reverse(f"admin:{app_label}_{model_name}_{view}")


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
@pytest.mark.parametrize("view", ["changelist", "add"])
def test_associate_is_kept_out_of_the_admin(client, associate_a, app_label, model_name, view):
    client.force_login(associate_a)
    response = client.get(admin_url(app_label, model_name, view))
    # Not staff: the admin sends them to its own sign-in, and shows nothing.
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login") + "?next=")


def test_last_visit_attribute_end_to_end(client, company_admin):
    client.force_login(company_admin)
    response = client.post(admin_url("clienteling", "customerattribute", "add"), {
        "name": "Last Visit",
        "description": "When the customer last came to the store",
        "data_type": "date",
        "customer_editable": "on",
        "channel_store": "on",
        "channel_web": "on",
        "enabled_as_filter": "on",
        "active": "on",
        "options-TOTAL_FORMS": "0", "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0", "options-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    attribute = CustomerAttribute.objects.get(name="Last Visit")
    assert attribute.slug == "last-visit"
    assert attribute.data_type == "date"
    assert not attribute.allows_multiple
    assert attribute.customer_editable and attribute.enabled_as_filter
    assert (attribute.channel_store, attribute.channel_web, attribute.channel_app) == (
        True, True, False)


def test_module_settings_opens_as_one_object(client, company_admin):
    client.force_login(company_admin)
    response = client.get(admin_url("clienteling", "modulesettings", "changelist"))
    assert response.status_code == 302
    settings = ModuleSettings.load()
    change = reverse("admin:clienteling_modulesettings_change", args=[settings.pk])
    assert response["Location"] == change
    page = client.get(change).content.decode()
    assert 'name="switch_conversations"' in page and 'name="switch_remote_carts"' in page
    client.post(change, {"switch_conversations": "on"})  # customers and remote carts unticked
    module = ModuleSettings.load()
    assert module.customers_enabled is False and module.switches == {
        "conversations": True, "remote_carts": False, "appointments": False, "insights": False}
    assert not module.enabled("conversations")  # needs the customer module too


def test_profile_layout_starts_with_purchase_history_and_can_be_reordered(client, company_admin):
    sections = list(ProfileSection.objects.values_list("kind", flat=True))
    assert "purchase_history" in sections and "attributes" in sections
    client.force_login(company_admin)
    purchase = ProfileSection.objects.get(kind="purchase_history")
    first = ProfileSection.objects.first()
    response = client.post(
        reverse("admin:clienteling_profilesection_sortable_update"),
        data={"updatedItems": [[purchase.pk, 0], [first.pk, purchase.position]]},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert list(ProfileSection.objects.values_list("kind", flat=True))[0] == "purchase_history"


def test_company_admin_cannot_make_anyone_superuser(client, company_admin, associate_a):
    client.force_login(company_admin)
    change = reverse("admin:auth_user_change", args=[associate_a.pk])
    body = client.get(change).content.decode()
    assert 'name="is_superuser"' not in body
    assert 'name="user_permissions"' not in body


# --- The product docs' "Last Visit" attribute, from the admin to the console ------------


def form_fields(html: str, form_id: str | None = None) -> dict[str, list[str]]:
    """The values a browser would submit for the admin's change form (inputs, selects, checkboxes)."""
    from html.parser import HTMLParser

    class Fields(HTMLParser):
        def __init__(self):
            super().__init__()
            self.values: dict[str, list[str]] = {}
            self.select: str | None = None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            name = attrs.get("name")
            if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
                if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                    return
                self.values.setdefault(name, []).append(attrs.get("value", "on"))
            elif tag == "select" and name:
                self.select = name
                self.values.setdefault(name, [])
            elif tag == "option" and self.select and "selected" in attrs:
                self.values[self.select].append(attrs.get("value", ""))

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None

    parser = Fields()
    parser.feed(html)
    return {k: v for k, v in parser.values.items() if not k.startswith("_")}


def test_last_visit_from_the_admin_to_the_list_filters_and_the_profile(client, company_admin,
                                                                       associate_a, org):
    from datetime import date

    from django.test import Client

    from clienteling import services
    from tests.factories import CustomerFactory

    # Given the Company Admin creates "Last Visit" as in the product docs
    client.force_login(company_admin)
    response = client.post(admin_url("clienteling", "customerattribute", "add"), {
        "name": "Last Visit", "description": "When the customer last came to the store",
        "data_type": "date", "customer_editable": "on", "channel_store": "on",
        "channel_web": "on", "enabled_as_filter": "on", "active": "on",
        "options-TOTAL_FORMS": "0", "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0", "options-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 302
    visit = CustomerAttribute.objects.get(slug="last-visit")

    # ... and adds it to the profile's attributes section in the admin
    section = ProfileSection.objects.get(kind="attributes")
    change = reverse("admin:clienteling_profilesection_change", args=[section.pk])
    data = form_fields(client.get(change).content.decode())
    prefix = "section_attributes"
    row = int(data[f"{prefix}-TOTAL_FORMS"][0])
    data.update({f"{prefix}-TOTAL_FORMS": [str(row + 1)],
                 f"{prefix}-{row}-attribute": [str(visit.pk)], f"{prefix}-{row}-enabled": ["on"],
                 f"{prefix}-{row}-section": [str(section.pk)]})
    data.pop(f"{prefix}-__prefix__-attribute", None)
    response = client.post(change, {k: v if len(v) != 1 else v[0] for k, v in data.items()})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert section.section_attributes.filter(attribute=visit, enabled=True).exists()

    # And customers have visited on different days
    recent = CustomerFactory(legal_entity=org["entity"], first_name="Recent", last_name="Visitor")
    former = CustomerFactory(legal_entity=org["entity"], first_name="Former", last_name="Visitor")
    services.attribute_values_set(customer=recent, attribute=visit, raw_values="2026-10-01")
    services.attribute_values_set(customer=former, attribute=visit, raw_values="2024-03-15")

    # When an associate opens the customer list
    associate = Client()
    associate.force_login(associate_a)
    page = associate.get(reverse("clienteling:filter_group", args=["attributes"])).content.decode()

    # Then "Last Visit" is a date range among the filters (its section, opened), and it filters
    assert 'type="date" name="attr-last-visit_after"' in page
    assert 'type="date" name="attr-last-visit_before"' in page
    assert "Last Visit" in page
    response = associate.get(reverse("clienteling:customer_list"),
                             {"attr-last-visit_after": "2026-01-01"})
    assert [row["customer"] for row in response.context["result"].rows] == [recent]
    response = associate.get(reverse("clienteling:customer_list"),
                             {"attr-last-visit_before": "2025-01-01"})
    assert [row["customer"] for row in response.context["result"].rows] == [former]

    # And the profile shows it in the attributes section
    profile = associate.get(reverse("clienteling:customer_detail", args=[recent.pk]))
    attributes = next(item for item in profile.context["sections"]
                      if item["section"].pk == section.pk)["attributes"]
    assert [(a["name"], a["values"]) for a in attributes if a["name"] == "Last Visit"] == [
        ("Last Visit", [date(2026, 10, 1)])]
    assert "Last Visit" in profile.content.decode()


@pytest.mark.parametrize(("model_name", "query"), [
    ("activity", "visit"), ("note", "silk"), ("task", "call"), ("profilesection", "purchase"),
    ("shift", "alex"), ("legalentity", "atelier"), ("activitytype", "visit"), ("bulkjob", "ada"),
])
def test_admin_lists_can_be_searched(client, company_admin, model_name, query):
    client.force_login(company_admin)
    response = client.get(admin_url("clienteling", model_name, "changelist"), {"q": query})
    assert response.status_code == 200
