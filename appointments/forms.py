"""Forms of the appointment screens: what is asked, validated at the edge."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from clienteling.models import Channel

from .models import Appointment, LocationKind
from .selectors import local_datetime


def bootstrap(form: forms.Form) -> None:
    """Bootstrap's classes on every widget (the console's and the public pages' look)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


REMINDER_CHOICES = [
    (Channel.EMAIL, _("Email")),
    (Channel.SMS, _("Text message (SMS)")),
    ("", _("No reminders")),
]


class SlotPickForm(forms.Form):
    """What to book: the store, type, associate and day whose free times are shown."""

    store = forms.ModelChoiceField(queryset=None, label=_("Store"), empty_label=None)
    appointment_type = forms.ModelChoiceField(queryset=None, label=_("Type"), empty_label=None)
    associate = forms.ModelChoiceField(queryset=None, label=_("Associate"), empty_label=None)
    date = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, stores, types, associates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        self.fields["appointment_type"].queryset = types
        self.fields["associate"].queryset = associates
        bootstrap(self)

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day < timezone.localdate() - timezone.timedelta(days=1):
            raise forms.ValidationError(_("Choose today or a later day."))
        return day


class SlotField(forms.CharField):
    """A slot's start as posted ("2026-12-12T15:30:00+00:00"), read in the store's zone when naive."""

    def __init__(self, *args, tz=None, **kwargs):
        self.tz = tz
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        parsed = local_datetime(value, self.tz) if value else None
        if parsed is None:
            raise forms.ValidationError(_("Choose one of the free times."))
        return parsed


class BookForm(forms.Form):
    starts_at = SlotField(label=_("Time"))
    location_kind = forms.ChoiceField(label=_("Where"), choices=LocationKind.choices)
    video_link = forms.URLField(label=_("Video link"), required=False, max_length=500,
                                assume_scheme="https")
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                            max_length=2000)
    reminder_channel = forms.ChoiceField(label=_("Reminders to the customer by"), choices=REMINDER_CHOICES,
                                         required=False)

    def __init__(self, *args, tz, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].tz = tz
        bootstrap(self)

    def clean(self):
        data = super().clean()
        if data.get("location_kind") == LocationKind.VIDEO and not data.get("video_link"):
            self.add_error("video_link", _("Give the video call's link."))
        return data


class MoveForm(forms.Form):
    starts_at = SlotField(label=_("New time"))

    def __init__(self, *args, tz, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].tz = tz


class MarkForm(forms.Form):
    status = forms.ChoiceField(choices=[(Appointment.Status.HELD, _("Held")),
                                        (Appointment.Status.NO_SHOW, _("No-show"))])


class PublicBookForm(forms.Form):
    """The customer's own details on the public page."""

    starts_at = SlotField(widget=forms.HiddenInput)
    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name = forms.CharField(label=_("Last name"), max_length=80)
    email = forms.EmailField(label=_("Email"), required=False, max_length=254)
    phone = PhoneNumberField(label=_("Mobile number"), required=False)
    reminder_channel = forms.ChoiceField(label=_("Remind me by"), choices=REMINDER_CHOICES,
                                         widget=forms.RadioSelect, initial=Channel.EMAIL, required=False)
    notes = forms.CharField(label=_("Anything we should know? (optional)"), required=False, max_length=1000,
                            widget=forms.Textarea(attrs={"rows": 2}))
    consent = forms.BooleanField(
        label=_("I agree that the store keeps these details to manage my appointment and sends me its "
                "confirmation and reminders."), required=True)

    def __init__(self, *args, tz, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].tz = tz
        self.fields["phone"] = PhoneNumberField(
            label=_("Mobile number"), required=False, region=region,
            help_text=_("With the country code, or as you would dial it locally."))
        for name, autocomplete in (("first_name", "given-name"), ("last_name", "family-name"),
                                   ("email", "email"), ("phone", "tel")):
            self.fields[name].widget.attrs["autocomplete"] = autocomplete
        self.fields["phone"].widget.attrs["inputmode"] = "tel"
        bootstrap(self)

    def clean(self):
        data = super().clean()
        email, phone = data.get("email"), data.get("phone")
        if not email and not phone and "email" not in self.errors and "phone" not in self.errors:
            raise forms.ValidationError(_("Give an email address or a mobile number."))
        channel = data.get("reminder_channel")
        if channel == Channel.EMAIL and not email and "email" not in self.errors:
            self.add_error("email", _("Give an email address for reminders by email."))
        if channel == Channel.SMS and not phone and "phone" not in self.errors:
            self.add_error("phone", _("Give a mobile number for reminders by text."))
        return data
