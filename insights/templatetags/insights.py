"""Charts drawn on the server: inline SVG, no JavaScript library."""

from decimal import Decimal

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from catalog.money import format_money

register = template.Library()

WIDTH, HEIGHT, GAP = 640, 160, 2


@register.simple_tag
def bar_chart(points: list[dict], currency: str, label: str = ""):
    """Bars of {"day", "value"} points, scaled to the highest; each bar titled with its day and
    amount, and the whole chart named for screen readers (a table of the same figures is the page's)."""
    if not points:
        return ""
    top = max((point["value"] for point in points), default=Decimal(0))
    top = top if top > 0 else Decimal(1)
    width = WIDTH / len(points)
    bars = []
    for index, point in enumerate(points):
        value = max(point["value"], Decimal(0))
        height = float(value / top) * (HEIGHT - 20)
        title = f"{date_format(point['day'], 'MONTH_DAY_FORMAT')}: {format_money(point['value'], currency)}"
        bars.append(
            (
                f"{index * width + GAP / 2:.1f}",
                f"{HEIGHT - height:.1f}",
                f"{max(width - GAP, 1):.1f}",
                f"{height:.1f}",
                title,
            )
        )
    body = format_html_join(
        "", '<rect x="{}" y="{}" width="{}" height="{}" rx="2"><title>{}</title></rect>', bars
    )
    return format_html(
        '<svg class="chart-bars w-100" viewBox="0 0 {} {}" preserveAspectRatio="none" role="img" '
        'aria-label="{}" height="{}"><g fill="currentColor">{}</g></svg>',
        WIDTH,
        HEIGHT,
        label or _("Credited sales per day"),
        HEIGHT,
        body,
    )
