"""Sales credit: each sale once, by precedence (salesperson > cart > appointment > conversation >
outreach), a return reversing, a recompute when the windows change."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from appointments.models import Appointment, AppointmentType
from carts.models import Cart
from clienteling import services as clienteling_services
from clienteling.models import Sale, StaffProfile
from conversations.models import Conversation, Message
from insights import services
from insights.models import CreditJob, CreditReason, InsightsSettings, SaleCredit
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 11, 20, 12, 0, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def team(org, associate_a):
    store = org["store_a"]
    return {
        "store": store,
        "a": associate_a,
        "b": make_staff(StaffProfile.Role.ASSOCIATE, store, username="b.associate"),
        "c": make_staff(StaffProfile.Role.ASSOCIATE, store, username="c.associate"),
        "d": make_staff(StaffProfile.Role.ASSOCIATE, store, username="d.associate"),
    }


def sale(customer, store, *, who=None, when=NOON, amount="300", source=Sale.Source.POS, external_id=None):
    return clienteling_services.sale_record(
        customer=customer,
        store=store,
        salesperson=who,
        sold_at=when,
        source=source,
        external_id=external_id,
        lines=[{"title": "Coat", "amount": amount}],
    )


def message(customer, store, who, when, *, bulk=False):
    thread, _ = Conversation.objects.get_or_create(customer=customer, store=store, channel="sms")
    found = Message.objects.create(
        conversation=thread,
        direction=Message.Direction.OUTBOUND,
        body="Hello",
        status=Message.Status.DELIVERED,
        sent_by=who,
        bulk_job_id=7 if bulk else None,
    )
    Message.objects.filter(pk=found.pk).update(created_at=when)
    return found


def appointment(customer, store, who, when, status=Appointment.Status.HELD):
    kind, _ = AppointmentType.objects.get_or_create(
        legal_entity=store.legal_entity, name="Fitting", defaults={"duration_minutes": 60}
    )
    return Appointment.objects.create(
        customer=customer,
        store=store,
        associate=who,
        appointment_type=kind,
        starts_at=when,
        ends_at=when + timedelta(hours=1),
        blocked_until=when + timedelta(hours=1),
        status=status,
    )


def credit(found: Sale) -> tuple:
    services.sale_credits_assign(sale_ids=[found.pk])
    row = SaleCredit.objects.filter(sale=found).first()
    return (row.associate_id, row.reason, row.amount) if row else None


def test_the_salesperson_comes_first(team, customer_a):
    store = team["store"]
    message(customer_a, store, team["c"], NOON - timedelta(days=2))
    appointment(customer_a, store, team["b"], NOON - timedelta(days=1))
    assert credit(sale(customer_a, store, who=team["a"])) == (
        team["a"].pk,
        CreditReason.SALESPERSON,
        Decimal("300.00"),
    )


def test_a_paid_remote_cart_is_its_associate(team, customer_a):
    store = team["store"]
    paid = sale(customer_a, store, who=team["b"], source=Sale.Source.REMOTE_CART, external_id="RC-1")
    Cart.objects.create(
        customer=customer_a,
        store=store,
        associate=team["b"],
        currency="USD",
        status=Cart.Status.PAID,
        sale=paid,
    )
    assert credit(paid)[:2] == (team["b"].pk, CreditReason.CART)


def test_appointment_before_conversation_before_outreach(team, customer_a):
    store = team["store"]
    message(customer_a, store, team["d"], NOON - timedelta(days=3), bulk=True)
    assert credit(sale(customer_a, store, when=NOON))[:2] == (team["d"].pk, CreditReason.OUTREACH)
    message(customer_a, store, team["c"], NOON - timedelta(days=2))
    assert credit(sale(customer_a, store, when=NOON + timedelta(minutes=1)))[:2] == (
        team["c"].pk,
        CreditReason.CONVERSATION,
    )
    appointment(customer_a, store, team["b"], NOON - timedelta(days=1))
    assert credit(sale(customer_a, store, when=NOON + timedelta(minutes=2)))[:2] == (
        team["b"].pk,
        CreditReason.APPOINTMENT,
    )


def test_outside_every_window_nobody_is_credited(team, customer_a):
    store = team["store"]
    message(customer_a, store, team["c"], NOON - timedelta(days=15))  # the window is 14 days
    appointment(customer_a, store, team["b"], NOON - timedelta(days=8))  # 7 days
    appointment(customer_a, store, team["b"], NOON - timedelta(days=1), status=Appointment.Status.CANCELLED)
    assert credit(sale(customer_a, store)) is None


def test_one_sale_is_credited_once(team, customer_a):
    found = sale(customer_a, team["store"], who=team["a"])
    services.sale_credits_assign(sale_ids=[found.pk])
    services.sale_credits_assign(sale_ids=[found.pk])
    assert services.sale_credits_assign_due(now=NOON) == 0
    assert SaleCredit.objects.filter(sale=found).count() == 1


def test_a_return_reverses_the_credit(team, customer_a):
    store = team["store"]
    bought = sale(customer_a, store, who=team["a"], amount="500")
    returned = sale(customer_a, store, who=team["b"], when=NOON + timedelta(days=3), amount="-500")
    services.sale_credits_assign(sale_ids=[returned.pk, bought.pk])  # in sale order, whatever was asked
    reversal = SaleCredit.objects.get(sale=returned)
    assert (reversal.associate, reversal.reason, reversal.amount) == (
        team["a"],
        CreditReason.RETURN,
        Decimal("-500.00"),
    )
    assert reversal.reverses.sale == bought
    total = sum(SaleCredit.objects.filter(associate=team["a"]).values_list("amount", flat=True))
    assert total == 0


def test_the_sweep_credits_new_sales(team, customer_a):
    found = sale(customer_a, team["store"], who=team["a"])
    assert services.sale_credits_assign_due() == 1
    assert SaleCredit.objects.get(sale=found).associate == team["a"]


def test_recompute_after_the_windows_change(team, customer_a, django_capture_on_commit_callbacks):
    store = team["store"]
    message(customer_a, store, team["c"], NOON - timedelta(days=10))
    found = sale(customer_a, store)
    assert credit(found)[:2] == (team["c"].pk, CreditReason.CONVERSATION)
    InsightsSettings.objects.update_or_create(pk=1, defaults={"message_window_days": 7})
    with django_capture_on_commit_callbacks(execute=True):
        job = services.credit_recompute_start(days=3650)
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == (CreditJob.Status.DONE, 1, 1, 100)
    assert not SaleCredit.objects.filter(sale=found).exists()  # 10 days is outside 7 now


def test_a_new_sale_is_credited_once_it_is_committed(team, customer_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        found = sale(customer_a, team["store"], who=team["a"])
        assert not SaleCredit.objects.exists()  # not before the commit
    assert callbacks
    assert SaleCredit.objects.get(sale=found).associate == team["a"]
    assert services.sale_credits_assign_due() == 0  # the sweep finds nothing left to do


def test_imported_sales_are_credited_and_a_rewritten_one_again(team, customer_a,
                                                               django_capture_on_commit_callbacks):
    from clienteling.services.ingest import sales_upsert

    customer_a.external_id = "C-1"
    customer_a.save()

    def upsert(salesperson, amount):
        record = {"external_id": "R-1", "customer": "C-1", "store": team["store"].code,
                  "salesperson": salesperson, "sold_at": NOON.isoformat(),
                  "lines": [{"kind": "custom", "title": "Alterations", "amount": amount, "quantity": 1}]}
        with django_capture_on_commit_callbacks(execute=True):
            result = sales_upsert(legal_entity=team["store"].legal_entity, records=[record], source="pos")
        assert not result.rejected, result.rejected

    upsert(team["a"].username, "300")
    credited = SaleCredit.objects.get(sale__external_id="R-1")
    assert (credited.associate, credited.amount) == (team["a"], Decimal("300.00"))
    upsert(team["a"].username, "450")
    assert SaleCredit.objects.get(sale__external_id="R-1").amount == Decimal("450.00")
