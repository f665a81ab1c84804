"""Each condition of the rule menu, matching and not matching."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from appointments.models import Appointment, AppointmentType
from carts import services as cart_services
from carts.models import Cart
from catalog.models import Product
from clienteling import services as clienteling_services
from clienteling.models import ClientBookEntry, CustomerMeasures, SaleLine, WishlistItem
from insights.models import ActionRule, Condition
from insights.services.rules import Context, evaluate
from tests.carts.conftest import shop, stock  # noqa: F401  fixtures
from tests.factories import DesignerFactory, ProductFactory, TaskFactory

from .conftest import DAY, MORNING, NY

pytestmark = pytest.mark.django_db


def ctx(org, associate, *, today=DAY, now=MORNING):
    book = ClientBookEntry.objects.filter(book__owner=associate).values("customer_id")
    return Context(associate=associate, store=org["store_a"], today=today, tz=NY, book=book, now=now)


def rule(condition, **fields):
    return ActionRule(name="r", condition=condition, **fields)


def run(org, associate, condition, **kw):
    with translation.override("en"):
        return evaluate(ctx(org, associate, **kw), rule(condition))


def test_birthday_and_anniversary_in_the_next_seven_days(org, associate_a, book):
    ada, ben, cleo = book
    ada.birth_date = date(1980, 12, 12)
    ada.save()
    ben.birth_date = date(1980, 12, 20)  # 13 days away: not this week
    ben.save()
    cleo.anniversary = date(2010, 12, 7)
    cleo.save()
    found = run(org, associate_a, Condition.DATE_SOON)
    assert found[ada.pk][1] == "Birthday on December 12"
    assert found[cleo.pk][1] == "Anniversary on December 7"
    assert found[cleo.pk][0] > found[ada.pk][0]  # today's date ranks before one five days away
    assert ben.pk not in found


def test_customer_outside_the_book_is_never_matched(org, associate_a, book):
    from tests.factories import CustomerFactory

    stranger = CustomerFactory(legal_entity=org["entity"], birth_date=date(1980, 12, 8))
    assert stranger.pk not in run(org, associate_a, Condition.DATE_SOON)


def test_wishlist_item_back_in_stock_or_reduced(org, associate_a, book, shop):  # noqa: F811
    ada, ben, _cleo = book
    location = shop.store.stock_location
    stock(shop.coat_m, location, 0)
    stock(shop.coat_s, location, 0)
    WishlistItem.objects.create(customer=ada, product=shop.coat)
    WishlistItem.objects.create(customer=ben, product=shop.scarf)
    # The first look only records what it saw.
    assert run(org, associate_a, Condition.WISHLIST) == {}
    stock(shop.coat_s, location, 2)  # back in stock
    Product.objects.filter(pk=shop.scarf.pk).update(price=Decimal("300.00"))  # reduced from 350
    found = run(org, associate_a, Condition.WISHLIST, today=DAY + timedelta(days=1))
    assert found[ada.pk][1] == "Wishlist: Cashmere Coat in Camel is back in stock"
    assert found[ben.pk][1] == "Wishlist: Silk Scarf reduced from $350.00 to $300.00"
    # Nothing changed since: no match the next day.
    assert run(org, associate_a, Condition.WISHLIST, today=DAY + timedelta(days=2)) == {}


def test_new_arrival_from_a_designer_they_bought(org, associate_a, book):
    ada, ben, _cleo = book
    maison = DesignerFactory(name="Maison Test")
    old = ProductFactory(sku="OLD-1", title="Old Bag", designer=maison)
    Product.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=300))
    clienteling_services.sale_record(
        customer=ada,
        store=org["store_a"],
        salesperson=associate_a,
        sold_at=MORNING - timedelta(days=200),
        lines=[
            {
                "title": "Old Bag",
                "amount": "100",
                "product": old,
                "designer_id": maison.pk,
                "kind": SaleLine.Kind.GOODS,
            }
        ],
    )
    new = ProductFactory(sku="NEW-1", title="New Bag", designer=maison)
    found = run(org, associate_a, Condition.NEW_ARRIVAL, now=timezone.now())
    assert found[ada.pk][1] == "New from Maison Test: New Bag"
    assert ben.pk not in found
    Product.objects.filter(pk=new.pk).update(created_at=timezone.now() - timedelta(days=30))
    assert ada.pk not in run(org, associate_a, Condition.NEW_ARRIVAL, now=timezone.now())


def _sale(customer, store, who, when, amount="100"):
    return clienteling_services.sale_record(
        customer=customer,
        store=store,
        salesperson=who,
        sold_at=when,
        lines=[{"title": "Thing", "amount": amount}],
    )


def test_no_purchase_for_longer_than_usual(org, associate_a, book):
    ada, ben, _cleo = book
    store = org["store_a"]
    # Ada buys every 30 days, last 94 days ago; Ben every 30 days, last 10 days ago.
    for days in (154, 124, 94):
        _sale(ada, store, associate_a, MORNING - timedelta(days=days))
    for days in (70, 40, 10):
        _sale(ben, store, associate_a, MORNING - timedelta(days=days))
    found = run(org, associate_a, Condition.OVERDUE)
    assert found[ada.pk][1] == "No purchase for 94 days; usually buys every 30"
    assert ben.pk not in found


def test_high_churn_risk_above_the_threshold(org, associate_a, book):
    ada, ben, _cleo = book
    CustomerMeasures.objects.update_or_create(customer=ada, defaults={"churn_risk": Decimal("0.72")})
    CustomerMeasures.objects.update_or_create(customer=ben, defaults={"churn_risk": Decimal("0.30")})
    with translation.override("en"):
        found = evaluate(ctx(org, associate_a), rule(Condition.CHURN, threshold=Decimal("0.6")))
    assert found == {ada.pk: (0.72, "Churn risk 72 %")}


def test_unpaid_shared_cart(org, associate_a, book, shop, django_capture_on_commit_callbacks):  # noqa: F811
    ada, ben, _cleo = book
    with django_capture_on_commit_callbacks(execute=True):
        cart = cart_services.cart_open(customer=ada, store=shop.store, user=associate_a)
        cart_services.cart_line_add(cart=cart, variant=shop.scarf_os, user=associate_a)
        unshared = cart_services.cart_open(customer=ben, store=shop.store, user=associate_a)
        cart_services.cart_line_add(cart=unshared, variant=shop.scarf_os, user=associate_a)
    # Shared two days ago (sharing itself is the carts app's, tested there).
    Cart.objects.filter(pk=cart.pk).update(shared_at=MORNING - timedelta(days=2))
    found = run(org, associate_a, Condition.UNPAID_CART)
    assert found[ada.pk][1].startswith("Cart of $")
    assert found[ada.pk][1].endswith("shared 2 days ago, not paid")
    assert ben.pk not in found


def test_follow_up_due(org, associate_a, book):
    ada, ben, cleo = book
    TaskFactory(
        customer=ada,
        assignee=associate_a,
        created_by=associate_a,
        due_on=DAY - timedelta(days=2),
        title="Call back",
    )
    TaskFactory(customer=ben, assignee=associate_a, created_by=associate_a, due_on=DAY + timedelta(days=1))
    TaskFactory(
        customer=cleo, assignee=associate_a, created_by=associate_a, due_on=DAY, completed_at=timezone.now()
    )
    found = run(org, associate_a, Condition.FOLLOW_UP)
    assert found == {ada.pk: (3.0, "Follow-up 2 days late: Call back")}


def test_appointment_tomorrow(org, associate_a, book):
    ada, ben, _cleo = book
    kind = AppointmentType.objects.create(legal_entity=org["entity"], name="Fitting", duration_minutes=60)
    tomorrow = datetime.combine(DAY + timedelta(days=1), time(15, 0), tzinfo=NY)
    for customer, starts, status in (
        (ada, tomorrow, Appointment.Status.BOOKED),
        (ben, tomorrow + timedelta(days=1), Appointment.Status.BOOKED),
    ):
        ends = starts + timedelta(hours=1)
        Appointment.objects.create(
            customer=customer,
            store=org["store_a"],
            associate=associate_a,
            appointment_type=kind,
            starts_at=starts,
            ends_at=ends,
            blocked_until=ends,
            status=status,
        )
    found = run(org, associate_a, Condition.APPOINTMENT)
    assert found == {ada.pk: (1.0, "Appointment tomorrow at 3:00\u202fPM")}
