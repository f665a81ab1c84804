"""`seed_demo` on a small N: complete, deterministic and idempotent."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from clienteling.models import (
    ClientBookEntry,
    Customer,
    CustomerAttributeValue,
    CustomerMeasures,
    Sale,
    SaleLine,
    StaffProfile,
    Store,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TABLES = (Customer, Sale, SaleLine, CustomerAttributeValue, ClientBookEntry, CustomerMeasures,
          StaffProfile)


def counts():
    return {model.__name__: model.objects.count() for model in TABLES}


def test_seed_demo_builds_a_company_and_is_idempotent():
    out = StringIO()
    call_command("seed_demo", customers=120, stdout=out)
    first = counts()
    assert first["Customer"] == 120
    assert first["Sale"] > 120 and first["SaleLine"] > first["Sale"]
    assert first["CustomerMeasures"] == 120
    assert len(set(Store.objects.values_list("timezone", flat=True))) >= 2
    roles = set(StaffProfile.objects.values_list("role", flat=True))
    assert roles == {"company_admin", "store_manager", "associate"}
    assert 10 <= first["StaffProfile"] <= 14
    assert get_user_model().objects.get(username="associate.ny1").check_password("atelier-demo")
    assert "atelier-demo" in out.getvalue() and "http://" in out.getvalue()

    call_command("seed_demo", customers=120, stdout=StringIO())
    assert counts() == first


def test_seed_demo_is_deterministic_for_a_seed():
    call_command("seed_demo", customers=30, seed=7, stdout=StringIO())
    people = list(Customer.objects.order_by("external_id").values_list(
        "external_id", "first_name", "last_name", "birth_date", "phone"))
    Customer.objects.all().delete()
    call_command("seed_demo", customers=30, seed=7, stdout=StringIO())
    again = list(Customer.objects.order_by("external_id").values_list(
        "external_id", "first_name", "last_name", "birth_date", "phone"))
    assert people == again
