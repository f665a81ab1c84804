"""Editing a customer: contact details (sensitive or not) and attribute values of every type."""

from datetime import date
from decimal import Decimal

import pytest

from clienteling import services
from clienteling.models import CustomerAttribute, CustomerAttributeValue, StaffProfile
from tests.clienteling.profile_helpers import HTMX, field, profile_url, section, toast, url
from tests.factories import (
    AttributeFactory,
    make_staff,
)

pytestmark = pytest.mark.django_db
DataType = CustomerAttribute.DataType


# Contact details -----------------------------------------------------------------------------

def test_associate_sees_masked_contact_details_and_a_form_without_them(client, associate_a,
                                                                       customer_a):
    client.force_login(associate_a)

    profile = client.get(profile_url(customer_a)).content.decode()
    form = client.get(url("profile_contact_edit", customer_a), headers=HTMX).content.decode()

    assert "claire@example.com" not in profile and "c•••@e•••" in profile
    assert "claire@example.com" not in form and "555" not in form
    assert 'name="email"' not in form and 'name="phone"' not in form
    assert 'name="birth_date"' not in form and 'name="address_line1"' not in form
    assert 'name="first_name"' in form


def test_associate_changes_the_name_but_not_sensitive_fields(client, associate_a, customer_a):
    client.force_login(associate_a)

    response = client.post(url("profile_contact_edit", customer_a), {
        "first_name": "Claire-Marie", "last_name": "Dupont", "can_receive_texts": "on",
        "email": "attacker@example.com", "phone": "+12125559999", "birth_date": "2000-01-01",
        "city": "Nowhere",
    }, headers=HTMX)

    assert response.status_code == 200
    customer_a.refresh_from_db()
    assert customer_a.first_name == "Claire-Marie"
    assert customer_a.email == "claire@example.com"
    assert str(customer_a.phone) == "+12125550123"
    assert customer_a.birth_date == date(1985, 6, 15) and customer_a.city == ""
    body = response.content.decode()
    assert 'id="customer-name" hx-swap-oob="true">Claire-Marie Dupont' in body
    assert "attacker@example.com" not in body


def test_the_contact_service_refuses_sensitive_changes_without_permission(customer_a,
                                                                          associate_a):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.customer_update_contact(customer=customer_a, changes={"email": "x@example.com"},
                                         updated_by=associate_a, sensitive_allowed=False)


def test_manager_edits_sensitive_details_with_a_local_phone_number(client, manager, customer_a):
    client.force_login(manager)

    response = client.post(url("profile_contact_edit", customer_a), {
        "first_name": "Claire", "last_name": "Dupont", "can_receive_texts": "on",
        "email": "Claire.D@Example.com", "phone": "(212) 555-0199", "birth_date": "1986-02-28",
        "anniversary": "", "partner_name": "Paul", "partner_birth_date": "1984-07-01",
        "address_line1": "1 Fifth Avenue", "city": "New York", "state": "NY", "zip_code": "10003",
        "country": "us",
    }, headers=HTMX)

    assert response.status_code == 200
    customer_a.refresh_from_db()
    assert str(customer_a.phone) == "+12125550199"
    assert customer_a.email == "claire.d@example.com"
    assert (customer_a.birth_date, customer_a.birthday_key) == (date(1986, 2, 28), 228)
    assert (customer_a.partner_name, customer_a.country) == ("Paul", "US")
    assert toast(response) == "Contact details saved."


def test_manager_clears_the_phone_and_a_date(client, manager, customer_a):
    client.force_login(manager)

    client.post(url("profile_contact_edit", customer_a), {
        "first_name": "Claire", "last_name": "Dupont", "email": "claire@example.com",
        "phone": "", "birth_date": "",
    }, headers=HTMX)

    customer_a.refresh_from_db()
    assert not customer_a.phone
    assert customer_a.birth_date is None and customer_a.birthday_key is None


def test_local_phone_numbers_are_read_in_the_customers_store_country(client, org, customer_b):
    paris_manager = make_staff(StaffProfile.Role.STORE_MANAGER, org["store_b"], username="gerant")
    client.force_login(paris_manager)

    client.post(url("profile_contact_edit", customer_b), {
        "first_name": "Jean", "last_name": "Martin", "phone": "01 42 68 12 34",
        "email": "jean@example.fr",
    })

    customer_b.refresh_from_db()
    assert str(customer_b.phone) == "+33142681234"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("phone", "555", "Enter a valid phone number"),
    ("email", "not-an-email", "Enter a valid email address."),
    ("birth_date", "31/02/1990", "Enter a valid date."),
    ("country", "U1", "two-letter country code"),
    ("country", "USA", "at most 2 characters"),
])
def test_bad_contact_details_are_explained_and_nothing_is_saved(client, manager, customer_a, name,
                                                                value, message):
    client.force_login(manager)
    data = {"first_name": "Changed", "last_name": "Dupont", "email": "claire@example.com",
            "phone": "+12125550123", name: value}

    htmx = client.post(url("profile_contact_edit", customer_a), data, headers=HTMX)
    plain = client.post(url("profile_contact_edit", customer_a), data)

    assert htmx.status_code == 400 and message in htmx.content.decode()
    assert plain.status_code == 400 and message in plain.content.decode()
    customer_a.refresh_from_db()
    assert customer_a.first_name == "Claire"


def test_manager_sees_real_values_in_the_contact_form(client, manager, customer_a):
    client.force_login(manager)

    body = client.get(url("profile_contact_edit", customer_a)).content.decode()

    assert 'value="claire@example.com"' in body
    assert 'value="(212) 555-0123"' in body
    assert 'type="date" name="birth_date" value="1985-06-15"' in body


# Attributes ----------------------------------------------------------------------------------

def test_attribute_form_has_a_widget_fitting_each_type(client, associate_a, customer_a,
                                                       attributes_section):
    a = attributes_section
    client.force_login(associate_a)

    body = client.get(url("profile_attributes_edit", customer_a, a["section"].pk),
                      headers=HTMX).content.decode()

    assert f'type="number" name="{field(a["number"])}"' in body
    assert f'type="number" name="{field(a["decimal"])}"' in body
    assert f'type="date" name="{field(a["date"])}"' in body
    assert f'<select name="{field(a["boolean"])}"' in body and '<option value="yes">' in body
    assert f'<select name="{field(a["single"])}"' in body and '<option value="silk">' in body
    assert body.count(f'type="checkbox" name="{field(a["multiple"])}"') == 3
    assert body.count("customer can edit") == 1


def test_associate_saves_attribute_values_of_every_type(client, associate_a, customer_a,
                                                       attributes_section):
    a = attributes_section
    client.force_login(associate_a)

    response = client.post(url("profile_attributes_edit", customer_a, a["section"].pk), {
        field(a["text"]): "Likes silk", field(a["number"]): "42", field(a["decimal"]): "38.5",
        field(a["boolean"]): "yes", field(a["date"]): "2026-02-28", field(a["single"]): "wool",
        field(a["multiple"]): ["red", "green"],
    }, headers=HTMX)

    assert response.status_code == 200
    values = {v.attribute_id: v for v in CustomerAttributeValue.objects.filter(customer=customer_a)}
    assert values[a["number"].pk].value_int == 42
    assert values[a["decimal"].pk].value_decimal == Decimal("38.5")
    assert values[a["boolean"].pk].value_bool is True
    assert values[a["date"].pk].value_date == date(2026, 2, 28)
    assert values[a["single"].pk].option.value == "wool"
    assert sorted(v.option.value for v in CustomerAttributeValue.objects.filter(
        customer=customer_a, attribute=a["multiple"])) == ["green", "red"]
    assert "Likes silk" in response.content.decode()
    assert toast(response) == "Preferences saved."


def test_bad_attribute_values_are_explained_next_to_the_field_and_nothing_is_saved(
        client, associate_a, customer_a, attributes_section):
    a = attributes_section
    client.force_login(associate_a)

    response = client.post(url("profile_attributes_edit", customer_a, a["section"].pk), {
        field(a["text"]): "Likes silk", field(a["number"]): "4.5", field(a["single"]): "velvet",
    })

    assert response.status_code == 400
    body = response.content.decode()
    assert "Pref number: “4.5” is not a whole number." in body
    assert "Pref single: “velvet” is not one of the options." in body
    assert not CustomerAttributeValue.objects.filter(customer=customer_a).exists()


def test_clearing_an_attribute_removes_its_value(client, associate_a, customer_a,
                                                 attributes_section):
    a = attributes_section
    services.attribute_values_set(customer=customer_a, attribute=a["number"], raw_values="7")
    client.force_login(associate_a)

    client.post(url("profile_attributes_edit", customer_a, a["section"].pk),
                {field(a["number"]): ""}, headers=HTMX)

    assert not CustomerAttributeValue.objects.filter(customer=customer_a,
                                                     attribute=a["number"]).exists()


def test_attributes_outside_the_section_cannot_be_set_through_it(client, associate_a, customer_a,
                                                                 attributes_section):
    hidden = AttributeFactory(name="Credit score", data_type=DataType.NUMBER)
    client.force_login(associate_a)

    client.post(url("profile_attributes_edit", customer_a, attributes_section["section"].pk),
                {field(hidden): "900"})

    assert not CustomerAttributeValue.objects.filter(attribute=hidden).exists()


def test_attributes_edit_of_a_section_without_attributes_answers_404(client, associate_a,
                                                                     customer_a):
    client.force_login(associate_a)

    response = client.get(url("profile_attributes_edit", customer_a, section("notes").pk))

    assert response.status_code == 404
