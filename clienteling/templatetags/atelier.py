import functools
import html

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from catalog.money import format_money

register = template.Library()


@functools.cache
def _sprite_url() -> str:
    # The sprite's (hashed) address never changes while the process runs; a page has dozens of icons.
    return static("icons/sprite.svg")


@register.simple_tag
def icon(name: str, size: int = 16, css: str = ""):
    """An icon from the SVG sprite; decorative, so hidden from screen readers."""
    return mark_safe(  # noqa: S308 - every part escaped
        f'<svg class="bi {_escape(css)}" width="{_escape(size)}" height="{_escape(size)}" aria-hidden="true" '
        f'focusable="false"><use href="{_escape(_sprite_url())}#{_escape(name)}"></use></svg>')


@register.simple_tag
def product_thumb(image_url: str, large: bool = False):
    """A product's picture, or a bag where it has none; decorative, as the title says what it is."""
    size = " thumb-lg" if large else ""
    if image_url:
        return format_html(
            '<img class="thumb{}" src="{}" alt="" loading="lazy" referrerpolicy="no-referrer">',
            size, image_url)
    return format_html('<span class="thumb{} thumb-empty" aria-hidden="true">{}</span>', size,
                       icon("bag", 24 if large else 18))


@register.filter
def initials(customer) -> str:
    first = (getattr(customer, "first_name", "") or "")[:1]
    last = (getattr(customer, "last_name", "") or "")[:1]
    return (first + last).upper() or "?"


@register.filter
def money(amount, currency: str = "USD"):
    """Amount in the currency, formatted for the active language."""
    return format_money(amount, currency)


@register.filter
def field_label(form, name: str) -> str:
    """The label of a form field by name (for error summaries)."""
    field = form.fields.get(name) if hasattr(form, "fields") else None
    return str(field.label) if field is not None and field.label else name


@register.simple_tag
def field_row(field, label=None):
    """A form field with its label and errors, in the console's small-form layout.

    Written in Python rather than as an included template: the customer filters
    have some forty fields, and an include apiece cost about 10 ms a page.
    """
    from django.utils.html import format_html_join

    if getattr(field.field.widget, "input_type", None) == "checkbox":
        return format_html(
            '<div class="form-check mb-1">{}<label class="form-check-label small" for="{}">{}'
            "</label></div>", field, field.id_for_label, field.label)
    errors = format_html_join("", '<div class="invalid-feedback d-block">{}</div>',
                              ((error,) for error in field.errors))
    return format_html(
        '<div class="mb-2"><label class="form-label small mb-1" for="{}">{}</label>{}{}</div>',
        field.id_for_label, label or field.label, field, errors)


EMPTY_CELL = '<span class="text-body-tertiary">—</span>'


# The customer grid's cells are written in Python rather than with a template loop and
# an include per cell: 25 rows by up to a dozen columns, shown as a table and as phone
# cards, are several hundred cells, the bulk of the page's rendering time. Each cell is
# formatted once for both layouts, and escaped with the standard library's escape
# (Django's own is wrapped for lazy strings, which costs more than the escaping here).


def _escape(value) -> str:
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


@register.simple_tag
def grid_table_rows(rows: list[dict]):
    """The grid's table body: each row's checkbox and cells."""
    return mark_safe("".join(  # noqa: S308 - every value escaped
        f'<tr><td class="check-col">{_row_check(row["customer"])}</td>{_row_cells(row)}</tr>'
        for row in rows))


@register.simple_tag
def grid_cards(rows: list[dict]):
    """The grid as phone cards: checkbox, initials, name, then the other cells as terms."""
    cards = []
    for row in rows:
        customer = row["customer"]
        url = reverse("clienteling:customer_detail", args=[customer.pk])
        cards.append(
            '<li class="list-group-item d-flex gap-3 align-items-start">'
            f'{_row_check(customer, " mt-2")}<span class="avatar">{_escape(initials(customer))}</span>'
            '<div class="min-w-0 flex-grow-1">'
            f'<a class="fw-medium" href="{_escape(url)}">{_escape(customer)}</a>'
            f'<dl class="row small mb-0 mt-1">{_card_cells(row)}</dl></div></li>')
    return mark_safe("".join(cards))  # noqa: S308 - every value escaped


def _row_check(customer, css: str = "") -> str:
    label = gettext("Select %(name)s") % {"name": customer}
    return (f'<input class="form-check-input row-check{css}" type="checkbox" name="ids" '
            f'value="{customer.pk}" form="bulk-form" aria-label="{_escape(label)}">')


def _row_cells(row: dict) -> str:
    """A grid row's cells as table cells."""
    return mark_safe("".join(  # noqa: S308 - every value goes through grid_cell's escaping
        f'<td class="small{" text-end text-nowrap" if cell["column"].kind == "money" else ""}">'
        f"{_cell_html(cell, row['customer'])}</td>" for cell in row["cells"]))


def _card_cells(row: dict) -> str:
    """A grid row's cells as a phone card's terms and values (the name is the card's title)."""
    return mark_safe("".join(  # noqa: S308 - labels and values escaped
        f'<dt class="col-6 text-secondary fw-normal">{_escape(cell["column"].label)}</dt>'
        f'<dd class="col-6 mb-0 text-truncate">{_cell_html(cell, row["customer"])}</dd>'
        for cell in row["cells"] if cell["column"].key != "customer"))


def _cell_html(cell: dict, customer) -> str:
    # The table and the cards show the same cell: format it once.
    if "html" not in cell:
        cell["html"] = grid_cell(cell, customer)
    return cell["html"]


def grid_cell(cell: dict, customer) -> str:
    """One customer-grid cell as HTML, formatted for the active locale and the store's time zone."""
    column, value = cell["column"], cell["value"]
    if cell["masked"] and value:
        return f'<span class="masked">{_escape(value)}</span>'
    if column.kind == "name":
        url = reverse("clienteling:customer_detail", args=[customer.pk])
        return f'<a class="fw-medium" href="{_escape(url)}">{_escape(customer)}</a>'
    if value is None or value == "" or value == []:
        return EMPTY_CELL
    if column.kind == "date":
        if hasattr(value, "tzinfo"):
            value = timezone.localtime(value).date()
        return _escape(date_format(value, "SHORT_DATE_FORMAT"))
    if column.kind == "datetime":
        return _escape(date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT"))
    if column.kind == "money":
        return _escape(format_money(value, customer.currency))
    if column.kind == "list":
        badge = '<span class="badge rounded-pill text-bg-light border fw-normal">{}</span>'
        return " ".join(badge.format(_escape(item)) for item in value)
    return _escape(value)
