"""The customer list's filters (django-filter), including admin-defined attributes.

Every filter is an indexed lookup on the customer row, its 1:1 measures and
contact history rows, or an EXISTS on a table keyed by (value, customer).
"""

import copy
import functools
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

import django_filters as filters
import phonenumbers
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.http import QueryDict
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from catalog import reference
from catalog.models import Category, Designer, ItemType

from .access import can_see_sensitive, stores_for
from .dates import month_day_keys_within, store_today
from .models import (
    ClientBook,
    ClientBookEntry,
    ConsentState,
    Customer,
    CustomerAttribute,
    CustomerAttributeValue,
    CustomerMailingList,
    CustomerTag,
    ListMeasure,
    MailingList,
    ModuleSettings,
    SaleLine,
    Segment,
    StaffProfile,
    Tag,
    WishlistItem,
)

MAX_DAYS = 3660

SCOPE_CHOICES = [
    ("all", _("All customers")),
    ("primary", _("I am the primary salesperson")),
    ("sold_to", _("I sold to them")),
    ("my_book", _("My client book")),
    ("store_book", _("Store client book")),
]
MATCH_CHOICES = [("any", _("Match any")), ("all", _("Match all"))]
CONSENT_FIELDS = {"sms_consent": "sms_consent", "whatsapp_consent": "whatsapp_consent",
                  "email_consent": "email_consent"}
DataType = CustomerAttribute.DataType


@dataclass(frozen=True)
class Range:
    """Two fields shown side by side under one legend ("from" and "up to")."""

    legend: Any
    low: str
    high: str
    low_label: Any = _("from")
    high_label: Any = _("up to")

    @property
    def names(self) -> tuple[str, str]:
        return self.low, self.high


@dataclass(frozen=True)
class FilterGroup:
    """One section of the filter form. A row is a field name, (field name, shown label) or a Range."""

    key: str
    label: Any
    icon: str
    rows: tuple

    @property
    def names(self) -> list[str]:
        names = []
        for row in self.rows:
            if isinstance(row, Range):
                names += row.names
            else:
                names.append(row[0] if isinstance(row, tuple) else row)
        return names


# The filter form, section by section; a section holding a value opens by itself.
FILTER_GROUPS = (
    FilterGroup("options", _("Contact options"), "check2", (
        "has_email", "has_phone", "has_wishlist", "primary_only", "exclude_sms_opted_out")),
    FilterGroup("tags", _("Tags and mailing lists"), "tags", (
        "tags", ("tags_match", _("Tags must")),
        "mailing_lists", ("mailing_lists_match", _("Mailing lists must")))),
    FilterGroup("dates", _("Significant dates"), "gift", (
        "birthday_within", "partner_birthday_within", "anniversary_within")),
    FilterGroup("contact", _("Communication history"), "chat-dots", (
        "communicated_within", "not_communicated_within", "contacted_within", "not_contacted_within",
        "texted_within", "not_texted_within")),
    FilterGroup("consent", _("Opt-in status"), "check-circle", (
        "sms_consent", "whatsapp_consent", "email_consent")),
    FilterGroup("purchases", _("Purchase history"), "bag", (
        "purchased_within", "not_purchased_within",
        Range(_("Sold in the last 12 months"), "sales_12mo_min", "sales_12mo_max"),
        Range(_("Sold in the last 24 months"), "sales_24mo_min", "sales_24mo_max"),
        "designers", "categories", "item_types", "skus", "titles")),
    # Computed by clienteling.measures (docs/insights-measures.md).
    FilterGroup("measures", _("Measures"), "graph-up", (
        "segment", "churn_risk_above", "predicted_spend_min", "average_order_value_min", "orders_min",
        "overdue")),
)
# The measure filters, by the measure a Company Admin offers or keeps out of the list.
MEASURE_FILTERS = {
    ListMeasure.SEGMENT: ("segment",),
    ListMeasure.CHURN_RISK: ("churn_risk_above",),
    ListMeasure.PREDICTED_SPEND: ("predicted_spend_min",),
    ListMeasure.AVERAGE_ORDER_VALUE: ("average_order_value_min",),
    ListMeasure.ORDERS: ("orders_min",),
    ListMeasure.NEXT_PURCHASE: ("overdue",),
}


def hidden_filter_names() -> frozenset[str]:
    """The filters of the measures a Company Admin keeps out of the list (Admin > Module settings):
    not in the form and not applied, even when a saved list or a link still names them."""
    hidden = ModuleSettings.load().hidden_measure_filters
    return frozenset(name for measure in hidden for name in MEASURE_FILTERS.get(measure, ()))


ATTRIBUTES_GROUP = ("attributes", _("Attributes"), "person-lines-fill")
# Selects that always carry a value: they alone do not open their section.
ALWAYS_SENT = {"tags_match", "mailing_lists_match"}


class DaysFilter(filters.NumberFilter):
    field_class = forms.IntegerField


class CountFilter(filters.NumberFilter):
    field_class = forms.IntegerField


def days_field(label):
    return DaysFilter(
        label=label, method="filter_noop", min_value=0, max_value=MAX_DAYS,
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_DAYS, "inputmode": "numeric",
                                        "placeholder": _("days")}),
    )


def money_field(label):
    return filters.NumberFilter(
        label=label, method="filter_noop", min_value=Decimal(0), max_digits=12, decimal_places=2,
        widget=forms.NumberInput(attrs={"min": 0, "step": "0.01", "inputmode": "decimal"}),
    )


def flag_field(label):
    return filters.BooleanFilter(
        label=label, method="filter_noop", widget=forms.CheckboxInput,
    )


MAX_SKUS = 20


def skus_from(text: str) -> list[str]:
    """The SKUs a comma-separated entry names (at most MAX_SKUS)."""
    return [part.strip() for part in (text or "").split(",") if part.strip()][:MAX_SKUS]


class SkuPickerInput(forms.TextInput):
    """A text field of SKUs that suggests products and variants as the user types (htmx)."""

    def __init__(self, attrs=None):
        super().__init__({
            "list": "skus-options", "autocomplete": "off", "placeholder": _("SKU or product name"),
            "hx-get": reverse_lazy("clienteling:sku_options"), "hx-trigger": "input changed delay:300ms",
            "hx-target": "#skus-options", "hx-swap": "innerHTML", **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        return format_html('{}<datalist id="skus-options"></datalist>',
                           super().render(name, value, attrs, renderer))


def consent_field(label):
    return filters.ChoiceFilter(label=label, method="filter_noop", choices=ConsentState.choices,
                                empty_label=_("Any"))


def percent_field(label):
    return filters.NumberFilter(
        label=label, method="filter_noop", min_value=0, max_value=100, max_digits=5, decimal_places=2,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1, "inputmode": "decimal",
                                        "placeholder": "%"}),
    )


class CustomerFilterSet(filters.FilterSet):
    """Built per request: `attributes` adds one filter per filterable attribute."""

    q = filters.CharFilter(label=_("Search"), method="filter_noop", max_length=100)
    scope = filters.ChoiceFilter(label=_("Customers"), choices=SCOPE_CHOICES,
                                 method="filter_noop", empty_label=None)
    has_email = flag_field(_("Has an email"))
    has_phone = flag_field(_("Has a texting number"))
    has_wishlist = flag_field(_("Has an active wishlist item"))
    primary_only = flag_field(_("Primary accounts only"))
    exclude_sms_opted_out = flag_field(_("Exclude opted out of texting"))
    tags = filters.ModelMultipleChoiceFilter(
        label=_("Tags"), queryset=Tag.objects.filter(active=True), method="filter_noop"
    )
    tags_match = filters.ChoiceFilter(label=_("Tags"), choices=MATCH_CHOICES,
                                      method="filter_noop", empty_label=None)
    mailing_lists = filters.ModelMultipleChoiceFilter(
        label=_("Mailing lists"), queryset=MailingList.objects.filter(active=True),
        method="filter_noop",
    )
    mailing_lists_match = filters.ChoiceFilter(label=_("Mailing lists"), choices=MATCH_CHOICES,
                                               method="filter_noop", empty_label=None)
    birthday_within = days_field(_("Birthday within (days)"))
    partner_birthday_within = days_field(_("Partner birthday within (days)"))
    anniversary_within = days_field(_("Anniversary within (days)"))
    # Messages either way on any channel, and activities of types that count as contact.
    communicated_within = days_field(_("Communication within (days)"))
    not_communicated_within = days_field(_("No communication within (days)"))
    contacted_within = days_field(_("Marketing contact within (days)"))
    not_contacted_within = days_field(_("No marketing contact within (days)"))
    texted_within = days_field(_("Last text within (days)"))
    not_texted_within = days_field(_("No text within (days)"))
    sms_consent = consent_field(_("Texting (SMS)"))
    whatsapp_consent = consent_field(_("WhatsApp"))
    email_consent = consent_field(_("Email"))
    purchased_within = days_field(_("Purchase within (days)"))
    not_purchased_within = days_field(_("No purchase within (days)"))
    sales_12mo_min = money_field(_("Sold last 12 months, from"))
    sales_12mo_max = money_field(_("Sold last 12 months, up to"))
    sales_24mo_min = money_field(_("Sold last 24 months, from"))
    sales_24mo_max = money_field(_("Sold last 24 months, up to"))
    designers = filters.ModelMultipleChoiceFilter(
        label=_("Designers"), queryset=Designer.objects.filter(active=True), method="filter_noop"
    )
    categories = filters.ModelMultipleChoiceFilter(
        label=_("Categories"), queryset=Category.objects.filter(active=True), method="filter_noop"
    )
    item_types = filters.ModelMultipleChoiceFilter(
        label=_("Item types"), queryset=ItemType.objects.filter(active=True), method="filter_noop"
    )
    skus = filters.CharFilter(
        label=_("Products or SKUs"), method="filter_noop", max_length=1400, widget=SkuPickerInput,
        help_text=_("Pick products or variants, or type SKUs separated by commas: any of them matches."),
    )
    titles = filters.CharFilter(
        label=_("Item titles"), method="filter_noop", max_length=300,
        help_text=_("Several titles separated by commas match any of them."),
    )
    segment = filters.MultipleChoiceFilter(label=_("Segment is"), choices=Segment.choices,
                                           method="filter_noop")
    churn_risk_above = percent_field(_("Churn risk above (%)"))
    predicted_spend_min = money_field(_("Predicted spend 12 months, from"))
    average_order_value_min = money_field(_("Average order value, from"))
    orders_min = CountFilter(
        label=_("Orders, at least"), method="filter_noop", min_value=0, max_value=100_000,
        widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}))
    overdue = flag_field(_("Past their usual purchase interval"))

    class Meta:
        model = Customer
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, user=None, store=None,
                 attributes=()):
        # BaseFilterSet.__init__, but each declared filter copied shallowly: the deep copy
        # of some forty filters and their querysets was a tenth of the list's time. A filter
        # keeps no state of a request but `model`, `parent`, the field it builds and its
        # `extra` (which ModelChoiceFilter writes to) and its method binding: those are the copy's.
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = Customer.objects.all() if queryset is None else queryset
        self.request = request
        self.form_prefix = None
        self.filters = {}
        self.hidden = hidden_filter_names()
        for name, declared in self.base_filters.items():
            if name in self.hidden:
                continue
            filter_ = copy.copy(declared)
            filter_.extra = dict(declared.extra)
            if declared.method is not None:
                filter_.method = declared.method  # a FilterMethod bound to the copy, not the declaration
            filter_.model, filter_.parent = self.queryset.model, self
            self.filters[name] = filter_
        self.user = user
        self.phone_region = (store.country or "").upper() if store else ""
        self.tzinfo = store.tzinfo if store else timezone.get_current_timezone()
        self.today = store_today(store) if store else timezone.localdate()
        self.attributes = {attribute.slug: attribute for attribute in attributes}
        for attribute in attributes:
            for name, filter_ in attribute_filters(attribute).items():
                filter_.model = Customer
                filter_.parent = self
                self.filters[name] = filter_

    # Form classes by the attributes' definitions: the fields depend on nothing else, and
    # building some fifty of them (their widgets deep-copied) cost a few ms a page.
    _form_classes: dict = {}

    def get_form_class(self):
        definitions = tuple((attribute.pk, attribute.slug, attribute.name, attribute.data_type,
                             tuple((option.value, option.label) for option in attribute.options.all()))
                            for attribute in self.attributes.values())
        key = (self.hidden, definitions)
        form_class = self._form_classes.get(key)
        if form_class is None:
            form_class = super().get_form_class()
            if len(self._form_classes) >= 16:  # definitions changed often: start over
                self._form_classes.clear()
            self._form_classes[key] = form_class
        return form_class

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_styled", False):
            for field in form.fields.values():
                widget = field.widget
                if isinstance(widget, forms.CheckboxInput):
                    css = "form-check-input"
                elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                    css = "form-select form-select-sm"
                else:
                    css = "form-control form-control-sm"
                widget.attrs["class"] = css
            cached_options(form)
            form._styled = True
        return form

    @property
    def active_groups(self) -> set[str]:
        """Filter groups holding a value (or an error), to show them open."""
        data = self.data or {}
        errors = self.form.errors if self.is_bound else {}

        def used(name):
            values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
            return name in errors or any(v not in (None, "") for v in values)

        return {group.key for group in self.groups
                if any(used(name) for name in group.names if name not in ALWAYS_SENT)}

    @functools.cached_property
    def groups(self) -> list[FilterGroup]:
        """The form's sections, the admin-defined attributes last when there are any."""
        rows = []
        for attribute in self.attributes.values():
            names = list(attribute_filters(attribute))
            rows.append(Range(attribute.name, *names, high_label=_("to")) if len(names) == 2
                        else names[0])
        attributes = [FilterGroup(*ATTRIBUTES_GROUP, tuple(rows))] if rows else []
        groups = [group if not self.hidden else FilterGroup(
            group.key, group.label, group.icon,
            tuple(row for row in group.rows if not self._row_hidden(row))) for group in FILTER_GROUPS]
        return [*(group for group in groups if group.rows), *attributes]

    def _row_hidden(self, row) -> bool:
        names = row.names if isinstance(row, Range) else [row[0] if isinstance(row, tuple) else row]
        return any(name in self.hidden for name in names)

    def form_sections(self, groups=None) -> list[dict]:
        """The sections (all, or `groups`) with their bound fields, for the template."""
        form, open_groups = self.form, self.active_groups

        def field(name, label=None):
            return {"field": form[name], "label": label}

        def row(item):
            if isinstance(item, Range):
                return {"legend": item.legend, "fields": [field(item.low, item.low_label),
                                                          field(item.high, item.high_label)]}
            return field(*item) if isinstance(item, tuple) else field(item)

        return [{"group": group, "open": group.key in open_groups,
                 "rows": [row(item) for item in group.rows]}
                for group in (self.groups if groups is None else groups)]

    def attribute_section(self) -> dict | None:
        """The attributes' section alone: client book refinement."""
        groups = [group for group in self.groups if group.key == ATTRIBUTES_GROUP[0]]
        return self.form_sections(groups)[0] if groups else None

    def filter_noop(self, queryset, name, value):
        # Filters are applied together in filter_queryset, where they can
        # share joins and see each other (match any/all, min/max pairs).
        return queryset

    # --- applying ------------------------------------------------------------

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        conditions = []
        conditions += self._scope(data.get("scope") or "all")
        conditions += self._options(data)
        conditions += self._memberships(data)
        conditions += self._dates(data)
        conditions += self._contact(data)
        conditions += self._consent(data)
        conditions += self._purchases(data)
        conditions += self._measures(data)
        conditions += self._attributes(data)
        search = (data.get("q") or "").strip()
        if search:
            conditions.append(search_condition(search, region=self.phone_region,
                                               sensitive=can_see_sensitive(self.user)))
        for condition in conditions:
            queryset = queryset.filter(condition)
        return queryset

    def _scope(self, scope):
        user = self.user
        if scope == "primary":
            return [Q(primary_salesperson=user)]
        if scope == "sold_to":
            return [Exists(SaleLine.objects.filter(customer=OuterRef("pk"), salesperson=user))]
        # The book ids are read first (one tiny query): with them as literals the planner
        # walks the (book, customer) index of the entries; through a join or a subquery it
        # cannot know which book and scans every entry instead (twice the time at 1M).
        if scope == "my_book":
            books = list(ClientBook.objects.filter(owner=user).values_list("pk", flat=True))
            return [Exists(ClientBookEntry.objects.filter(customer=OuterRef("pk"), book_id__in=books))]
        if scope == "store_book":
            books = list(ClientBook.objects.filter(owner__in=store_book_owner_ids(user))
                         .values_list("pk", flat=True))
            return [Exists(ClientBookEntry.objects.filter(customer=OuterRef("pk"), book_id__in=books))]
        return []

    def _options(self, data):
        conditions = []
        if data.get("has_email"):
            conditions.append(~Q(email=""))
        if data.get("has_phone"):
            conditions.append(~Q(phone="") & Q(can_receive_texts=True))
        if data.get("has_wishlist"):
            conditions.append(Exists(WishlistItem.objects.filter(customer=OuterRef("pk"),
                                                                 active=True)))
        if data.get("primary_only"):
            conditions.append(Q(primary_account__isnull=True))
        if data.get("exclude_sms_opted_out"):
            conditions.append(~Q(contact_history__sms_consent=ConsentState.OPTED_OUT))
        return conditions

    def _memberships(self, data):
        conditions = []
        for field, model, column in (("tags", CustomerTag, "tag"),
                                     ("mailing_lists", CustomerMailingList, "mailing_list")):
            chosen = list(data.get(field) or [])
            if not chosen:
                continue
            if data.get(f"{field}_match") == "all":
                conditions += [
                    Exists(model.objects.filter(customer=OuterRef("pk"), **{column: item}))
                    for item in chosen
                ]
            else:
                conditions.append(Exists(model.objects.filter(
                    customer=OuterRef("pk"), **{f"{column}__in": chosen})))
        return conditions

    def _dates(self, data):
        conditions = []
        for field, column in (("birthday_within", "birthday_key"),
                              ("partner_birthday_within", "partner_birthday_key"),
                              ("anniversary_within", "anniversary_key")):
            days = data.get(field)
            if days is not None:
                conditions.append(Q(**{f"{column}__in": month_day_keys_within(self.today, days)}))
        return conditions

    def _since(self, days: int) -> datetime:
        """Start of the day N days ago, in the store's day."""
        start = self.today - timedelta(days=int(days))
        return datetime.combine(start, time.min, tzinfo=self.tzinfo)

    # (within, not within, the contact-history fact they read)
    CONTACT_FILTERS = (
        ("communicated_within", "not_communicated_within", "last_contact_at"),  # messages or activities
        ("contacted_within", "not_contacted_within", "last_marketing_at"),
        # Texts in either direction, marketing or not (the "Last Text Date" column).
        ("texted_within", "not_texted_within", "last_text_at"),
    )

    def _contact(self, data):
        conditions = []
        for within, not_within, fact in self.CONTACT_FILTERS:
            field = f"contact_history__{fact}"
            if data.get(within) is not None:
                conditions.append(Q(**{f"{field}__gte": self._since(data[within])}))
            if data.get(not_within) is not None:
                conditions.append(Q(**{f"{field}__lt": self._since(data[not_within])})
                                  | Q(**{f"{field}__isnull": True}))
        return conditions

    def _consent(self, data):
        """Opt-in state per channel, as conversations recorded it in the contact history."""
        conditions = []
        for name, column in CONSENT_FIELDS.items():
            state = data.get(name)
            if not state:
                continue
            condition = Q(**{f"contact_history__{column}": state})
            if state == ConsentState.UNKNOWN:
                # Never asked: also the customers with no contact history row at all.
                condition |= Q(contact_history__isnull=True)
            conditions.append(condition)
        return conditions

    def _purchases(self, data):
        conditions = []
        if data.get("purchased_within") is not None:
            conditions.append(Q(measures__last_purchase_at__gte=self._since(
                data["purchased_within"])))
        if data.get("not_purchased_within") is not None:
            since = self._since(data["not_purchased_within"])
            conditions.append(Q(measures__last_purchase_at__lt=since)
                              | Q(measures__last_purchase_at__isnull=True))
        for window in ("12mo", "24mo"):
            low, high = data.get(f"sales_{window}_min"), data.get(f"sales_{window}_max")
            if low is not None:
                conditions.append(Q(**{f"measures__sales_{window}__gte": low}))
            if high is not None:
                conditions.append(Q(**{f"measures__sales_{window}__lte": high}))
        for field, column in (("designers", "designer"), ("categories", "category"),
                              ("item_types", "item_type")):
            chosen = list(data.get(field) or [])
            if chosen:
                conditions.append(Exists(SaleLine.objects.filter(
                    customer=OuterRef("pk"), kind=SaleLine.Kind.GOODS,
                    **{f"{column}__in": chosen})))
        skus = skus_from(data.get("skus"))
        if skus:
            # A product's SKU matches its lines whatever the variant; a variant's, that variant.
            conditions.append(Exists(SaleLine.objects.filter(
                Q(product__sku__in=skus) | Q(variant__sku__in=skus),
                customer=OuterRef("pk"), kind=SaleLine.Kind.GOODS)))
        titles = [t.strip() for t in (data.get("titles") or "").split(",") if t.strip()]
        if titles:
            match = Q()
            for title in titles[:10]:
                match |= Q(title__icontains=title)
            conditions.append(Exists(SaleLine.objects.filter(match, customer=OuterRef("pk"))))
        return conditions

    def _measures(self, data):
        """On the customer's measures row (indexed: segment, churn risk)."""
        conditions = []
        if data.get("segment"):
            conditions.append(Q(measures__segment__in=list(data["segment"])))
        if data.get("churn_risk_above") is not None:
            conditions.append(Q(measures__churn_risk__gt=data["churn_risk_above"] / 100))
        if data.get("predicted_spend_min") is not None:
            conditions.append(Q(measures__predicted_spend_12mo__gte=data["predicted_spend_min"]))
        if data.get("average_order_value_min") is not None:
            conditions.append(Q(measures__average_order_value__gte=data["average_order_value_min"]))
        if data.get("orders_min") is not None:
            conditions.append(Q(measures__orders_count__gte=data["orders_min"]))
        if data.get("overdue"):
            # The expected window has opened and no purchase came since (one would move it).
            conditions.append(Q(measures__next_purchase_from__lte=self.today))
        return conditions

    def _attributes(self, data):
        conditions = []
        for slug, attribute in self.attributes.items():
            condition = attribute_condition(attribute, data, attribute_param(slug))
            if condition is not None:
                conditions.append(condition)
        return conditions

    def clean_pairs(self):
        """Min above max is a mistake worth telling the user about."""
        data = self.form.cleaned_data
        pairs = [("sales_12mo_min", "sales_12mo_max"), ("sales_24mo_min", "sales_24mo_max")]
        pairs += [(f"{attribute_param(s)}_min", f"{attribute_param(s)}_max")
                  for s in self.attributes]
        pairs += [(f"{attribute_param(s)}_after", f"{attribute_param(s)}_before")
                  for s in self.attributes]
        for low, high in pairs:
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                self.form.add_error(high, _("Must not be below the lower bound."))

    def is_valid(self):
        valid = super().is_valid()
        if valid:
            self.clean_pairs()
        return self.is_bound and not self.form.errors


OPTION_MODELS = (Tag, MailingList, Designer, Category, ItemType)


def cached_options(form) -> None:
    """The model choice fields' options, read from the reference cache when first rendered.

    One cache read serves every field; a field's own iterator would run its query (on a
    server-side cursor, three round trips) on every render, and a live-filter request,
    which renders only the results, reads none.
    """
    fields = {name: field for name, field in form.fields.items() if isinstance(field, forms.ModelChoiceField)}

    @functools.cache
    def rows():
        return reference.cached("filter-options", OPTION_MODELS, lambda: {
            name: list(field.queryset) for name, field in fields.items()})

    for name, field in fields.items():
        choice = field.iterator(field).choice
        field.widget.choices = functools.cache(
            lambda name=name, choice=choice: [choice(item) for item in rows()[name]])


def attribute_param(slug: str) -> str:
    return f"attr-{slug}"


def attribute_filters(attribute: CustomerAttribute) -> dict:
    """The form fields one attribute contributes, by type."""
    name, label = attribute_param(attribute.slug), attribute.name
    if attribute.data_type == DataType.DATE:
        widget = forms.DateInput(attrs={"type": "date"})
        return {
            f"{name}_after": filters.DateFilter(label=label, method="filter_noop", widget=widget),
            f"{name}_before": filters.DateFilter(label=label, method="filter_noop", widget=widget),
        }
    if attribute.data_type in (DataType.NUMBER, DataType.DECIMAL):
        widget = forms.NumberInput(attrs={"step": "any"})
        return {
            f"{name}_min": filters.NumberFilter(label=label, method="filter_noop", widget=widget),
            f"{name}_max": filters.NumberFilter(label=label, method="filter_noop", widget=widget),
        }
    if attribute.is_choice:
        return {name: filters.MultipleChoiceFilter(
            label=label, method="filter_noop",
            choices=[(o.value, o.label) for o in attribute.options.all()],
        )}
    if attribute.data_type == DataType.BOOLEAN:
        return {name: filters.ChoiceFilter(
            label=label, method="filter_noop",
            choices=[("yes", _("Yes")), ("no", _("No"))], empty_label=_("Any"),
        )}
    return {name: filters.CharFilter(label=label, method="filter_noop", max_length=100)}


def attribute_condition(attribute, data, name):
    values = CustomerAttributeValue.objects.filter(customer=OuterRef("pk"), attribute=attribute)
    if attribute.data_type == DataType.DATE:
        after, before = data.get(f"{name}_after"), data.get(f"{name}_before")
        if after is None and before is None:
            return None
        if after is not None:
            values = values.filter(value_date__gte=after)
        if before is not None:
            values = values.filter(value_date__lte=before)
        return Exists(values)
    if attribute.data_type in (DataType.NUMBER, DataType.DECIMAL):
        column = "value_int" if attribute.data_type == DataType.NUMBER else "value_decimal"
        low, high = data.get(f"{name}_min"), data.get(f"{name}_max")
        if low is None and high is None:
            return None
        if low is not None:
            values = values.filter(**{f"{column}__gte": low})
        if high is not None:
            values = values.filter(**{f"{column}__lte": high})
        return Exists(values)
    value = data.get(name)
    if not value:
        return None
    if attribute.is_choice:
        return Exists(values.filter(option__value__in=list(value)))
    if attribute.data_type == DataType.BOOLEAN:
        return Exists(values.filter(value_bool=(value == "yes")))
    return Exists(values.filter(value_text__icontains=value))


def store_book_owner_ids(user):
    """Owners whose books make the store client book: staff of the user's store groups.

    Staff who left (profile or account deactivated) stay in: their customers must
    still be found, so that a manager can move them to someone who stayed.
    """
    stores = stores_for(user)
    group_ids = stores.exclude(group__isnull=True).values("group_id")
    store_ids = stores.values("pk")
    return StaffProfile.objects.filter(
        Q(stores__group_id__in=group_ids) | Q(stores__in=store_ids)
    ).values("user_id")


def phone_search_e164(search: str, region: str = "") -> str | None:
    """The E.164 number a search reads as, in the store's country when it is national.

    "06 12 34 56 78" in a French store is +33612345678 (the trunk 0 goes away),
    "(212) 555-0123" in a US store is +12125550123; "+44 20 7946 0958" anywhere.
    """
    text = search.strip()
    if sum(ch.isdigit() for ch in text) < 6 or any(ch.isalpha() for ch in text):
        return None
    try:
        number = phonenumbers.parse(text, region.upper() or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def search_uses_trigram_index(search: str) -> bool:
    """Whether every word is long enough for the trigram indexes (three characters)."""
    terms = search.split()[:4]
    return bool(terms) and all(len(term) >= 3 for term in terms)


def search_condition(search: str, *, region: str = "", sensitive: bool = True) -> Q:
    """Name, email or phone in any common format.

    Without `sensitive` (the "view sensitive customer data" permission) contact details
    match only in full: the exact number or the exact address of the customer in front
    of the associate, never a part that would let a masked value be rebuilt a few
    characters at a time.
    """
    terms = search.split()
    condition = Q()
    name = Q()
    for term in terms[:4]:
        name &= Q(first_name__icontains=term) | Q(last_name__icontains=term)
    condition |= name
    e164 = phone_search_e164(search, region)
    if e164:
        condition |= Q(phone=e164)
    if not sensitive:
        if "@" in search:
            condition |= Q(email__iexact=search.strip())
        return condition
    if "@" in search or "." in search:
        condition |= Q(email__icontains=search)
    digits = "".join(ch for ch in search if ch.isdigit())
    if len(digits) >= 4:
        # Partial numbers: E.164 keeps only the digits after "+", so match them
        # anywhere ("555-0123" finds +12125550123); a long run that starts with a
        # national trunk 0 is also tried without it ("06 12 34 56" finds +33612345678).
        condition |= Q(phone__contains=digits[-10:])
        if digits.startswith("0") and len(digits) >= 8:
            condition |= Q(phone__contains=digits[1:][-10:])
    return condition
