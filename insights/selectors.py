"""Insights reads: the associate's feed, goal progress, the store dashboard and the rule report.

Days are the store's: a period from `start` to `end` runs from local midnight of `start`
to local midnight after `end`.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, DateTimeField, ExpressionWrapper, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDate

from appointments.models import Appointment
from clienteling.access import managed_stores_for
from clienteling.models import Customer, Store
from conversations.models import Message

from .access import can_see_team
from .models import ActionRule, Goal, InsightsSettings, Metric, SaleCredit, Suggestion

FEED_SHOWN = 50
TODAY_CARDS = 5
GOALS_SHOWN = 6
ZERO = Decimal(0)


def feed_for(*, user, day: date) -> list[Suggestion]:
    """The user's open suggestions of the day, ranked (one query)."""
    return list(
        Suggestion.objects.filter(
            associate=user, day=day, status=Suggestion.Status.OPEN, customer__erased_at__isnull=True
        )
        .select_related("customer", "rule")
        .only(
            "pk",
            "reason",
            "rank",
            "action",
            "condition",
            "day",
            "customer_id",
            "rule__name",
            "customer__first_name",
            "customer__last_name",
            "customer__profile_name",
            "customer__phone",
            "customer__email",
        )
        .order_by("rank", "pk")[:FEED_SHOWN]
    )


def period_bounds(store: Store, start: date, end: date) -> tuple[datetime, datetime]:
    tz = store.tzinfo
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def _answered(store: Store, since: datetime, until: datetime, hours: int):
    """Inbound messages of the store's threads in the period, each with who answered it within `hours`."""
    within = ExpressionWrapper(OuterRef("created_at") + timedelta(hours=hours), output_field=DateTimeField())
    reply = (
        Message.objects.filter(
            conversation_id=OuterRef("conversation_id"),
            direction=Message.Direction.OUTBOUND,
            sent_by__isnull=False,
            created_at__gt=OuterRef("created_at"),
            created_at__lte=within,
        )
        .order_by("created_at")
        .values("sent_by_id")[:1]
    )
    return (
        Message.objects.filter(
            conversation__store=store,
            direction=Message.Direction.INBOUND,
            created_at__gte=since,
            created_at__lt=until,
        )
        .annotate(answered_by=Subquery(reply))
        .filter(answered_by__isnull=False)
    )


def metric_by_associate(
    metric: str, *, store: Store, since: datetime, until: datetime, hours: int = 24
) -> dict[int, Decimal]:
    """{associate id: value} of one measure in the store over the period (one grouped query)."""
    if metric == Metric.SALES:
        rows = (
            SaleCredit.objects.filter(store=store, credited_at__gte=since, credited_at__lt=until)
            .values("associate_id")
            .annotate(value=Sum("amount"))
            .values_list("associate_id", "value")
        )
    elif metric == Metric.NEW_CLIENTS:
        rows = (
            Customer.objects.filter(
                home_store=store,
                created_at__gte=since,
                created_at__lt=until,
                created_by__isnull=False,
                is_prospect=False,
            )
            .values("created_by_id")
            .annotate(value=Count("pk"))
            .values_list("created_by_id", "value")
        )
    elif metric == Metric.MESSAGES_ANSWERED:
        rows = (
            _answered(store, since, until, hours)
            .values("answered_by")
            .annotate(value=Count("pk"))
            .values_list("answered_by", "value")
        )
    else:
        rows = (
            Appointment.objects.filter(
                store=store, status=Appointment.Status.HELD, starts_at__gte=since, starts_at__lt=until
            )
            .values("associate_id")
            .annotate(value=Count("pk"))
            .values_list("associate_id", "value")
        )
    return {pk: Decimal(value or 0) for pk, value in rows if pk}


def metric_total(
    metric: str, *, store: Store, since: datetime, until: datetime, associate=None, hours: int = 24
) -> Decimal:
    """One measure for the store (or one associate of it) over the period (one query)."""
    if metric == Metric.SALES:
        rows = SaleCredit.objects.filter(store=store, credited_at__gte=since, credited_at__lt=until)
        if associate is not None:
            rows = rows.filter(associate=associate)
        return rows.aggregate(value=Sum("amount"))["value"] or ZERO
    if metric == Metric.NEW_CLIENTS:
        rows = Customer.objects.filter(
            home_store=store,
            created_at__gte=since,
            created_at__lt=until,
            created_by__isnull=False,
            is_prospect=False,
        )
        if associate is not None:
            rows = rows.filter(created_by=associate)
    elif metric == Metric.MESSAGES_ANSWERED:
        rows = _answered(store, since, until, hours)
        if associate is not None:
            rows = rows.filter(answered_by=associate.pk)
    else:
        rows = Appointment.objects.filter(
            store=store, status=Appointment.Status.HELD, starts_at__gte=since, starts_at__lt=until
        )
        if associate is not None:
            rows = rows.filter(associate=associate)
    return Decimal(rows.count())


@dataclass
class GoalProgress:
    goal: Goal
    value: Decimal
    percent: int
    is_money: bool
    currency: str


def goal_progress(goal: Goal) -> GoalProgress:
    since, until = period_bounds(goal.store, goal.starts_on, goal.ends_on)
    value = metric_total(
        goal.metric,
        store=goal.store,
        since=since,
        until=until,
        associate=goal.associate,
        hours=goal.answer_within_hours,
    )
    percent = int(min(100, (value / goal.target) * 100)) if goal.target else 0
    return GoalProgress(
        goal=goal,
        value=value,
        percent=percent,
        is_money=goal.metric == Metric.SALES,
        currency=goal.store.currency,
    )


def goals_current(*, user, store: Store | None, day: date) -> list[GoalProgress]:
    """The user's own goals and their home store's, running today."""
    if store is None:
        return []
    goals = (
        Goal.objects.filter(
            Q(associate=user) | Q(associate__isnull=True, store=store), starts_on__lte=day, ends_on__gte=day
        )
        .select_related("store", "associate")
        .order_by("associate_id", "metric", "pk")[:GOALS_SHOWN]
    )
    return [goal_progress(goal) for goal in goals]


def _daily(
    store: Store, since: datetime, until: datetime, start: date, end: date, associate=None
) -> list[dict]:
    rows = SaleCredit.objects.filter(store=store, credited_at__gte=since, credited_at__lt=until)
    if associate is not None:
        rows = rows.filter(associate=associate)
    by_day = dict(
        rows.annotate(day=TruncDate("credited_at", tzinfo=store.tzinfo))
        .values("day")
        .annotate(value=Sum("amount"))
        .values_list("day", "value")
    )
    days = [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
    return [{"day": day, "value": by_day.get(day) or ZERO} for day in days]


def dashboard(*, user, store: Store, start: date, end: date) -> dict:
    """The store's figures over the period: totals, leaderboard, daily credited sales, goals.

    Company admins and the store's managers see everyone; an associate sees what the company
    admin allows (InsightsSettings.leaderboard): their own row, their rank, or everyone.
    """
    since, until = period_bounds(store, start, end)
    measures = {
        metric: metric_by_associate(metric, store=store, since=since, until=until) for metric in Metric.values
    }
    people = set().union(*(values.keys() for values in measures.values()))
    names = {
        pk: (full or username)
        for pk, full, username in get_user_model()
        .objects.filter(pk__in=people)
        .values_list("pk", "first_name", "username")
    }
    last_names = dict(get_user_model().objects.filter(pk__in=people).values_list("pk", "last_name"))
    board = [
        {
            "associate_id": pk,
            "name": f"{names.get(pk, '')} {last_names.get(pk, '')}".strip(),
            **{metric: measures[metric].get(pk, ZERO) for metric in Metric.values},
        }
        for pk in people
    ]
    board.sort(key=lambda row: (-row[Metric.SALES], row["name"], row["associate_id"]))
    for rank, row in enumerate(board, start=1):
        row["rank"] = rank
        row["me"] = row["associate_id"] == user.pk
    team = can_see_team(user, store)
    visibility = InsightsSettings.Leaderboard.FULL if team else InsightsSettings.load().leaderboard
    mine = [row for row in board if row["me"]]
    shown = board if visibility == InsightsSettings.Leaderboard.FULL else mine
    totals = {metric: sum(measures[metric].values(), ZERO) for metric in Metric.values}
    daily = _daily(store, since, until, start, end, associate=None if team else user)
    goals = (
        Goal.objects.filter(store=store, starts_on__lte=end, ends_on__gte=start)
        .select_related("store", "associate")
        .order_by("associate_id", "metric", "pk")
    )
    if not team:
        goals = goals.filter(Q(associate=user) | Q(associate__isnull=True))
    return {
        "store": store,
        "start": start,
        "end": end,
        "team": team,
        "visibility": visibility,
        "leaderboard": shown,
        "board_size": len(board),
        "my_rank": mine[0]["rank"] if mine and visibility != InsightsSettings.Leaderboard.NONE else None,
        "totals": totals if team else {metric: mine[0][metric] if mine else ZERO for metric in Metric.values},
        "daily": daily,
        "currency": store.currency,
        "goals": [goal_progress(goal) for goal in goals[:20]],
    }


def rule_report(*, user, start: date, end: date) -> list[dict]:
    """Per rule, over suggestions of the period in the user's managed stores: shown, done,
    dismissed, snoozed, replies, sales, and revenue in each store currency (two grouped queries:
    stores of different currencies are never added together)."""
    suggestions = Suggestion.objects.filter(store__in=managed_stores_for(user), day__gte=start, day__lte=end)
    revenue: dict[int, list[dict]] = {}
    for row in (suggestions.filter(sale__isnull=False).values("rule_id", "store__currency")
                .annotate(amount=Sum("revenue")).order_by("rule_id", "store__currency")):
        revenue.setdefault(row["rule_id"], []).append({"amount": row["amount"] or ZERO,
                                                       "currency": row["store__currency"]})
    rows = (
        suggestions
        .values("rule_id")
        .annotate(
            shown=Count("pk"),
            done=Count("pk", filter=Q(status=Suggestion.Status.DONE)),
            dismissed=Count("pk", filter=Q(status=Suggestion.Status.DISMISSED)),
            snoozed=Count("pk", filter=Q(status=Suggestion.Status.SNOOZED)),
            replies=Count("pk", filter=Q(replied_at__isnull=False)),
            sales=Count("pk", filter=Q(sale__isnull=False)),
        )
    )
    by_rule = {row["rule_id"]: row for row in rows}
    report = []
    for rule in ActionRule.objects.order_by("priority", "pk"):
        row = by_rule.get(rule.pk, {})
        shown = row.get("shown", 0)
        report.append(
            {
                "rule": rule,
                "shown": shown,
                "done": row.get("done", 0),
                "dismissed": row.get("dismissed", 0),
                "snoozed": row.get("snoozed", 0),
                "replies": row.get("replies", 0),
                "sales": row.get("sales", 0),
                "revenue": revenue.get(rule.pk, []),
                "reply_rate": round(100 * row.get("replies", 0) / shown) if shown else 0,
            }
        )
    return report
