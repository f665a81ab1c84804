from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from catalog.money import format_money

register = template.Library()


@register.simple_tag
def icon(name: str, size: int = 16, css: str = ""):
    """An icon from the SVG sprite; decorative, so hidden from screen readers."""
    return format_html(
        '<svg class="bi {}" width="{}" height="{}" aria-hidden="true" focusable="false">'
        '<use href="{}#{}"></use></svg>',
        css, size, size, static("icons/sprite.svg"), name,
    )


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


EMPTY_CELL = format_html('<span class="text-body-tertiary">{}</span>', "—")


# The customer grid's cells are written in Python rather than with a template loop and
# an include per cell: 25 rows by up to a dozen columns, shown as a table and as phone
# cards, are several hundred cells, the bulk of the page's rendering time.


@register.simple_tag
def grid_row_cells(row: dict):
    """A grid row's cells as table cells."""
    from django.utils.html import format_html_join

    return format_html_join("", '<td class="small{}">{}</td>', (
        (" text-end text-nowrap" if cell["column"].kind == "money" else "",
         grid_cell(cell, row["customer"])) for cell in row["cells"]))


@register.simple_tag
def grid_card_cells(row: dict):
    """A grid row's cells as a phone card's terms and values (the name is the card's title)."""
    from django.utils.html import format_html_join

    return format_html_join("", '<dt class="col-6 text-secondary fw-normal">{}</dt>'
                                '<dd class="col-6 mb-0 text-truncate">{}</dd>', (
        (cell["column"].label, grid_cell(cell, row["customer"]))
        for cell in row["cells"] if cell["column"].key != "customer"))


def grid_cell(cell: dict, customer):
    """One customer-grid cell, formatted for the active locale and the store's time zone."""
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.formats import date_format
    from django.utils.html import format_html_join

    column, value = cell["column"], cell["value"]
    if cell["masked"] and value:
        return format_html('<span class="masked">{}</span>', value)
    if column.kind == "name":
        return format_html('<a class="fw-medium" href="{}">{}</a>',
                           reverse("clienteling:customer_detail", args=[customer.pk]), customer)
    if value is None or value == "" or value == []:
        return EMPTY_CELL
    if column.kind == "date":
        if hasattr(value, "tzinfo"):
            value = timezone.localtime(value).date()
        return date_format(value, "SHORT_DATE_FORMAT")
    if column.kind == "datetime":
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if column.kind == "money":
        return format_money(value, customer.currency)
    if column.kind == "list":
        return format_html_join(
            " ", '<span class="badge rounded-pill text-bg-light border fw-normal">{}</span>',
            ((item,) for item in value))
    return value
