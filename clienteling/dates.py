"""Store-local time: every "today", "midnight" and "within N days"; dates and times written
for the reader's language and region, in the store's zone.

Templates write dates with Django's formats (`|date:"DATE_FORMAT"`), which follow the active
language and its region (en: 3/4/2026, en-gb: 04/03/2026, fr-ca: 2026-03-04). Text made in
Python (a notice, a message to a customer) uses the functions below: Babel's patterns for the
same language, so a date reads the same in a page and in a text.
"""

import calendar
from datetime import UTC, date, datetime, time, timedelta

from babel import dates as babel_dates
from django.utils import timezone

from catalog.money import babel_locale

# Babel's pattern widths: "short" 04/03/2026, "medium" 4 Mar 2026, "long" 4 March 2026, "full".
WIDTHS = ("short", "medium", "long", "full")


def store_today(store, now: datetime | None = None) -> date:
    now = now or timezone.now()
    return now.astimezone(store.tzinfo).date()


def next_store_midnight(store, now: datetime | None = None) -> datetime:
    """The coming midnight in the store's zone, as an aware datetime."""
    today = store_today(store, now)
    local_midnight = datetime.combine(today + timedelta(days=1), time.min, tzinfo=store.tzinfo)
    return local_midnight


def months_before(day: date, months: int) -> date:
    """Same day N months earlier, clamped to the month's end (31 Mar - 1 -> 28/29 Feb)."""
    month_index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def is_leap(year: int) -> bool:
    return calendar.isleap(year)


def month_day_keys_within(today: date, days: int) -> list[int]:
    """MMDD keys of the dates from today through today + days, across the year end.

    In a non-leap year, 29 February birthdays are celebrated on the 28th, so the
    key 229 joins whenever 28 February falls in the window.
    """
    days = max(0, min(days, 366))
    keys = []
    for offset in range(days + 1):
        day = today + timedelta(days=offset)
        keys.append(day.month * 100 + day.day)
        if day.month == 2 and day.day == 28 and not is_leap(day.year):
            keys.append(229)
    return sorted(set(keys))


def _in_zone(value: datetime, store) -> datetime:
    """An aware datetime in the store's zone (the active zone without a store); a naive one is UTC."""
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value.astimezone(store.tzinfo if store is not None else timezone.get_current_timezone())


def format_day(value: date | datetime, *, store=None, width: str = "medium",
               language: str | None = None) -> str:
    """A date for people; a datetime is first put in the store's zone (its day there)."""
    if isinstance(value, datetime):
        value = _in_zone(value, store).date()
    return babel_dates.format_date(value, format=width, locale=babel_locale(language))


def format_clock(value: datetime, *, store=None, width: str = "short", language: str | None = None) -> str:
    """The time of day in the store's zone: 3:05 PM (en), 15:05 (en-gb, fr), 15 h 05 (fr-ca)."""
    return babel_dates.format_time(_in_zone(value, store), format=width, locale=babel_locale(language))


def format_moment(value: datetime, *, store=None, width: str = "short", language: str | None = None) -> str:
    """Date and time in the store's zone, in the reader's language and region."""
    return babel_dates.format_datetime(_in_zone(value, store), format=width, locale=babel_locale(language))


def duration_text(minutes: int) -> str:
    """"1 hour", "1 hour 30 minutes", "2 days": a span as people say it, in the active language."""
    from django.utils.translation import ngettext

    days, rest = divmod(int(minutes), 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(count)d day", "%(count)d days", days) % {"count": days})
    if hours:
        parts.append(ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
    if minutes or not parts:
        parts.append(ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes})
    return " ".join(parts)
