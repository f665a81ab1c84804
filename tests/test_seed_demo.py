"""`seed_demo` on a small N: complete, deterministic and idempotent."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from carts import services
from catalog.models import Product, ProductPrice
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
from conversations.models import Conversation, Message

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TABLES = (Customer, Sale, SaleLine, CustomerAttributeValue, ClientBookEntry, CustomerMeasures,
          StaffProfile, Conversation, Message)


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
    eur_prices = paris_sells_in_euros()
    # Every store's inbox has live threads, some waiting for the associate to read them.
    assert set(Conversation.objects.values_list("store__code", flat=True)) == set(
        Store.objects.values_list("code", flat=True))
    assert Message.objects.filter(direction=Message.Direction.INBOUND).exists()
    assert Conversation.objects.filter(unread_count__gt=0).exists()

    call_command("seed_demo", customers=120, stdout=StringIO())
    assert counts() == first
    assert ProductPrice.objects.count() == eur_prices


def paris_sells_in_euros() -> int:
    """Every product has a EUR price; Paris sales and shipping are in euros at those prices."""
    products = Product.objects.count()
    assert ProductPrice.objects.filter(currency="EUR", variant__isnull=True).count() == products
    coat = Product.objects.filter(active=True, price__gte=1000).order_by("sku").first()
    eur = ProductPrice.objects.get(product=coat, currency="EUR").amount
    assert eur != coat.price and eur % 50 == 0
    paris = Store.objects.get(code="paris")
    line = SaleLine.objects.filter(sale__store=paris, kind="goods", quantity=1).select_related(
        "product").first()
    assert line.amount == ProductPrice.objects.get(product=line.product, currency="EUR").amount
    assert {option.currency for option in services.shipping_options_for(paris)} <= {"", "EUR"}
    return ProductPrice.objects.count()


def test_seed_demo_is_deterministic_for_a_seed():
    call_command("seed_demo", customers=30, seed=7, stdout=StringIO())
    people = list(Customer.objects.order_by("external_id").values_list(
        "external_id", "first_name", "last_name", "birth_date", "phone"))
    Customer.objects.all().delete()
    call_command("seed_demo", customers=30, seed=7, stdout=StringIO())
    again = list(Customer.objects.order_by("external_id").values_list(
        "external_id", "first_name", "last_name", "birth_date", "phone"))
    assert people == again
