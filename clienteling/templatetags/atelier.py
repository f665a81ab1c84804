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
