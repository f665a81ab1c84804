"""`seed_demo` on a small N: complete, deterministic and idempotent."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from carts import selectors
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
    assert {option.currency for option in selectors.shipping_options_for(paris)} <= {"", "EUR"}
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


@pytest.mark.parametrize(("customers", "seed"), [(1, 1), (2, 5), (200, 3), (45, 11)])
def test_seed_demo_completes_for_any_seed_and_size(customers, seed):
    call_command("seed_demo", customers=customers, seed=seed, stdout=StringIO())

    assert Customer.objects.filter(external_id__startswith=f"DEMO-{seed}-").count() == customers
    assert CustomerMeasures.objects.count() == customers
    # Demo threads never text a customer who opted out.
    texted_opted_out = Message.objects.filter(
        direction=Message.Direction.OUTBOUND, conversation__customer__consents__channel="sms",
        conversation__customer__consents__state="opted_out")
    assert not texted_opted_out.exists()


def test_a_run_stopped_midway_is_finished_by_the_next(monkeypatch):
    from demo import clienteling as seed_customers
    from demo import conversations as seed_threads

    # Given a run that dies in the second chunk of customers ...
    real_add = seed_customers.CustomerGenerator.add_customer

    def dies_at_seven(self, n, *args):
        if n == 7:
            raise RuntimeError("power cut")
        return real_add(self, n, *args)

    monkeypatch.setattr(seed_customers.CustomerGenerator, "add_customer", dies_at_seven)
    with pytest.raises(RuntimeError):
        call_command("seed_demo", customers=12, chunk_size=5, stdout=StringIO())
    assert Customer.objects.count() == 5  # the first chunk, whole
    # ... and a second that dies while starting the demo conversations ...
    monkeypatch.setattr(seed_customers.CustomerGenerator, "add_customer", real_add)
    real_thread = seed_threads._demo_thread
    started = []

    def dies_in_second_store(*, store, **kwargs):
        started.append(store.pk)
        if len(set(started)) == 2:
            raise RuntimeError("killed")
        return real_thread(store=store, **kwargs)

    monkeypatch.setattr(seed_threads, "_demo_thread", dies_in_second_store)
    with pytest.raises(RuntimeError):
        call_command("seed_demo", customers=120, chunk_size=50, stdout=StringIO())
    assert Customer.objects.count() == 120
    assert Conversation.objects.values("store").distinct().count() == 1  # the second store rolled back

    # When it is run again, then it completes what is missing and no more.
    monkeypatch.setattr(seed_threads, "_demo_thread", real_thread)
    out = StringIO()
    call_command("seed_demo", customers=120, chunk_size=50, stdout=out)
    assert "nothing to add" in out.getvalue()
    assert set(Conversation.objects.values_list("store__code", flat=True)) == set(
        Store.objects.values_list("code", flat=True))
    threads = Conversation.objects.count()
    call_command("seed_demo", customers=120, chunk_size=50, stdout=StringIO())
    assert Conversation.objects.count() == threads
