"""The associate's Today page."""

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clienteling.access import customers_for
from clienteling.dates import is_leap, store_today
from clienteling.models import (
    Activity,
    ClientBookEntry,
    CustomerContactHistory,
    CustomerMeasures,
    Task,
)

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
    activity logged since `since`, most recent first, with what they did.

    A book can hold a hundred thousand customers: one query that works out every
    customer's latest moment and sorts them all costs most of a second. Instead each
    source is read newest first along its own time index, the first few of each are
    kept, and the three short lists are merged here.
    """
    # Each source is walked along its time index and checked against the book entry by
    # entry ((customer, book) index); "visible" is applied to the few customers found.
    def in_book(field: str) -> Exists:
        return Exists(book_customer_ids.filter(customer_id=OuterRef(field)))

    # One row per customer in each source, so the top RECENT_SHOWN of each is enough:
    # a customer beyond them in their own best source has RECENT_SHOWN ahead of them.
    each = RECENT_SHOWN
    purchases = (CustomerMeasures.objects.filter(in_book("customer_id"), last_purchase_at__gte=since)
                 .order_by("-last_purchase_at").values_list("customer_id", "last_purchase_at")[:each])
    # A marketing broadcast to the whole book is not the customer being active.
    texts = (CustomerContactHistory.objects.filter(in_book("customer_id"), last_text_at__gte=since)
             .filter(Q(last_text_inbound=True) | Q(last_marketing_at__isnull=True)
                     | ~Q(last_text_at=F("last_marketing_at")))
             .order_by("-last_text_at").values_list("customer_id", "last_text_at")[:each])
    activities = (Activity.objects.filter(in_book("customer_id"), occurred_at__gte=since)
                  .values("customer_id").annotate(at=Max("occurred_at")).order_by("-at")
                  .values_list("customer_id", "at")[:each])
    latest: dict[int, tuple[datetime, str]] = {}
    for reason, found in (("purchase", purchases), ("text", texts), ("activity", activities)):
        for customer_id, at in found:
            if customer_id not in latest or at > latest[customer_id][0]:
                latest[customer_id] = (at, reason)
    customers = {customer.pk: customer for customer in
                 visible.filter(pk__in=latest).only("id", "first_name", "last_name")}
    latest = {pk: found for pk, found in latest.items() if pk in customers}
    ordered = sorted(latest.items(), key=lambda item: (-item[1][0].timestamp(),
                                                       customers[item[0]].last_name, item[0]))
    return [{"customer": customers[pk], "at": at, "reason": REASONS[reason]}
            for pk, (at, reason) in ordered[:RECENT_SHOWN]]


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
