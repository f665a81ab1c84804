"""Forms of the customer profile: they parse and validate; services write.

Choices arrive as plain lists from selectors, so rendering a form runs no query.
"""

from datetime import date, datetime, tzinfo
from decimal import Decimal

import phonenumbers
from django import forms
from django.forms.models import fields_for_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from clienteling.models import ActivityType, Customer, CustomerAttribute, Tag
from clienteling.services.profile import CONTACT_FIELDS, NOTE_MAX_LENGTH, SENSITIVE_CONTACT_FIELDS

DataType = CustomerAttribute.DataType
DATE_WIDGET_FORMAT = "%Y-%m-%d"


class BootstrapForm(forms.Form):
    """Bootstrap classes on every widget, and `is-invalid` on fields with errors."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def style_widgets(self) -> None:
        """Call again after adding fields in a subclass' __init__."""
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            classes = widget.attrs.get("class", "").split()
            if css not in classes:
                widget.attrs["class"] = " ".join([*classes, css])

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format=DATE_WIDGET_FORMAT)


class StoreDateTimeField(forms.DateTimeField):
    """A datetime-local input read and shown in the store's time zone, not the server's."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, *, tz: tzinfo, **kwargs):
        self.tz = tz
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, datetime) and timezone.is_aware(value):
            return timezone.localtime(value, self.tz).replace(tzinfo=None)
        return super().prepare_value(value)

    def to_python(self, value):
        with timezone.override(self.tz):
            return super().to_python(value)


class NoteForm(BootstrapForm):
    body = forms.CharField(
        label=_("Note"), max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("What did you learn?")}),
    )

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write something first."))
        return body


class ActivityForm(BootstrapForm):
    activity_type = forms.TypedChoiceField(label=_("Type"), coerce=int)
    occurred_at = forms.DateTimeField(label=_("When"))  # replaced per store time zone
    summary = forms.CharField(label=_("Summary"), max_length=200)
    details = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, activity_types: list[ActivityType], tz: tzinfo, **kwargs):
        self.activity_types = {activity_type.pk: activity_type for activity_type in activity_types}
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("occurred_at", timezone.now())
        super().__init__(*args, **kwargs)
        self.fields["activity_type"].choices = [
            (activity_type.pk, activity_type.shown_name) for activity_type in activity_types
        ]
        self.fields["occurred_at"] = StoreDateTimeField(label=_("When"), tz=tz)
        self.style_widgets()

    def clean_activity_type(self):
        return self.activity_types[self.cleaned_data["activity_type"]]


class TaskForm(BootstrapForm):
    title = forms.CharField(label=_("Follow-up"), max_length=200,
                            widget=forms.TextInput(attrs={"placeholder": _("Call about…")}))
    due_on = forms.DateField(label=_("Due"), widget=date_input())
    assignee = forms.TypedChoiceField(label=_("Assign to"), coerce=int)
    details = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, assignees: list[tuple[int, str]], today: date, user, **kwargs):
        self.today = today
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("due_on", today)
        kwargs["initial"].setdefault("assignee", user.pk)
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = assignees

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < self.today:
            raise forms.ValidationError(_("A follow-up cannot be due in the past."))
        return due_on


def default_phone_region(*stores) -> str | None:
    """The first store's country that phonenumbers knows, for numbers typed without +."""
    for store in stores:
        country = (getattr(store, "country", "") or "").upper()
        if country in phonenumbers.SUPPORTED_REGIONS:
            return country
    return None


class ContactForm(BootstrapForm):
    """Contact details; the sensitive ones only for users allowed to see them.

    Without the permission those fields are not in the form at all, so a POST
    that carries them changes nothing.
    """

    ORDER = (
        "first_name", "last_name", "email", "phone", "can_receive_texts", "birth_date",
        "anniversary", "partner_name", "partner_birth_date", "address_line1", "address_line2",
        "city", "state", "zip_code", "country",
    )

    def __init__(self, *args, customer: Customer, sensitive_allowed: bool,
                 phone_region: str | None, **kwargs):
        allowed = set(CONTACT_FIELDS) | (set(SENSITIVE_CONTACT_FIELDS) if sensitive_allowed else set())
        names = [name for name in self.ORDER if name in allowed]
        kwargs.setdefault("initial", {name: getattr(customer, name) for name in names})
        super().__init__(*args, **kwargs)
        fields = fields_for_model(Customer, fields=names)
        if sensitive_allowed:
            fields["phone"] = PhoneNumberField(
                label=_("Phone"), required=False, region=phone_region,
                help_text=_("Local numbers are read as numbers of the store's country."),
            )
            fields["phone"].widget.attrs["autocomplete"] = "off"
            for name in ("birth_date", "anniversary", "partner_birth_date"):
                fields[name].widget = date_input()
            fields["country"].widget.attrs.update({"maxlength": 2, "placeholder": "US"})
        self.fields = {name: fields[name] for name in names}
        self.style_widgets()

    def clean_country(self):
        country = (self.cleaned_data.get("country") or "").strip().upper()
        if country and not (len(country) == 2 and country.isalpha()):
            raise forms.ValidationError(_("Use the two-letter country code, e.g. US."))
        return country

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()


class TagsForm(BootstrapForm):
    tags = forms.TypedMultipleChoiceField(
        label=_("Tags"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, choices: list[Tag], current: list[Tag], **kwargs):
        self.available = {tag.pk: tag for tag in choices}
        kwargs.setdefault("initial", {"tags": [tag.pk for tag in current if tag.pk in self.available]})
        super().__init__(*args, **kwargs)
        self.fields["tags"].choices = [(tag.pk, tag.name) for tag in choices]

    def clean_tags(self):
        return [self.available[pk] for pk in self.cleaned_data["tags"]]


class _AnyChoiceField(forms.ChoiceField):
    """Shows the options; the attribute service judges the value (with its own message)."""

    def valid_value(self, value):
        return True


class _AnyMultipleChoiceField(forms.MultipleChoiceField):
    def valid_value(self, value):
        return True


class _LinesField(forms.CharField):
    """One value per line, for attributes that hold several values."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value):
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return "\n".join(str(v) for v in value)
        return value

    def has_changed(self, initial, data):
        return self.to_python(self.prepare_value(initial) or "") != self.to_python(data or "")


def _raw(value):
    """A stored value as the form shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.strftime(DATE_WIDGET_FORMAT)
    if hasattr(value, "value") and hasattr(value, "label"):  # AttributeOption
        return value.value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


class AttributesForm(BootstrapForm):
    """One field per attribute of a profile section, with a widget fitting its type.

    Values are validated by `services.attribute_values_set`; its messages are
    put next to the field they concern.
    """

    def __init__(self, *args, attributes: list[CustomerAttribute], values: dict[int, list], **kwargs):
        self.attributes = {self.field_name(attribute): attribute for attribute in attributes}
        initial = {}
        for name, attribute in self.attributes.items():
            stored = [_raw(value) for value in values.get(attribute.pk, [])]
            initial[name] = stored if attribute.is_multi_valued else (stored[0] if stored else "")
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for name, attribute in self.attributes.items():
            self.fields[name] = self._field_for(attribute)
        self.style_widgets()

    @staticmethod
    def field_name(attribute: CustomerAttribute) -> str:
        return f"attribute_{attribute.pk}"

    def _field_for(self, attribute: CustomerAttribute) -> forms.Field:
        common = {"label": attribute.name, "required": False, "help_text": attribute.description}
        options = [(option.value, option.label) for option in attribute.options.all()]
        if attribute.is_choice:
            if attribute.is_multi_valued:
                field = _AnyMultipleChoiceField(choices=options, widget=forms.CheckboxSelectMultiple,
                                                **common)
            else:
                field = _AnyChoiceField(choices=[("", "—"), *options], **common)
        elif attribute.data_type == DataType.BOOLEAN:
            field = _AnyChoiceField(choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))], **common)
        elif attribute.is_multi_valued:
            hint = _("One value per line.")
            if attribute.data_type == DataType.DATE:
                hint = _("One date per line (YYYY-MM-DD).")
            field = _LinesField(**{**common, "help_text": f"{attribute.description} {hint}".strip()})
        elif attribute.data_type == DataType.NUMBER:
            field = forms.CharField(widget=forms.NumberInput(attrs={"step": 1}), **common)
        elif attribute.data_type == DataType.DECIMAL:
            field = forms.CharField(widget=forms.NumberInput(attrs={"step": "any"}), **common)
        elif attribute.data_type == DataType.DATE:
            field = forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        else:
            field = forms.CharField(max_length=500, **common)
        field.customer_editable = attribute.customer_editable
        return field

    def changed_values(self) -> list[tuple[CustomerAttribute, object]]:
        """(attribute, raw values) for the fields the user changed, for the service."""
        return [(self.attributes[name], self.cleaned_data[name])
                for name in self.changed_data if name in self.attributes]

    def add_service_errors(self, error: forms.ValidationError) -> None:
        """Errors keyed by attribute slug (from the service) onto their fields."""
        by_slug = {attribute.slug: name for name, attribute in self.attributes.items()}
        for slug, messages in error.message_dict.items():
            self.add_error(by_slug.get(slug), messages)


class HomeStoreForm(BootstrapForm):
    """The customer's home store, among `stores` (those the user may act for)."""

    store = forms.ModelChoiceField(label=_("Home store"), queryset=None, empty_label=None)

    def __init__(self, *args, stores, initial_store=None, **kwargs):
        super().__init__(*args, initial={"store": initial_store}, **kwargs)
        self.fields["store"].queryset = stores
