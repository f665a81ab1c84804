"""Demo insights: goals for this month, sales credited, today's next best action feeds, and
a few suggestions of the last weeks with their outcomes, so `make run` shows a lively Today,
dashboard and rule report. Safe to run again (each part skips what exists)."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from clienteling.dates import store_today
from clienteling.models import Sale, StaffProfile, Store
from insights import services
from insights.models import FeedRun, Goal, Metric, SaleCredit, Suggestion

CREDIT_DAYS = 120
CREDIT_LIMIT = 50_000
PAST_FEEDS = 14


def seed_insights(*, stores: list[Store]) -> dict:
    """Goals, credits and feeds for the demo stores; returns what it made."""
    now = timezone.now()
    made = {"goals": 0, "credits": 0, "suggestions": 0}
    for store in stores:
        made["goals"] += _goals(store)
    ids = list(
        Sale.objects.filter(
            store__in=stores, sold_at__gte=now - timedelta(days=CREDIT_DAYS), credit__isnull=True
        )
        .order_by("sold_at", "pk")
        .values_list("pk", flat=True)[:CREDIT_LIMIT]
    )
    for start in range(0, len(ids), 1000):
        made["credits"] += services.sale_credits_assign(sale_ids=ids[start : start + 1000])
    for store in stores:
        today = store_today(store)
        # The last two weeks' feeds first (their outcomes fill the report), then today's.
        for back in range(PAST_FEEDS, 0, -1):
            day = today - timedelta(days=back)
            if services.action_feed_build(store=store, day=day, now=now - timedelta(days=back)):
                _act_on_some(store, day)
        run = services.action_feed_build(store=store, day=today, now=now)
        made["suggestions"] += run.suggestions if run else 0
    services.suggestion_outcomes_record(now=now)
    return made


def _goals(store: Store) -> int:
    today = store_today(store)
    first = today.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    if Goal.objects.filter(store=store, starts_on=first).exists():
        return 0
    goals = [
        Goal(store=store, metric=Metric.SALES, target=Decimal("60000"), starts_on=first, ends_on=last),
        Goal(store=store, metric=Metric.NEW_CLIENTS, target=Decimal("40"), starts_on=first, ends_on=last),
    ]
    staff = StaffProfile.objects.filter(Q(home_store=store), active=True).select_related("user")
    for profile in staff:
        goals += [
            Goal(
                store=store,
                associate=profile.user,
                metric=Metric.SALES,
                target=Decimal("15000"),
                starts_on=first,
                ends_on=last,
            ),
            Goal(
                store=store,
                associate=profile.user,
                metric=Metric.MESSAGES_ANSWERED,
                target=Decimal("30"),
                starts_on=first,
                ends_on=last,
                answer_within_hours=4,
            ),
        ]
    Goal.objects.bulk_create(goals)
    return len(goals)


def _act_on_some(store: Store, day) -> None:
    """Past feeds: about half done, some dismissed or snoozed, as a real team would leave them."""
    morning = datetime.combine(day, time(7), tzinfo=store.tzinfo)
    Suggestion.objects.filter(store=store, day=day).update(created_at=morning)
    for index, pk in enumerate(
        Suggestion.objects.filter(store=store, day=day).order_by("pk").values_list("pk", flat=True)
    ):
        status = ("done", "done", "dismissed", "open", "snoozed")[index % 5]
        if status != "open":
            Suggestion.objects.filter(pk=pk).update(
                status=status,
                acted_at=morning + timedelta(hours=3),
                snoozed_until=day + timedelta(days=1) if status == "snoozed" else None,
            )


def demo_summary() -> str:
    return (
        f"{FeedRun.objects.count()} feed runs, {Suggestion.objects.count()} suggestions, "
        f"{SaleCredit.objects.count()} credits, {Goal.objects.count()} goals"
    )
