"""The associate's Today page."""

from datetime import date, datetime, time, timedelta
from operator import attrgetter

from django.db import connections
from django.db.models import (
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clienteling.access import customers_for
from clienteling.dates import is_leap, store_today
from clienteling.models import (
    Activity,
    ClientBook,
    ClientBookEntry,
    CustomerContactHistory,
    CustomerMeasures,
    Task,
)
from clienteling.registry import today_sections

from .navigation import home_store_for

DATES_SHOWN = 50
TASKS_SHOWN = 50
RECENT_SHOWN = 20
RECENT_DAYS = 7
# Days away of a date not this week: a number, not NULL, so the two dates compare.
NEVER = 99

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


class _DaysAway(Func):
    """Days from today to the MMDD key in `column` this week (NEVER if not this week).

    One simple CASE written out at once: When objects for each key, on every part of
    the query, took milliseconds to build and compile.
    """

    output_field = IntegerField()

    def __init__(self, column: str, offsets: dict[int, int]):
        super().__init__(F(column))
        self.offsets = offsets

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        whens = " ".join(f"WHEN {key:d} THEN {offset:d}" for key, offset in self.offsets.items())
        return f"CASE {column} {whens} ELSE {NEVER:d} END", params


def _runs(offsets: dict[int, int]) -> list[tuple[int, int]]:
    """The week's MMDD keys as (first, last) ranges in which key order is day order.

    A run ends at the year end (1231, then 101) and before a 29 February celebrated
    on the 28th (same day as 228, so it cannot come after it in key order). Keys come
    from real dates, so a range of consecutive days holds no other day's key.
    """
    runs: list[list[int]] = []
    previous = None
    for key, offset in sorted(offsets.items(), key=lambda item: (item[1], item[0])):
        if previous is None or key < previous[0] or offset == previous[1]:
            runs.append([key, key])
        else:
            runs[-1][1] = key
        previous = (key, offset)
    return [(first, last) for first, last in runs]


def _union(parts: list[QuerySet], *, order: tuple[str, ...] = (), limit: int | None = None):
    """UNION ALL of sorted, sliced parts, in one query where the database allows it."""
    if connections[parts[0].db].features.supports_slicing_ordering_in_compound:
        combined = parts[0].union(*parts[1:], all=True)
        return list(combined.order_by(*order)[:limit] if order else combined)
    # SQLite cannot sort the parts of a UNION: run them one by one (its BINARY order is
    # Python's string order, so the merge below sorts as the database would).
    rows = [row for part in parts for row in part]
    return sorted(rows, key=attrgetter(*order))[:limit] if order else rows


def dates_coming(*, visible, book_customer_ids, today: date) -> list[dict]:
    """Birthdays and anniversaries in my book this week, soonest first (sorted in SQL,
    so the cut at DATES_SHOWN keeps the soonest, not any 50).

    Sorting every date of the week in the book meant reading ~15,000 customers from
    the heap at 1M. Instead each run of days is read per column, index only, along
    (legal entity, key, name), which is display order within the run; a big book is
    checked entry by entry and the walk stops at DATES_SHOWN. The few parts are merged
    and cut in the same query.
    """
    offsets = _week(today)
    mine = (visible.filter(pk__in=book_customer_ids)
            .only("id", "first_name", "last_name", "birthday_key", "anniversary_key"))
    birthday_in = _DaysAway("birthday_key", offsets)
    anniversary_in = _DaysAway("anniversary_key", offsets)
    # Both dates this week: listed once, on the sooner (with the birthday on a tie), so a
    # part's own date is the row's days away.
    parts = [
        mine.filter(once, **{f"{column}__range": run}).annotate(days_away=days_away)
        .order_by(column, "last_name", "first_name", "id")[:DATES_SHOWN]
        for column, days_away, once in (
            ("birthday_key", birthday_in, GreaterThanOrEqual(anniversary_in, birthday_in)),
            ("anniversary_key", anniversary_in, GreaterThan(birthday_in, anniversary_in)))
        for run in _runs(offsets)
    ]
    customers = _union(parts, order=("days_away", "last_name", "first_name", "id"),
                       limit=DATES_SHOWN)
    return [{"customer": c, "birthday": c.birthday_key in offsets,
             "anniversary": c.anniversary_key in offsets,
             "on": today + timedelta(days=c.days_away)} for c in customers]


def recently_active(*, visible, book_customer_ids, since: datetime) -> list[dict]:
    """Customers in my book who bought, texted (not a marketing broadcast) or had an
    activity logged since `since`, most recent first, with what they did.

    A book can hold a hundred thousand customers: one query that works out every
    customer's latest moment and sorts them all costs most of a second. Instead each
    source is read newest first along its own time index, the first few of each are
    kept (one query for the three), and the three short lists are merged here.
    """
    # Each source is walked along its time index and checked against the book entry by
    # entry ((customer, book) index); "visible" is applied to the few customers found.
    def in_book(field: str) -> Exists:
        return Exists(book_customer_ids.filter(customer_id=OuterRef(field)))

    # One row per customer in each source, so the top RECENT_SHOWN of each is enough:
    # a customer beyond them in their own best source has RECENT_SHOWN ahead of them.
    each = RECENT_SHOWN
    purchases = (CustomerMeasures.objects.filter(in_book("customer_id"), last_purchase_at__gte=since)
                 .annotate(reason=Value("purchase"))
                 .order_by("-last_purchase_at")
                 .values_list("customer_id", "last_purchase_at", "reason")[:each])
    # A marketing broadcast to the whole book is not the customer being active.
    texts = (CustomerContactHistory.objects.filter(in_book("customer_id"), last_text_at__gte=since)
             .filter(Q(last_text_inbound=True) | Q(last_marketing_at__isnull=True)
                     | ~Q(last_text_at=F("last_marketing_at")))
             .annotate(reason=Value("text"))
             .order_by("-last_text_at").values_list("customer_id", "last_text_at", "reason")[:each])
    # Activities are many per customer: a customer's latest is the one with none after it,
    # so the time index is walked newest first and stops at RECENT_SHOWN customers
    # (DISTINCT folds two at the same instant), instead of grouping the whole week.
    later = Activity.objects.filter(customer_id=OuterRef("customer_id"),
                                    occurred_at__gt=OuterRef("occurred_at"))
    activities = (Activity.objects.filter(in_book("customer_id"), occurred_at__gte=since)
                  .filter(~Exists(later)).annotate(reason=Value("activity"))
                  .order_by("-occurred_at", "-customer_id")
                  .values_list("customer_id", "occurred_at", "reason").distinct()[:each])
    latest: dict[int, tuple[datetime, str]] = {}
    for customer_id, at, reason in _union([purchases, texts, activities]):
        if customer_id not in latest or at > latest[customer_id][0]:
            latest[customer_id] = (at, reason)
    customers = {customer.pk: customer for customer in
                 visible.filter(pk__in=latest).only("id", "first_name", "last_name")}
    latest = {pk: found for pk, found in latest.items() if pk in customers}
    ordered = sorted(latest.items(), key=lambda item: (-item[1][0].timestamp(),
                                                       customers[item[0]].last_name, item[0]))
    return [{"customer": customers[pk], "at": at, "reason": REASONS[reason]}
            for pk, (at, reason) in ordered[:RECENT_SHOWN]]


def today_sections_for(*, user, store, today: date) -> list[dict]:
    """What the apps above put on Today (clienteling.registry.today_sections), in their order:
    [{"key", "template", "data"}], leaving out the sections that have nothing for this user."""
    shown = []
    for section in sorted(today_sections, key=lambda item: (item.order, item.key)):
        data = section.context(user=user, store=store, today=today)
        if data is not None:
            shown.append({"key": section.key, "template": section.template, "data": data})
    return shown


def today_for(*, user) -> dict:
    """The associate's Today page: follow-ups, dates coming up, recently active customers.

    "Today", "this week" and "the last 7 days" are the home store's days, not UTC's.
    """
    store = home_store_for(user)
    tz = store.tzinfo if store else timezone.get_current_timezone()
    today = store_today(store) if store else timezone.localdate()
    visible = customers_for(user)
    # The book ids first (a tiny query): filtering entries by book id lets the planner use
    # the (book, customer) and (customer, book) indexes with this book's own statistics.
    book_ids = list(ClientBook.objects.filter(owner=user).values_list("pk", flat=True))
    book_customer_ids = ClientBookEntry.objects.filter(book_id__in=book_ids).values("customer_id")
    since = datetime.combine(today - timedelta(days=RECENT_DAYS - 1), time.min, tzinfo=tz)
    return {
        "store": store,
        "today": today,
        "sections": today_sections_for(user=user, store=store, today=today),
        # Only what the card shows (customers are wide rows; str() needs these four).
        "tasks_due": list(
            Task.objects.filter(assignee=user, completed_at__isnull=True, due_on__lte=today,
                                customer__in=visible)
            .select_related("customer")
            .only("title", "due_on", "customer", "customer__first_name", "customer__last_name",
                  "customer__phone", "customer__email")
            .order_by("due_on", "id")[:TASKS_SHOWN]
        ),
        "dates_coming": dates_coming(visible=visible, book_customer_ids=book_customer_ids,
                                     today=today),
        "recent_customers": recently_active(visible=visible, book_customer_ids=book_customer_ids,
                                            since=since),
    }
