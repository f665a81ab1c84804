"""How a measure reads on a card, the profile header and a list cell."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from clienteling.models import Segment


def segment_label(code: str) -> str:
    return str(Segment(code).label) if code in Segment.values else ""


def window_text(window: tuple[date, date] | None) -> str | None:
    if not window:
        return None
    start, end = window
    return _("%(start)s to %(end)s") % {"start": date_format(start, "SHORT_DATE_FORMAT"),
                                        "end": date_format(end, "SHORT_DATE_FORMAT")}


def percent_text(value) -> str | None:
    """A probability (0 to 1) as a whole percentage in the user's number format."""
    if value is None:
        return None
    percent = (Decimal(value) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return _("%(percent)s%%") % {"percent": number_format(percent, 0)}


def measure_display(measure: str, value):
    """A measure's value as shown: names for codes, dates for windows, the rest as it is."""
    if measure == "segment":
        return segment_label(value or "") or None
    if measure == "next_purchase_window":
        return window_text(value)
    return value
