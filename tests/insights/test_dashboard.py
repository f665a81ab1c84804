"""Goals and their progress, the store dashboard per role, CSV and query counts."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from clienteling import services as clienteling_services
from clienteling.models import StaffProfile
from insights import selectors, services
from insights.models import Goal, InsightsSettings, SaleCredit
from tests.factories import CustomerFactory, make_staff

from .conftest import NY

pytestmark = pytest.mark.django_db

START, END = date(2026, 11, 1), date(2026, 11, 30)


@pytest.fixture
def sales(org, associate_a, manager):
    """November in New York: Alex sells 300 + 200, Mia 1000, Sam (store A) 50."""
    store = org["store_a"]
    sam = make_staff(StaffProfile.Role.ASSOCIATE, store, username="sam", first_name="Sam", last_name="Seller")
    customer = CustomerFactory(legal_entity=org["entity"], home_store=store)
    made = []
    for who, day, amount in (
        (associate_a, 3, "300"),
        (associate_a, 4, "200"),
        (manager, 4, "1000"),
        (sam, 20, "50"),
    ):
        made.append(
            clienteling_services.sale_record(
                customer=customer,
                store=store,
                salesperson=who,
                sold_at=datetime.combine(date(2026, 11, day), time(12), tzinfo=NY),
                lines=[{"title": "x", "amount": amount}],
            )
        )
    # A sale on 1 December at 00:30 in New York is not November's (UTC says 05:30 on the 1st).
    made.append(
        clienteling_services.sale_record(
            customer=customer,
            store=store,
            salesperson=associate_a,
            sold_at=datetime(2026, 12, 1, 0, 30, tzinfo=NY),
            lines=[{"title": "x", "amount": "999"}],
        )
    )
    services.sale_credits_assign(sale_ids=[sale.pk for sale in made])
    return {"sam": sam, "customer": customer}


def test_goal_progress_for_an_associate_and_the_store(org, associate_a, sales):
    store = org["store_a"]
    mine = Goal.objects.create(
        store=store,
        associate=associate_a,
        metric="sales",
        target=Decimal("1000"),
        starts_on=START,
        ends_on=END,
    )
    shop = Goal.objects.create(
        store=store, metric="sales", target=Decimal("1000"), starts_on=START, ends_on=END
    )
    clients = Goal.objects.create(
        store=store,
        metric="new_clients",
        target=Decimal("4"),
        starts_on=START,
        ends_on=date.today() + timedelta(days=1),
    )
    assert (selectors.goal_progress(mine).value, selectors.goal_progress(mine).percent) == (
        Decimal("500.00"),
        50,
    )
    assert selectors.goal_progress(shop).percent == 100
    assert selectors.goal_progress(clients).value == 0  # the customer was made without a creator


def _board(client, user, **params):
    client.force_login(user)
    return client.get(reverse("insights:dashboard"), {"start": "2026-11-01", "end": "2026-11-30", **params})


def test_the_manager_sees_everyone(client, org, manager, sales):
    response = _board(client, manager, store=org["store_a"].pk)
    board = response.context["leaderboard"]
    assert [(row["name"], row["sales"]) for row in board] == [
        ("Mia Manager", Decimal("1000.00")),
        ("Alex Associate", Decimal("500.00")),
        ("Sam Seller", Decimal("50.00")),
    ]
    assert response.context["totals"]["sales"] == Decimal("1550.00")
    assert "<svg" in response.content.decode()


@pytest.mark.parametrize(
    ("visibility", "rows", "rank"),
    [
        ("none", ["Alex Associate"], None),
        ("own_rank", ["Alex Associate"], 2),
        ("full", ["Mia Manager", "Alex Associate", "Sam Seller"], 2),
    ],
)
def test_an_associate_sees_what_the_admin_allows(client, org, associate_a, sales, visibility, rows, rank):
    InsightsSettings.objects.update_or_create(pk=1, defaults={"leaderboard": visibility})
    response = _board(client, associate_a)
    assert [row["name"] for row in response.context["leaderboard"]] == rows
    assert response.context["my_rank"] == rank
    assert response.context["totals"]["sales"] == Decimal("500.00")  # their own, not the store's


def test_csv_export(client, org, manager, sales):
    client.force_login(manager)
    response = client.get(
        reverse("insights:dashboard_csv"),
        {"store": org["store_a"].pk, "start": "2026-11-01", "end": "2026-11-30"},
    )
    lines = response.content.decode().splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert lines[0] == "Rank,Associate,Sales credited,New clients,Messages answered in time,Appointments held"
    assert lines[1] == "1,Mia Manager,1000.00,0,0,0"
    assert len(lines) == 4


def test_a_bad_period_is_a_clear_error(client, org, manager):
    client.force_login(manager)
    response = client.get(reverse("insights:dashboard"), {"start": "2026-11-30", "end": "2026-11-01"})
    assert response.status_code == 400 and "ends before it starts" in response.content.decode()
    assert (
        client.get(
            reverse("insights:dashboard_csv"), {"store": org["store_a"].pk, "start": "nope"}
        ).status_code
        == 400
    )


def test_dashboard_queries_do_not_grow_with_rows(client, org, manager, sales, django_assert_num_queries):
    client.force_login(manager)
    url = reverse("insights:dashboard")
    params = {"store": org["store_a"].pk, "start": "2026-11-01", "end": "2026-11-30"}
    client.get(url, params)  # warm the per-process caches
    # Session, user, user and group permissions, staff profile, module settings; the stores
    # the manager sees (managed check, list, the chosen one, home store); the team check;
    # the four measures (one grouped query each), the names (2), the daily series, the goals
    # (and their progress: none in this period) and the last few of the page's gates.
    with django_assert_num_queries(19):
        client.get(url, params)
    for day in range(5, 15):  # ten more credited sales by new people: the same number of queries
        who = make_staff(StaffProfile.Role.ASSOCIATE, org["store_a"], username=f"extra{day}")
        found = clienteling_services.sale_record(
            customer=sales["customer"],
            store=org["store_a"],
            salesperson=who,
            sold_at=datetime.combine(date(2026, 11, day), time(12), tzinfo=NY),
            lines=[{"title": "x", "amount": "10"}],
        )
        services.sale_credits_assign(sale_ids=[found.pk])
    assert SaleCredit.objects.count() == 15
    with django_assert_num_queries(19):
        client.get(url, params)


def test_goal_form_creates_and_refuses_bad_input(client, org, manager, associate_a, associate_b):
    client.force_login(manager)
    url = reverse("insights:goal_create")
    good = {
        "store": org["store_a"].pk,
        "associate": associate_a.pk,
        "metric": "sales",
        "target": "5000",
        "starts_on": "2026-12-01",
        "ends_on": "2026-12-31",
        "answer_within_hours": "24",
    }
    assert client.post(url, good).status_code == 302
    goal = Goal.objects.get()
    assert (goal.associate, goal.created_by, goal.target) == (associate_a, manager, Decimal("5000"))
    backwards = client.post(url, {**good, "starts_on": "2026-12-31", "ends_on": "2026-12-01"})
    assert backwards.status_code == 400 and "ends before it starts" in backwards.content.decode()
    elsewhere = client.post(url, {**good, "associate": associate_b.pk})
    assert elsewhere.status_code == 400
    other_store = client.post(url, {**good, "store": org["store_b"].pk})
    assert other_store.status_code == 400
    assert Goal.objects.count() == 1


def test_today_shows_goal_progress(client, org, associate_a, sales, time_machine):
    time_machine.move_to(datetime(2026, 11, 25, 9, tzinfo=NY))
    Goal.objects.create(
        store=org["store_a"],
        associate=associate_a,
        metric="sales",
        target=Decimal("1000"),
        starts_on=START,
        ends_on=END,
    )
    client.force_login(associate_a)
    page = client.get(reverse("clienteling:today")).content.decode()
    assert "My goals" in page and "50 % reached" in page


def test_the_rule_report_keeps_each_currency_apart(client, org, company_admin, associate_a, book):
    """New York sells in dollars, a Toronto store of the same company in Canadian dollars: the
    report shows each, formatted, and never adds them together."""
    from django.utils import timezone

    from insights.models import ActionRule, FeedRun, Suggestion

    toronto = org["store_a2"]
    toronto.currency = "CAD"
    toronto.save()
    rule = ActionRule.objects.order_by("priority", "pk").first()
    today = date.today()
    for customer, store, amount in ((book[0], org["store_a"], "120.00"), (book[1], org["store_a"], "30.00"),
                                    (book[2], toronto, "200.00")):
        sale = clienteling_services.sale_record(
            customer=customer, store=store, salesperson=associate_a, sold_at=timezone.now(),
            lines=[{"title": "Coat", "amount": Decimal(amount), "quantity": 1}])
        run, _created = FeedRun.objects.get_or_create(store=store, day=today)
        Suggestion.objects.create(run=run, day=today, associate=associate_a, store=store, customer=customer,
                                  rule=rule, condition=rule.condition, action=rule.action, reason="r",
                                  sale=sale, revenue=Decimal(amount))
    client.force_login(company_admin)
    page = client.get(reverse("insights:rule_report"))
    row = next(r for r in page.context["rows"] if r["rule"] == rule)
    assert row["sales"] == 3
    assert row["revenue"] == [{"amount": Decimal("200.00"), "currency": "CAD"},
                              {"amount": Decimal("150.00"), "currency": "USD"}]
    assert "$150.00" in page.text and "CA$200.00" in page.text
