"""The daily feed: built once per store day after 06:00 local time, ranked, filling the card's
next best action; done, dismissed and snoozed from Today with a toast."""

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from clienteling.models import CustomerMeasures
from insights import services
from insights.models import ActionRule, Condition, FeedRun, Suggestion
from tests.factories import TaskFactory

from .conftest import DAY, MORNING, NY

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def birthdays(book):
    ada, ben, cleo = book
    for customer, day in ((ada, date(1980, 12, 12)), (ben, date(1980, 12, 8)), (cleo, None)):
        customer.birth_date = day
        customer.save()
    return book


def test_built_once_per_store_day_after_six_in_the_store_zone(org, associate_a, birthdays):
    early = datetime.combine(DAY, time(5, 59), tzinfo=NY)
    # 05:59 in New York is 11:59 in Paris: Paris (no staff there) is built, New York is not.
    assert services.action_feeds_build_due(now=early) == 1
    assert FeedRun.objects.filter(store=org["store_b"], day=DAY).exists()
    assert not FeedRun.objects.filter(store=org["store_a"]).exists()
    assert services.action_feeds_build_due(now=early + timedelta(minutes=2)) == 2  # New York, Boston
    run = FeedRun.objects.get(store=org["store_a"], day=DAY)
    assert run.finished_at is not None and run.suggestions == 2
    # A second beat, a retry, a rerun of the same day: nothing built twice.
    assert services.action_feeds_build_due(now=early + timedelta(hours=3)) == 0
    assert services.action_feed_build(store=org["store_a"], day=DAY, now=MORNING) is None
    assert Suggestion.objects.filter(associate=associate_a, day=DAY).count() == 2


def test_the_store_day_is_the_local_one(org, associate_b):
    # 23:30 UTC on 7 December is 00:30 on the 8th in Paris: before 06:00 there, no build.
    late = datetime(2026, 12, 7, 23, 30, tzinfo=ZoneInfo("UTC"))
    services.action_feeds_build_due(now=late)
    assert not FeedRun.objects.filter(store=org["store_b"]).exists()
    services.action_feeds_build_due(now=late + timedelta(hours=6))  # 06:30 in Paris on the 8th
    assert FeedRun.objects.get(store=org["store_b"]).day == date(2026, 12, 8)


def test_ranked_by_rule_priority_then_score_one_card_per_customer(org, associate_a, birthdays):
    ada, ben, cleo = birthdays
    TaskFactory(customer=ada, assignee=associate_a, created_by=associate_a, due_on=DAY, title="Call back")
    TaskFactory(customer=cleo, assignee=associate_a, created_by=associate_a, due_on=DAY, title="Send photos")
    services.action_feed_build(store=org["store_a"], day=DAY, now=MORNING)
    feed = list(Suggestion.objects.filter(associate=associate_a, day=DAY).order_by("rank"))
    # Follow-ups (priority 1) before birthdays (priority 4); Ada only once, by her first rule.
    assert [(s.customer_id, s.condition) for s in feed] == [
        (ada.pk, Condition.FOLLOW_UP),
        (cleo.pk, Condition.FOLLOW_UP),
        (ben.pk, Condition.DATE_SOON),
    ]
    assert feed[2].reason == "Birthday on December 8"
    measures = CustomerMeasures.objects.get(customer=ben)
    assert (measures.next_best_action, measures.recommendation_reason) == (
        "Birthday or anniversary",
        "Birthday on December 8",
    )


def test_a_disabled_rule_suggests_nothing(org, associate_a, birthdays):
    ActionRule.objects.filter(condition=Condition.DATE_SOON).update(enabled=False)
    services.action_feed_build(store=org["store_a"], day=DAY, now=MORNING)
    assert not Suggestion.objects.filter(associate=associate_a).exists()


def test_feed_size_caps_the_cards(org, associate_a, birthdays):
    from insights.models import InsightsSettings

    InsightsSettings.objects.update_or_create(pk=1, defaults={"feed_size": 1})
    services.action_feed_build(store=org["store_a"], day=DAY, now=MORNING)
    assert Suggestion.objects.filter(associate=associate_a).count() == 1


def _today_feed(client, user):
    client.force_login(user)
    return client.get(reverse("clienteling:today"))


def test_today_shows_the_cards_first(client, org, associate_a, birthdays, time_machine):
    time_machine.move_to(MORNING)
    services.action_feed_build(store=org["store_a"], day=DAY, now=MORNING)
    page = _today_feed(client, associate_a).content.decode()
    assert page.index("Next best actions") < page.index("Follow-ups due")
    assert "Birthday on December 8" in page and "Birthday on December 12" in page
    assert reverse("insights:suggestion_act", args=[Suggestion.objects.first().pk]) in page


def test_done_dismiss_snooze_with_htmx_and_toasts(client, org, associate_a, birthdays, time_machine):
    time_machine.move_to(MORNING)
    services.action_feed_build(store=org["store_a"], day=DAY, now=MORNING)
    first, second = Suggestion.objects.filter(associate=associate_a).order_by("rank")
    client.force_login(associate_a)
    done = client.post(reverse("insights:suggestion_done", args=[first.pk]), HTTP_HX_REQUEST="true")
    assert done.status_code == 200 and done.content == b""
    assert json.loads(done["HX-Trigger"]) == {"toast": "Marked as done."}
    again = client.post(reverse("insights:suggestion_dismiss", args=[first.pk]), HTTP_HX_REQUEST="true")
    assert again.status_code == 400 and b"already dealt with" in again.content
    bad = client.post(
        reverse("insights:suggestion_snooze", args=[second.pk]), {"days": "5"}, HTTP_HX_REQUEST="true"
    )
    assert bad.status_code == 400
    snoozed = client.post(
        reverse("insights:suggestion_snooze", args=[second.pk]), {"days": "3"}, HTTP_HX_REQUEST="true"
    )
    assert snoozed.status_code == 200
    second.refresh_from_db()
    assert (second.status, second.snoozed_until) == (Suggestion.Status.SNOOZED, DAY + timedelta(days=3))
    first.refresh_from_db()
    assert first.status == Suggestion.Status.DONE and first.acted_at is not None


def test_snoozed_and_dismissed_customers_stay_out_of_the_next_feeds(org, associate_a, birthdays):
    services.action_feed_build(store=org["store_a"], day=DAY, now=MORNING)
    # Ben's birthday on the 8th first, then Ada's on the 12th.
    ben, ada = Suggestion.objects.filter(associate=associate_a).order_by("rank")
    services.suggestion_dismiss(suggestion=ben, user=associate_a)
    services.suggestion_snooze(suggestion=ada, user=associate_a, days=3)
    tomorrow = DAY + timedelta(days=1)
    services.action_feed_build(store=org["store_a"], day=tomorrow, now=MORNING + timedelta(days=1))
    assert not Suggestion.objects.filter(associate=associate_a, day=tomorrow).exists()
    # The snooze ends after 3 days (Ada's birthday is still ahead); Ben stays dismissed.
    later = DAY + timedelta(days=3)
    services.action_feed_build(store=org["store_a"], day=later, now=MORNING + timedelta(days=3))
    assert list(
        Suggestion.objects.filter(associate=associate_a, day=later).values_list("customer_id", flat=True)
    ) == [ada.customer_id]


def test_someone_elses_suggestion_is_404(client, org, associate_a, birthdays, manager):
    services.action_feed_build(store=org["store_a"], day=DAY, now=MORNING)
    suggestion = Suggestion.objects.first()
    client.force_login(manager)
    assert client.post(reverse("insights:suggestion_done", args=[suggestion.pk])).status_code == 404


def test_follow_up_action_schedules_one_and_is_done(client, org, associate_a, birthdays):
    from clienteling.models import Task

    ActionRule.objects.filter(condition=Condition.DATE_SOON).update(action="follow_up")
    services.action_feed_build(store=org["store_a"], day=DAY, now=MORNING)
    suggestion = Suggestion.objects.order_by("rank").first()
    client.force_login(associate_a)
    response = client.post(reverse("insights:suggestion_act", args=[suggestion.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("clienteling:customer_detail", args=[suggestion.customer_id])
    task = Task.objects.get(customer_id=suggestion.customer_id)
    assert (task.title, task.due_on, task.assignee) == (
        suggestion.reason,
        DAY + timedelta(days=3),
        associate_a,
    )
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.DONE


def test_cart_action_opens_a_cart(client, org, associate_a, birthdays):
    ActionRule.objects.filter(condition=Condition.DATE_SOON).update(action="cart")
    services.action_feed_build(store=org["store_a"], day=DAY, now=MORNING)
    suggestion = Suggestion.objects.order_by("rank").first()
    client.force_login(associate_a)
    response = client.post(reverse("insights:suggestion_act", args=[suggestion.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/carts/")


def test_message_action_puts_the_template_in_the_composer(client, org, associate_a, birthdays):
    from clienteling import services as clienteling_services
    from conversations.models import MessageTemplate

    template = MessageTemplate.objects.create(channel="sms", name="Birthday", body="Happy birthday from us!")
    ActionRule.objects.filter(condition=Condition.DATE_SOON).update(template=template)
    services.action_feed_build(store=org["store_a"], day=DAY, now=MORNING)
    suggestion = Suggestion.objects.order_by("rank").first()
    clienteling_services.customer_consent_set(
        customer=suggestion.customer, channel="sms", state="opted_in", source="keyword"
    )
    client.force_login(associate_a)
    response = client.post(reverse("insights:suggestion_act", args=[suggestion.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/conversations/")
    page = client.get(response["Location"]).content.decode()
    assert "Happy birthday from us!" in page


def test_outcomes_replies_and_sales_in_the_window(org, associate_a, birthdays):
    from clienteling import services as clienteling_services

    services.action_feed_build(store=org["store_a"], day=DAY, now=MORNING)
    suggestion = Suggestion.objects.order_by("rank").first()
    clienteling_services.sale_record(
        customer=suggestion.customer,
        store=org["store_a"],
        salesperson=associate_a,
        sold_at=suggestion.created_at + timedelta(days=2),
        lines=[{"title": "Gift", "amount": "250"}],
    )
    services.suggestion_outcomes_record(store=org["store_a"], now=suggestion.created_at + timedelta(days=3))
    suggestion.refresh_from_db()
    assert suggestion.sale is not None and str(suggestion.revenue) == "250.00"


def test_appointment_action_opens_the_booking(client, org, associate_a, birthdays):
    ActionRule.objects.filter(condition=Condition.DATE_SOON).update(action="appointment")
    services.action_feed_build(store=org["store_a"], day=DAY, now=MORNING)
    suggestion = Suggestion.objects.order_by("rank").first()
    client.force_login(associate_a)
    response = client.post(reverse("insights:suggestion_act", args=[suggestion.pk]), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("appointments:book", args=[suggestion.customer_id])
