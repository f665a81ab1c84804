"""RFM scores (1 to 5) and the segment they put a customer in.

The edges are the population's quintiles, computed when the model is fitted and kept
with it, so the nightly refresh and the rescoring after a sale grade alike. Before a
first fit the defaults below (a luxury boutique's orders of magnitude) apply.
"""

from bisect import bisect_left, bisect_right

from clienteling.models import Segment

# Four ascending edges each: a value up to the first edge scores 1 (5 for recency days).
DEFAULT_EDGES = {
    "recency": [30, 90, 180, 365],
    "frequency": [1, 2, 3, 5],
    "monetary": [300, 800, 2000, 5000],
}


def edges_from(recency: list[float], frequency: list[float], monetary: list[float]) -> dict:
    """Quintile edges of the customers who bought at least once."""

    def quintiles(values: list[float]) -> list[float]:
        ordered = sorted(values)
        if not ordered:
            return []
        return [ordered[min(int(len(ordered) * q), len(ordered) - 1)] for q in (0.2, 0.4, 0.6, 0.8)]

    found = {"recency": quintiles(recency), "frequency": quintiles(frequency),
             "monetary": quintiles(monetary)}
    return {key: value or DEFAULT_EDGES[key] for key, value in found.items()}


def scores(edges: dict, *, recency_days: float, orders: int, monetary: float) -> tuple[int, int, int]:
    # Fewer days since the last order is better: 5 up to the first edge.
    r = 5 - bisect_left(edges["recency"], recency_days)
    f = 1 + bisect_right(edges["frequency"], orders - 0.5) if orders else 1
    m = 1 + bisect_left(edges["monetary"], monetary)
    return max(1, min(r, 5)), max(1, min(f, 5)), max(1, min(m, 5))


def segment(r: int, f: int, m: int, *, orders: int) -> str:
    """The usual RFM grid, read on recency and the mean of frequency and money."""
    fm = (f + m) / 2
    if r >= 4 and orders <= 1:
        return Segment.NEW
    if r >= 4 and fm >= 4:
        return Segment.CHAMPIONS
    if r >= 3 and fm >= 3:
        return Segment.LOYAL
    if r >= 3:
        return Segment.POTENTIAL_LOYALIST
    if fm >= 4:
        return Segment.CANT_LOSE if r == 1 else Segment.AT_RISK
    if fm >= 3 or (r == 2 and orders >= 2):
        return Segment.AT_RISK if r == 2 else Segment.HIBERNATING
    return Segment.HIBERNATING if r == 2 else Segment.LOST
