"""The project's form renderer: Django's widget markup, built in Python.

Django renders each widget, and each <option> of a select, through a template
include. The customer list's filter form has some forty widgets and a few
hundred options, which cost about 15 ms of every page that way. This renderer
writes the same HTML (byte for byte, see tests/test_form_renderer.py) for the
plain inputs and selects, and leaves every other template to Django.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

WIDGETS = "django/forms/widgets/"
INPUT_TEMPLATES = frozenset(
    f"{WIDGETS}{name}.html"
    for name in ("input", "text", "number", "email", "url", "password", "hidden", "date",
                 "datetime", "time", "checkbox", "search", "tel", "color", "file")
)
SELECT_TEMPLATES = frozenset({f"{WIDGETS}select.html"})
OPTION_TEMPLATE = f"{WIDGETS}select_option.html"


def _text(value) -> str:
    # The templates print `value|stringformat:'s'`: str(), then escaped unless safe.
    return conditional_escape(str(value))


def _attrs(attrs: dict) -> str:
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"'
        for name, value in attrs.items() if value is not False
    )


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return (f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
            f'{value}{_attrs(widget["attrs"])}>')


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            if option["template_name"] != OPTION_TEMPLATE:
                return None  # a custom option template: let Django render the select
            parts.append(f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
                         f'{conditional_escape(option["label"])}</option>\n')  # the template's own newline
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FastWidgetRenderer(DjangoTemplates):
    """DjangoTemplates, with plain inputs and selects written directly."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if widget is not None and len(context) == 1:
            if template_name in INPUT_TEMPLATES:
                return mark_safe(_input(widget))  # noqa: S308 - every part escaped above
            if template_name in SELECT_TEMPLATES and (html := _select(widget)) is not None:
                return mark_safe(html)  # noqa: S308 - every part escaped above
        return super().render(template_name, context, request=request)
