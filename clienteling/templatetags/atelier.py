from django import template
from django.templatetags.static import static
from django.utils.html import format_html

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
    if amount in (None, ""):
        return ""
    from babel.numbers import format_currency
    from django.utils.translation import get_language, to_locale

    return format_currency(amount, currency or "USD", locale=to_locale(get_language() or "en"))


@register.filter
def field_label(form, name: str) -> str:
    """The label of a form field by name (for error summaries)."""
    field = form.fields.get(name) if hasattr(form, "fields") else None
    return str(field.label) if field is not None and field.label else name
