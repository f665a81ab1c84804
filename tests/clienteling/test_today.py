from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from clienteling import services
from tests.factories import CustomerFactory, TaskFactory

pytestmark = pytest.mark.django_db
# 23:30 in New York on 26 Feb 2027 is already the 27th in UTC: "today" is the store's.
LATE_EVENING = datetime(2027, 2, 27, 4, 30, tzinfo=ZoneInfo("UTC"))


@time_machine.travel(LATE_EVENING, tick=False)
def test_today_lists_due_follow_ups_and_dates_in_my_book(client, org, associate_a):
    book = services.client_book_get_or_create(owner=associate_a, legal_entity=org["entity"])
    leap = CustomerFactory(legal_entity=org["entity"], first_name="Leap",
                           birth_date=date(1992, 2, 29))
    later = CustomerFactory(legal_entity=org["entity"], first_name="Later",
                            birth_date=date(1990, 3, 20))
    stranger = CustomerFactory(legal_entity=org["entity"], first_name="Stranger",
                               birth_date=date(1990, 2, 27))
    for customer in (leap, later):
        services.client_book_add(book=book, customer=customer, added_by=associate_a)
    TaskFactory(customer=later, assignee=associate_a, title="Call back",
                due_on=date(2027, 2, 26))
    TaskFactory(customer=later, assignee=associate_a, title="Not yet",
                due_on=date(2027, 2, 27))
    client.force_login(associate_a)
    response = client.get(reverse("clienteling:today"))
    context = response.context
    assert context["today"] == date(2027, 2, 26)
    assert [t.title for t in context["tasks_due"]] == ["Call back"]
    coming = context["dates_coming"]
    assert [item["customer"] for item in coming] == [leap]
    assert coming[0]["on"] == date(2027, 2, 28)
    assert stranger not in [item["customer"] for item in coming]
    assert timedelta(days=2) == coming[0]["on"] - context["today"]


# Noon in New York on Wednesday 17 March 2027.
WEDNESDAY_NOON = datetime(2027, 3, 17, 16, 0, tzinfo=ZoneInfo("UTC"))


def in_book(org, owner, *customers):
    book = services.client_book_get_or_create(owner=owner, legal_entity=org["entity"])
    for customer in customers:
        services.client_book_add(book=book, customer=customer, added_by=owner)


@time_machine.travel(WEDNESDAY_NOON, tick=False)
def test_dates_are_sorted_before_the_page_is_cut(client, org, associate_a, monkeypatch):
    # Given more birthdays this week than the page shows, the soonest created last
    monkeypatch.setattr("clienteling.selectors.today.DATES_SHOWN", 2)
    later = [CustomerFactory(legal_entity=org["entity"], first_name=f"Later{n}",
                             birth_date=date(1990, 3, 22)) for n in range(3)]
    soon = CustomerFactory(legal_entity=org["entity"], first_name="Soon", birth_date=date(1980, 3, 18))
    today = CustomerFactory(legal_entity=org["entity"], first_name="Today",
                            anniversary=date(2010, 3, 17), birth_date=None)
    in_book(org, associate_a, *later, soon, today)
    client.force_login(associate_a)

    # When the associate opens Today
    coming = client.get(reverse("clienteling:today")).context["dates_coming"]

    # Then the soonest dates are the ones shown, in order
    assert [(item["customer"].first_name, item["on"]) for item in coming] == [
        ("Today", date(2027, 3, 17)), ("Soon", date(2027, 3, 18))]
    assert coming[0]["anniversary"] and not coming[0]["birthday"]


@time_machine.travel(WEDNESDAY_NOON, tick=False)
def test_recently_active_counts_purchases_texts_and_activities(client, org, associate_a, manager):
    from clienteling.models import ActivityType
    from tests.factories import ActivityFactory

    bought, texted, visited, broadcast, quiet, stranger = (
        CustomerFactory(legal_entity=org["entity"], first_name=name)
        for name in ("Bought", "Texted", "Visited", "Broadcast", "Quiet", "Stranger"))
    in_book(org, associate_a, bought, texted, visited, broadcast, quiet)
    now = datetime(2027, 3, 17, 16, 0, tzinfo=ZoneInfo("UTC"))
    services.sale_record(customer=bought, store=org["store_a"], salesperson=manager,
                         sold_at=now - timedelta(days=1),
                         lines=[{"title": "Bag", "amount": Decimal("10.00")}])
    services.contact_history_record_message(customer_id=texted.pk, at=now - timedelta(hours=2),
                                            preview="See you Friday", inbound=True,
                                            is_marketing=False, channel="sms")
    services.contact_history_record_message(customer_id=broadcast.pk, at=now - timedelta(hours=1),
                                            preview="Spring sale", inbound=False,
                                            is_marketing=True, channel="sms")
    ActivityFactory(customer=visited, actor=associate_a, activity_type=ActivityType.objects.first(),
                    occurred_at=now - timedelta(days=3))
    services.sale_record(customer=quiet, store=org["store_a"], salesperson=manager,
                         sold_at=now - timedelta(days=30),
                         lines=[{"title": "Old", "amount": Decimal("10.00")}])
    services.sale_record(customer=stranger, store=org["store_a"], salesperson=manager,
                         sold_at=now - timedelta(hours=1),
                         lines=[{"title": "Not in my book", "amount": Decimal("10.00")}])
    client.force_login(associate_a)

    recent = client.get(reverse("clienteling:today")).context["recent_customers"]

    assert [(item["customer"].first_name, str(item["reason"])) for item in recent] == [
        ("Texted", "Texted"), ("Bought", "Bought something"), ("Visited", "Activity logged")]


# Monday 15 March 2027, 01:00 in New York (05:00 UTC).
EARLY_MONDAY = datetime(2027, 3, 15, 5, 0, tzinfo=ZoneInfo("UTC"))


@time_machine.travel(EARLY_MONDAY, tick=False)
def test_recently_active_uses_the_stores_days(client, org, associate_a, manager):
    # The last 7 days in New York start at midnight on Tuesday 9 March, New York time.
    inside = CustomerFactory(legal_entity=org["entity"], first_name="Inside")
    outside = CustomerFactory(legal_entity=org["entity"], first_name="Outside")
    in_book(org, associate_a, inside, outside)
    for customer, at in (
        (inside, datetime(2027, 3, 9, 5, 30, tzinfo=ZoneInfo("UTC"))),    # 00:30 on the 9th in NY
        (outside, datetime(2027, 3, 9, 4, 30, tzinfo=ZoneInfo("UTC"))),   # 23:30 on the 8th in NY
    ):
        services.sale_record(customer=customer, store=org["store_a"], salesperson=manager,
                             sold_at=at, lines=[{"title": "Hat", "amount": Decimal("10.00")}])
    client.force_login(associate_a)
    recent = client.get(reverse("clienteling:today")).context["recent_customers"]
    assert [item["customer"] for item in recent] == [inside]


@time_machine.travel(WEDNESDAY_NOON, tick=False)
def test_today_runs_a_fixed_number_of_queries(client, org, associate_a, manager,
                                              django_assert_num_queries):
    def fill(n):
        made = CustomerFactory.create_batch(n, legal_entity=org["entity"],
                                            birth_date=date(1990, 3, 18))
        in_book(org, associate_a, *made)
        for customer in made:
            TaskFactory(customer=customer, assignee=associate_a, due_on=date(2027, 3, 16))
            services.sale_record(customer=customer, store=org["store_a"], salesperson=manager,
                                 sold_at=WEDNESDAY_NOON - timedelta(days=1),
                                 lines=[{"title": "Hat", "amount": Decimal("10.00")}])

    fill(1)
    client.force_login(associate_a)
    client.get(reverse("clienteling:today"))  # warm per-process caches
    # Session, user, user and group permissions, staff profile, home store, the user's
    # book ids, follow-ups, dates, recently active (purchases, texts and activities in one
    # query, then those customers), and the sections of the apps above (insights: the day's
    # next best actions, the goals running). SQLite cannot sort the
    # parts of a UNION, so it reads the two dates parts and the three activity parts apart.
    expected = 13 if connection.features.supports_slicing_ordering_in_compound else 16
    with django_assert_num_queries(expected):
        client.get(reverse("clienteling:today"))
    fill(15)
    with django_assert_num_queries(expected):
        response = client.get(reverse("clienteling:today"))
    context = response.context
    assert (len(context["tasks_due"]), len(context["dates_coming"]),
            len(context["recent_customers"])) == (16, 16, 16)


def person(org, last_name, **dates):
    return CustomerFactory(legal_entity=org["entity"], first_name="Pat", last_name=last_name,
                           birth_date=dates.get("birth_date"), anniversary=dates.get("anniversary"))


# Noon in New York on Tuesday 29 December 2026: the week runs into January.
YEAR_END = datetime(2026, 12, 29, 17, 0, tzinfo=ZoneInfo("UTC"))


@time_machine.travel(YEAR_END, tick=False)
def test_dates_across_the_year_end_keep_day_order(client, org, associate_a, monkeypatch):
    # Given dates on both sides of 1 January, where key order (0101 < 1229) is not day order
    monkeypatch.setattr("clienteling.selectors.today.DATES_SHOWN", 3)
    in_book(org, associate_a,
            person(org, "Adams", birth_date=date(1990, 1, 1)),
            person(org, "Zulu", birth_date=date(1990, 12, 31)),
            person(org, "Cole", birth_date=date(1990, 12, 29)),
            person(org, "Brown", birth_date=None, anniversary=date(2015, 1, 4)),
            person(org, "Aaron", birth_date=date(1990, 1, 5)),     # next week
            person(org, "Abel", birth_date=date(1990, 12, 28)))    # yesterday
    client.force_login(associate_a)

    coming = client.get(reverse("clienteling:today")).context["dates_coming"]

    # Then December comes first and the cut keeps the soonest
    assert [(item["customer"].last_name, item["on"]) for item in coming] == [
        ("Cole", date(2026, 12, 29)), ("Zulu", date(2026, 12, 31)), ("Adams", date(2027, 1, 1))]
    monkeypatch.setattr("clienteling.selectors.today.DATES_SHOWN", 50)
    coming = client.get(reverse("clienteling:today")).context["dates_coming"]
    assert [item["customer"].last_name for item in coming] == ["Cole", "Zulu", "Adams", "Brown"]
    assert coming[-1]["on"] == date(2027, 1, 4) and coming[-1]["anniversary"]


# Noon in New York on Friday 26 February 2027 (not a leap year).
LATE_FEBRUARY = datetime(2027, 2, 26, 17, 0, tzinfo=ZoneInfo("UTC"))


@time_machine.travel(LATE_FEBRUARY, tick=False)
def test_29_february_is_sorted_by_name_among_the_28th(client, org, associate_a, monkeypatch):
    # Given 29 February birthdays, celebrated on the 28th this year, among more 28 February
    # ones than the page shows
    monkeypatch.setattr("clienteling.selectors.today.DATES_SHOWN", 3)
    in_book(org, associate_a,
            *(person(org, name, birth_date=date(1990, 2, 28)) for name in ("Baker", "Dunn", "Evans")),
            person(org, "Cole", birth_date=date(1992, 2, 29)),
            person(org, "Adams", birth_date=date(1996, 2, 29)),
            person(org, "Abbott", birth_date=date(1990, 3, 1)),
            person(org, "Aaron", birth_date=None, anniversary=date(2010, 2, 27)))
    client.force_login(associate_a)

    coming = client.get(reverse("clienteling:today")).context["dates_coming"]

    # Then the 28th lists them all by name, after the 27th and before 1 March
    assert [(item["customer"].last_name, item["on"]) for item in coming] == [
        ("Aaron", date(2027, 2, 27)), ("Adams", date(2027, 2, 28)), ("Baker", date(2027, 2, 28))]
    monkeypatch.setattr("clienteling.selectors.today.DATES_SHOWN", 50)
    coming = client.get(reverse("clienteling:today")).context["dates_coming"]
    assert [item["customer"].last_name for item in coming] == [
        "Aaron", "Adams", "Baker", "Cole", "Dunn", "Evans", "Abbott"]


@time_machine.travel(WEDNESDAY_NOON, tick=False)
def test_a_customer_with_both_dates_this_week_is_listed_once_on_the_sooner(client, org,
                                                                           associate_a):
    both = person(org, "Both", birth_date=date(1980, 3, 20), anniversary=date(2005, 3, 18))
    same_day = person(org, "Same", birth_date=date(1980, 3, 19), anniversary=date(2005, 3, 19))
    in_book(org, associate_a, both, same_day)
    client.force_login(associate_a)

    coming = client.get(reverse("clienteling:today")).context["dates_coming"]

    assert [(item["customer"], item["on"], item["birthday"], item["anniversary"])
            for item in coming] == [(both, date(2027, 3, 18), True, True),
                                    (same_day, date(2027, 3, 19), True, True)]


@time_machine.travel(WEDNESDAY_NOON, tick=False)
def test_today_shows_only_customers_the_user_may_see(client, org, associate_a, manager):
    # Given a book in another legal entity holding a customer with a birthday and a sale
    foreign = CustomerFactory(legal_entity=org["other_entity"], first_name="Foreign",
                              birth_date=date(1980, 3, 18))
    book = services.client_book_get_or_create(owner=associate_a, legal_entity=org["other_entity"])
    services.client_book_add(book=book, customer=foreign, added_by=associate_a)
    services.sale_record(customer=foreign, store=org["store_b"], salesperson=manager,
                         sold_at=WEDNESDAY_NOON - timedelta(hours=1),
                         lines=[{"title": "Scarf", "amount": Decimal("10.00")}])
    mine = CustomerFactory(legal_entity=org["entity"], first_name="Mine",
                           birth_date=date(1980, 3, 18))
    in_book(org, associate_a, mine)
    client.force_login(associate_a)

    context = client.get(reverse("clienteling:today")).context

    # Then the customers_for(user) scope still applies
    assert [item["customer"] for item in context["dates_coming"]] == [mine]
    assert context["recent_customers"] == []


@time_machine.travel(WEDNESDAY_NOON, tick=False)
def test_recently_active_takes_each_customers_latest_activity(client, org, associate_a,
                                                              monkeypatch):
    from clienteling.models import ActivityType
    from tests.factories import ActivityFactory

    # Given customers with several activities each, two of them at the same instant
    monkeypatch.setattr("clienteling.selectors.today.RECENT_SHOWN", 3)
    twice, busy, steady, last = (person(org, name) for name in ("Twice", "Busy", "Steady", "Last"))
    in_book(org, associate_a, twice, busy, steady, last)
    kind = ActivityType.objects.first()
    for customer, hours_ago in ((twice, 0.5), (twice, 0.5), (busy, 1), (busy, 2), (busy, 50),
                                (steady, 3), (steady, 60), (last, 4)):
        ActivityFactory(customer=customer, actor=associate_a, activity_type=kind,
                        occurred_at=WEDNESDAY_NOON - timedelta(hours=hours_ago))
    client.force_login(associate_a)

    recent = client.get(reverse("clienteling:today")).context["recent_customers"]

    # Then each customer counts once, at their latest, and the cut keeps the most recent
    assert [(item["customer"], item["at"]) for item in recent] == [
        (twice, WEDNESDAY_NOON - timedelta(hours=0.5)), (busy, WEDNESDAY_NOON - timedelta(hours=1)),
        (steady, WEDNESDAY_NOON - timedelta(hours=3))]


@time_machine.travel(WEDNESDAY_NOON, tick=False)
def test_today_without_a_client_book(client, org, associate_a):
    person(org, "Nobody", birth_date=date(1980, 3, 18))
    client.force_login(associate_a)

    response = client.get(reverse("clienteling:today"))

    assert response.status_code == 200
    assert response.context["dates_coming"] == [] and response.context["recent_customers"] == []
