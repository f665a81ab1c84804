"""Store-local time: every "today", "midnight" and "within N days"."""

import calendar
from datetime import date, datetime, time, timedelta

from django.utils import timezone


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
