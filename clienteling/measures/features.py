"""The model's inputs for one customer as of a day: recency, frequency, money, rhythm."""

import math
from bisect import bisect_left
from statistics import median

from .history import Orders

FEATURES = [
    "recency_days", "frequency", "monetary", "spend_12mo", "spend_prev_12mo", "orders_12mo",
    "average_order_value", "tenure_days", "interval_median", "interval_spread", "overdue_ratio",
]
NAN = math.nan


def intervals(days: list[int]) -> list[int]:
    """Days between two consecutive orders on different days."""
    distinct = sorted(set(days))
    return [b - a for a, b in zip(distinct, distinct[1:], strict=False)]


def quartiles(values: list[int]) -> tuple[float, float, float]:
    ordered = sorted(values)
    n = len(ordered)

    def at(q: float) -> float:
        position = q * (n - 1)
        low = int(position)
        high = min(low + 1, n - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    return at(0.25), at(0.5), at(0.75)


def features_of(orders: Orders, as_of: int) -> list[float] | None:
    """Features from the orders before `as_of` (a day number); None without one.

    The interval figures are NaN below two order days: the gradient-boosted trees take
    a missing value as a branch of its own.
    """
    end = bisect_left(orders.days, as_of)
    if end == 0:
        return None
    days, amounts = orders.days[:end], orders.amounts[:end]
    year_ago = bisect_left(days, as_of - 365)
    two_years_ago = bisect_left(days, as_of - 730)
    recency = as_of - days[-1]
    monetary = sum(amounts)
    gaps = intervals(days)
    if gaps:
        q1, middle, q3 = quartiles(gaps)
        spread, overdue = q3 - q1, recency / max(middle, 1)
    else:
        middle = spread = overdue = NAN
    return [
        float(recency), float(end), monetary, sum(amounts[year_ago:]),
        sum(amounts[two_years_ago:year_ago]), float(end - year_ago), monetary / end,
        float(as_of - days[0]), middle, spread, overdue,
    ]


def usual_interval(orders: Orders) -> int | None:
    gaps = intervals(orders.days)
    return round(median(gaps)) if gaps else None


def next_window(orders: Orders, today: int) -> tuple[int, int] | None:
    """The next purchase expected between the last one plus the interquartile gaps.

    An overdue window starts today and keeps its width.
    """
    gaps = intervals(orders.days)
    if not gaps:
        return None
    q1, _middle, q3 = quartiles(gaps)
    start, end = orders.days[-1] + round(q1), orders.days[-1] + round(q3)
    if end < today:
        start, end = today, today + max(end - start, 7)
    return start, end
