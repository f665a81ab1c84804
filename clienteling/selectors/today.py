"""The associate's Today page."""

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clienteling.access import customers_for
from clienteling.dates import is_leap, store_today
from clienteling.models import Activity, ClientBookEntry, Task

from .navigation import home_store_for

DATES_SHOWN = 50
TASKS_SHOWN = 50
RECENT_SHOWN = 20
RECENT_DAYS = 7
# Stand-ins for "no such date" so LEAST/GREATEST behave the same on every database
# (PostgreSQL skips NULLs there, SQLite returns NULL).
NEVER = 99
LONG_AGO = datetime(1900, 1, 1, tzinfo=UTC)

REASONS = {
    "purchase": _("Bought something"),
    "text": _("Texted"),
    "activity": _("Activity logged"),
}


def _week(today: date) -> dict[int, int]:
    """MMDD key -> days from today, for the seven days starting today.

    In a non-leap year 29 February birthdays are celebrated on the 28th.
    """
    offsets = {}
    for offset in range(7):
        day = today + timedelta(days=offset)
        offsets[day.month * 100 + day.day] = offset
        if (day.month, day.day) == (2, 28) and not is_leap(day.year):
            offsets[229] = offset
    return offsets


def _offset_of(column: str, offsets: dict[int, int]):
    return Case(*(When(**{column: key}, then=Value(offset)) for key, offset in offsets.items()),
                default=Value(NEVER), output_field=IntegerField())


def dates_coming(*, visible, book_customer_ids, today: date) -> list[dict]:
    """Birthdays and anniversaries in my book this week, soonest first (sorted in SQL,
    so the cut at DATES_SHOWN keeps the soonest, not any 50)."""
    offsets = _week(today)
    keys = list(offsets)
    customers = (
        visible.filter(pk__in=book_customer_ids)
        .filter(Q(birthday_key__in=keys) | Q(anniversary_key__in=keys))
        .annotate(birthday_in=_offset_of("birthday_key", offsets),
                  anniversary_in=_offset_of("anniversary_key", offsets))
        .annotate(days_away=Least("birthday_in", "anniversary_in"))
        .only("id", "first_name", "last_name", "birthday_key", "anniversary_key")
        .order_by("days_away", "last_name", "first_name", "id")[:DATES_SHOWN]
    )
    return [{"customer": c, "birthday": c.birthday_in != NEVER,
             "anniversary": c.anniversary_in != NEVER,
             "on": today + timedelta(days=c.days_away)} for c in customers]


def recently_active(*, visible, book_customer_ids, since: datetime) -> list[dict]:
    """Customers in my book who bought, texted (not a marketing broadcast) or had an
    activity logged since `since`, most recent first, with what they did."""
    last_activity = Subquery(
        Activity.objects.filter(customer=OuterRef("pk")).order_by()
        .values("customer").annotate(last=Max("occurred_at")).values("last")[:1],
        output_field=DateTimeField())
    history = "contact_history__"
    # A marketing broadcast to the whole book is not the customer being active.
    conversation = Q(**{f"{history}last_text_at__gte": since}) & (
        Q(**{f"{history}last_text_inbound": True})
        | Q(**{f"{history}last_marketing_at__isnull": True})
        | ~Q(**{f"{history}last_text_at": F(f"{history}last_marketing_at")}))
    customers = (
        visible.filter(pk__in=book_customer_ids)
        .annotate(last_activity_at=last_activity)
        .filter(Q(measures__last_purchase_at__gte=since) | conversation
                | Exists(Activity.objects.filter(customer=OuterRef("pk"), occurred_at__gte=since)))
        .annotate(
            purchase_at=Coalesce("measures__last_purchase_at", Value(LONG_AGO)),
            text_at=Case(When(conversation, then=F(f"{history}last_text_at")),
                         default=Value(LONG_AGO), output_field=DateTimeField()),
            activity_at=Coalesce("last_activity_at", Value(LONG_AGO)),
        )
        .annotate(active_at=Greatest("purchase_at", "text_at", "activity_at"))
        .only("id", "first_name", "last_name")
        .order_by("-active_at", "last_name", "id")[:RECENT_SHOWN]
    )
    rows = []
    for customer in customers:
        reason = max((("purchase", customer.purchase_at), ("text", customer.text_at),
                      ("activity", customer.activity_at)), key=lambda item: item[1])[0]
        rows.append({"customer": customer, "at": customer.active_at, "reason": REASONS[reason]})
    return rows


def today_for(*, user) -> dict:
    """The associate's Today page: follow-ups, dates coming up, recently active customers.

    "Today", "this week" and "the last 7 days" are the home store's days, not UTC's.
    """
    store = home_store_for(user)
    tz = store.tzinfo if store else timezone.get_current_timezone()
    today = store_today(store) if store else timezone.localdate()
    visible = customers_for(user)
    book_customer_ids = ClientBookEntry.objects.filter(book__owner=user).values("customer_id")
    since = datetime.combine(today - timedelta(days=RECENT_DAYS - 1), time.min, tzinfo=tz)
    return {
        "store": store,
        "today": today,
        "tasks_due": list(
            Task.objects.filter(assignee=user, completed_at__isnull=True, due_on__lte=today,
                                customer__in=visible)
            .select_related("customer").order_by("due_on", "id")[:TASKS_SHOWN]
        ),
        "dates_coming": dates_coming(visible=visible, book_customer_ids=book_customer_ids,
                                     today=today),
        "recent_customers": recently_active(visible=visible, book_customer_ids=book_customer_ids,
                                            since=since),
    }
