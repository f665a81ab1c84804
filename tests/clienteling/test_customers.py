from datetime import date

import pytest
from django.core.exceptions import ValidationError

from clienteling.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_phone_in_a_common_format_is_stored_as_e164(org):
    customer = Customer(legal_entity=org["entity"], first_name="Ann", phone="(212) 555-1234")
    customer.full_clean()
    customer.save()
    customer.refresh_from_db()
    assert str(customer.phone) == "+12125551234"


@pytest.mark.parametrize("bad_phone", ["12345", "+1 212 555", "call me", "+999123456789"])
def test_invalid_phone_is_rejected_with_a_message(org, bad_phone):
    customer = Customer(legal_entity=org["entity"], first_name="Ann", phone=bad_phone)
    with pytest.raises(ValidationError) as excinfo:
        customer.full_clean()
    assert "phone" in excinfo.value.message_dict


def test_month_day_keys_follow_the_dates():
    customer = CustomerFactory(birth_date=date(1992, 2, 29), anniversary=date(2015, 12, 31),
                               partner_birth_date=None)
    assert (customer.birthday_key, customer.anniversary_key) == (229, 1231)
    assert customer.partner_birthday_key is None
    customer.birth_date = date(1990, 1, 2)
    customer.save(update_fields=["birth_date"])
    customer.refresh_from_db()
    assert customer.birthday_key == 102


def test_a_secondary_account_links_to_its_primary():
    primary = CustomerFactory()
    secondary = CustomerFactory(legal_entity=primary.legal_entity, primary_account=primary)
    assert primary.is_primary_account
    assert not secondary.is_primary_account
    assert list(primary.linked_accounts.all()) == [secondary]
