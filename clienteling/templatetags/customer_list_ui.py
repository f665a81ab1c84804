"""The phone customer list: compact cards and the active filters as removable chips."""

from django import forms, template
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from catalog.money import format_money
from clienteling.forms.lists import MODIFIER_PARAMS, filter_params
from clienteling.selectors.cards import customer_card_facts

from .atelier import icon, initials

register = template.Library()
TRUE_VALUES = {"on", "true", "True", "1"}


def _date(value) -> str:
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value).date()
    return date_format(value, "SHORT_DATE_FORMAT")


def _property_text(prop: dict, customer) -> str:
    value = prop["value"]
    if prop["kind"] == "money":
        value = format_money(value, customer.currency)
    elif prop["kind"] == "date":
        value = _date(value)
    return f"{escape(prop['label'])} <strong>{escape(value)}</strong>"


@register.simple_tag(takes_context=True)
def compact_cards(context, rows: list[dict]):
    """The list's page as compact phone cards (about 88 px each, so five fit a 390×844 screen):
    a checkbox, the initials, the name, one line of key facts (client book, tags, last purchase)
    and one of the card's properties. The whole card opens the profile (a stretched link); the
    checkbox sits above it with its own 44 px target. Written in Python: a page has 25 to 100."""
    customers = [row["customer"] for row in rows]
    facts = customer_card_facts(user=context["request"].user, customers=customers)
    # What every card repeats, made once a page (a page has up to 100 cards).
    book_fact = f'<span class="fact-book">{icon("book", 12)} {escape(gettext("In your book"))}</span>'
    tag_icon, chevron = icon("tag", 12), icon("chevron-right", 16, "card-chevron")
    no_purchase = f'<span>{escape(gettext("No purchase yet"))}</span>'
    select_text, last_text, more_text = gettext("Select %(name)s"), gettext("Last purchase %(date)s"), \
        gettext("+%(count)s")
    marker = 987654321  # a pk no customer has: the profile's URL is made once and filled in
    url_pattern = reverse("clienteling:customer_detail", args=[marker]).replace(str(marker), "{pk}")
    cards = []
    for customer in customers:
        found = facts[customer.pk]
        name = escape(customer)
        line = [book_fact] if found["in_book"] else []
        if found["tags"]:
            tags = ", ".join(escape(tag) for tag in found["tags"])
            if found["more_tags"]:
                tags += " " + escape(more_text % {"count": found["more_tags"]})
            line.append(f"<span>{tag_icon} {tags}</span>")
        if found["last_purchase"]:
            line.append("<span>" + escape(last_text % {"date": _date(found["last_purchase"])}) + "</span>")
        properties = " · ".join(_property_text(prop, customer) for prop in found["properties"])
        cards.append(
            '<li class="list-group-item customer-card">'
            f'<label class="card-check"><input class="form-check-input row-check" type="checkbox" name="ids" '
            f'value="{customer.pk}" form="bulk-form" aria-label="{escape(select_text % {"name": customer})}">'
            '</label>'
            f'<span class="avatar avatar-sm" aria-hidden="true">{escape(initials(customer))}</span>'
            '<div class="min-w-0 flex-grow-1">'
            f'<a class="card-name stretched-link" href="{url_pattern.format(pk=customer.pk)}">{name}</a>'
            f'<div class="card-facts">{" · ".join(line) if line else no_purchase}</div>'
            + (f'<div class="card-props">{properties}</div>' if properties else "")
            + f'</div>{chevron}</li>')
    return mark_safe("".join(cards))  # noqa: S308 - every value escaped


def _choice_labels(field, values: list[str]) -> dict[str, str]:
    if isinstance(field, forms.ModelChoiceField):  # also the multiple one
        wanted = [value for value in values if value.isdigit()]
        return {str(obj.pk): str(obj) for obj in field.queryset.filter(pk__in=wanted)}
    if isinstance(field, forms.ChoiceField):
        flat = {}
        for key, label in field.choices:
            if isinstance(label, (list, tuple)):
                flat.update({str(k): str(v) for k, v in label})
            else:
                flat[str(key)] = str(label)
        return flat
    return {}


def _field_labels(filterset) -> dict[str, str]:
    """Each filter field's label as the form shows it: a range's legend with "from"/"up to"."""
    labels = {}
    for section in filterset.form_sections():
        for row in section["rows"]:
            if "legend" in row:
                for item in row["fields"]:
                    labels[item["field"].name] = f"{row['legend']} {item['label']}"
            else:
                labels[row["field"].name] = str(row["label"] or row["field"].label)
    return labels


@register.simple_tag
def filter_chips(filterset, query_string: str, saved_list=None, sort: str = "") -> list[dict]:
    """One chip per active filter value: its label, its value as shown in the form, and the URL
    of the same list without it (a plain link: the filter form reloads with the page)."""
    query = filter_params(QueryDict(query_string))
    if not query:
        return []
    form = filterset.form
    labels = _field_labels(filterset)

    def url(params: dict) -> str:
        extra = {**({"list": saved_list.pk} if saved_list else {}), **({"sort": sort} if sort else {})}
        encoded = urlencode({**params, **extra}, doseq=True)
        return reverse("clienteling:customer_list") + (f"?{encoded}" if encoded else "")

    chips = []
    for key, values in query.items():
        if key in MODIFIER_PARAMS or key in getattr(filterset, "hidden", ()):
            continue  # a measure filter the admin no longer offers is not applied either
        field = form.fields.get(key)
        label = labels.get(key) or (str(field.label) if field is not None and field.label else key)
        shown = _choice_labels(field, values) if field is not None else {}
        for value in values:
            rest = {k: [v for v in vs if not (k == key and v == value)] for k, vs in query.items()}
            rest = {k: vs for k, vs in rest.items() if vs}
            if isinstance(field, (forms.BooleanField, forms.NullBooleanField)) and value in TRUE_VALUES:
                text = label
            else:
                text = f"{label}: {shown.get(value, value)}"
            chips.append({"text": text, "url": url(rest),
                          "remove": gettext("Remove filter %(filter)s") % {"filter": text}})
    return chips


@register.simple_tag
def show_results_label(count: int | None) -> str:
    """The phone filter sheet's footer button."""
    if count is None:
        return gettext("Show results")
    return ngettext("Show %(count)s result", "Show %(count)s results", count) % {
        "count": number_format(count, force_grouping=True)}
