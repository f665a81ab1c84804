"""The daily next-best-action feed: built each morning in the store's time zone, once.

`action_feeds_build_due` (beat, every 15 minutes) claims each store whose local time has
passed FEED_BUILD_HOUR and has no FeedRun for its local day: the claim is an insert that
the (store, day) unique constraint lets only one worker win, so two beats, a retry or a
rerun never build a day twice. Each associate whose home store it is gets one suggestion
per customer of their book (the first enabled rule they match, by priority), ranked by
rule priority then score, cut at InsightsSettings.feed_size. The top suggestion of a
customer fills CustomerMeasures.next_best_action and recommendation_reason.
"""

import logging
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalog.db import fit, insert_once, update_rows
from clienteling.models import ClientBook, ClientBookEntry, Customer, CustomerMeasures, StaffProfile, Store

from ..models import ActionRule, FeedRun, InsightsSettings, Suggestion
from . import outcomes
from .rules import Context, evaluate

logger = logging.getLogger(__name__)

FEED_BUILD_HOUR = 6
DISMISSED_QUIET_DAYS = 7
ALLOWED_BATCH = 200
SNOOZE_DAYS = {"1": 1, "3": 3, "7": 7}


def action_feeds_build_due(*, now: datetime | None = None) -> int:
    """Build today's feeds of every active store past FEED_BUILD_HOUR local time that has none."""
    now = now or timezone.now()
    built = 0
    for store in Store.objects.filter(active=True).order_by("pk"):
        local = now.astimezone(store.tzinfo)
        if local.time() < time(FEED_BUILD_HOUR):
            continue
        if FeedRun.objects.filter(store=store, day=local.date()).exists():
            continue
        if action_feed_build(store=store, day=local.date(), now=now) is not None:
            built += 1
    return built


def action_feed_build(*, store: Store, day: date, now: datetime | None = None) -> FeedRun | None:
    """Claim the store's day and build its associates' feeds; None when already claimed."""
    now = now or timezone.now()
    run_id = insert_once(
        FeedRun, unique=("store", "day"), store=store.pk, day=day, started_at=now, suggestions=0
    )
    if run_id is None:
        return None
    run = FeedRun.objects.get(pk=run_id)
    try:
        outcomes.suggestion_outcomes_record(store=store, now=now)
        config = InsightsSettings.load()
        rules = list(ActionRule.objects.filter(enabled=True).order_by("priority", "pk"))
        total = 0
        profiles = (
            StaffProfile.objects.filter(home_store=store, active=True, user__is_active=True)
            .select_related("user")
            .order_by("user_id")
        )
        for profile in profiles:
            with translation.override(profile.language or settings.LANGUAGE_CODE):
                total += _build_one(
                    run=run,
                    store=store,
                    associate=profile.user,
                    profile=profile,
                    rules=rules,
                    day=day,
                    now=now,
                    size=config.feed_size,
                )
    except Exception:
        # Nothing half-claimed: the day is given back, so the next beat tries again.
        FeedRun.objects.filter(pk=run.pk).delete()
        raise
    FeedRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), suggestions=total)
    run.suggestions = total
    return run


def _quiet_customers(associate, day: date) -> set[int]:
    """Customers the associate asked not to see now: snoozed past today, dismissed lately."""
    snoozed = Suggestion.objects.filter(
        associate=associate, status=Suggestion.Status.SNOOZED, snoozed_until__gt=day
    ).values_list("customer_id", flat=True)
    dismissed = Suggestion.objects.filter(
        associate=associate,
        status=Suggestion.Status.DISMISSED,
        day__gt=day - timedelta(days=DISMISSED_QUIET_DAYS),
    ).values_list("customer_id", flat=True)
    return set(snoozed) | set(dismissed)


@transaction.atomic
def _build_one(*, run, store, associate, profile, rules, day, now, size) -> int:
    book_ids = list(ClientBook.objects.filter(owner=associate).values_list("pk", flat=True))
    book = ClientBookEntry.objects.filter(book_id__in=book_ids).values("customer_id")
    ctx = Context(associate=associate, store=store, today=day, tz=store.tzinfo, book=book, now=now)
    quiet = _quiet_customers(associate, day)
    ranked = _rank(ctx, rules, quiet=quiet, size=size, legal_entity_id=profile.legal_entity_id)
    Suggestion.objects.filter(associate=associate, day=day).delete()
    suggestions = [
        Suggestion(
            run=run,
            day=day,
            associate=associate,
            store=store,
            customer_id=customer_id,
            rule=rule,
            condition=rule.condition,
            action=rule.action,
            reason=fit(Suggestion, "reason", reason),
            rank=rank,
            score=-negative_score,
        )
        for rank, (customer_id, (_priority, negative_score, rule, reason)) in enumerate(ranked, start=1)
    ]
    Suggestion.objects.bulk_create(suggestions)
    _fill_measures(associate=associate, day=day, suggestions=suggestions)
    return len(suggestions)


def _rank(ctx: Context, rules, *, quiet: set[int], size: int, legal_entity_id: int) -> list:
    """The feed's top `size` as [(customer_id, (priority, -score, rule, reason))]: rules a
    priority at a time (rules of the same priority interleave by score), a customer by their
    first rule. Once the feed is full, lower priorities cannot enter it and are not evaluated
    (a book of 100,000 customers would match thousands of times)."""
    chosen: list = []
    seen: set[int] = set(quiet)
    by_priority: dict[int, list] = {}
    for rule in rules:
        by_priority.setdefault(rule.priority, []).append(rule)
    for priority in sorted(by_priority):
        found: dict[int, tuple] = {}
        for rule in by_priority[priority]:
            for customer_id, (score, reason) in evaluate(ctx, rule).items():
                if customer_id not in seen and (customer_id not in found or -score < found[customer_id][1]):
                    found[customer_id] = (priority, -score, rule, reason)
        ordered = sorted(found.items(), key=lambda item: (item[1][1], item[0]))
        # Only customers the associate may see (their legal entity, not erased), checked a
        # batch at a time until the feed is full.
        for start in range(0, len(ordered), ALLOWED_BATCH):
            batch = ordered[start : start + ALLOWED_BATCH]
            allowed = set(
                Customer.objects.filter(
                    pk__in=[pk for pk, _value in batch],
                    legal_entity_id=legal_entity_id,
                    erased_at__isnull=True,
                ).values_list("pk", flat=True)
            )
            chosen += [(pk, value) for pk, value in batch if pk in allowed]
            if len(chosen) >= size:
                return chosen[:size]
        seen |= set(found)
    return chosen


def _fill_measures(*, associate, day: date, suggestions: list[Suggestion]) -> None:
    """The card's next best action and the grid's Recommendation Reason, from the top suggestion;
    yesterday's customers who have none today are cleared."""
    rows = {
        s.customer_id: {
            "next_best_action": fit(CustomerMeasures, "next_best_action", s.rule.name),
            "recommendation_reason": fit(CustomerMeasures, "recommendation_reason", s.reason),
        }
        for s in suggestions
    }
    existing = set(
        CustomerMeasures.objects.filter(customer_id__in=list(rows)).values_list("customer_id", flat=True)
    )
    CustomerMeasures.objects.bulk_create(
        [CustomerMeasures(customer_id=pk, **values) for pk, values in rows.items() if pk not in existing]
    )
    update_rows(CustomerMeasures, {pk: values for pk, values in rows.items() if pk in existing})
    stale = (
        Suggestion.objects.filter(associate=associate, day__lt=day, day__gte=day - timedelta(days=7))
        .exclude(customer_id__in=list(rows))
        .values("customer_id")
    )
    CustomerMeasures.objects.filter(customer_id__in=stale).update(
        next_best_action="", recommendation_reason=""
    )


def _claim(suggestion_id: int, user, status: str, **extra) -> Suggestion:
    """Guarded transition from open (or snoozed) to `status`: two taps never both win."""
    changed = Suggestion.objects.filter(
        pk=suggestion_id, associate=user, status__in=[Suggestion.Status.OPEN, Suggestion.Status.SNOOZED]
    ).update(status=status, acted_at=timezone.now(), **extra)
    if not changed:
        raise ValidationError(_("This suggestion was already dealt with."))
    return Suggestion.objects.select_related("customer", "rule").get(pk=suggestion_id)


def suggestion_done(*, suggestion: Suggestion, user) -> Suggestion:
    return _claim(suggestion.pk, user, Suggestion.Status.DONE)


def suggestion_dismiss(*, suggestion: Suggestion, user) -> Suggestion:
    return _claim(suggestion.pk, user, Suggestion.Status.DISMISSED)


def suggestion_snooze(*, suggestion: Suggestion, user, days: int) -> Suggestion:
    if days not in SNOOZE_DAYS.values():
        raise ValidationError(_("Snooze for 1, 3 or 7 days."))
    return _claim(
        suggestion.pk, user, Suggestion.Status.SNOOZED, snoozed_until=suggestion.day + timedelta(days=days)
    )
