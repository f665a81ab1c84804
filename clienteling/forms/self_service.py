"""The customer-facing "my details" form: contact details, consent and editable attributes."""

from django import forms
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from clienteling.models import Channel, ConsentState

from .profile import AttributesForm

CONSENT_LABELS = {
    Channel.SMS: _("Text messages (SMS) with news and offers"),
    Channel.WHATSAPP: _("WhatsApp messages with news and offers"),
    Channel.EMAIL: _("Emails with news and offers"),
}


class MyDetailsForm(AttributesForm):
    """Email, phone, marketing consent per channel, then the attributes the customer may edit.

    Attribute values are judged by the same service the console uses; its messages land on
    their fields (`add_service_errors`).
    """

    email = forms.EmailField(label=_("Email"), required=False, max_length=254)
    phone = PhoneNumberField(label=_("Mobile number"), required=False)

    def __init__(
        self, *args, customer, attributes, values, consents: dict[str, str], region: str | None, **kwargs
    ):
        # Email and phone start empty (the page shows them masked): a forwarded link shows
        # no one's contact details, and an empty field keeps what is stored.
        self.customer = customer
        initial = {
            f"consent_{channel}": state == ConsentState.OPTED_IN for channel, state in consents.items()
        }
        super().__init__(*args, attributes=attributes, values=values, **kwargs)
        self.initial.update(initial)  # beside the attributes' own, set by AttributesForm
        self.fields["phone"] = PhoneNumberField(
            label=_("Mobile number"),
            required=False,
            region=region,
            help_text=_("With the country code, or as you would dial it locally."),
        )
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "inputmode": "email"})
        self.consent_channels = list(consents)
        for channel in consents:
            self.fields[f"consent_{channel}"] = forms.BooleanField(
                label=CONSENT_LABELS[channel], required=False
            )
        self.style_widgets()

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()

    def contact_changes(self) -> dict:
        """The new email and phone the customer typed (empty keeps the stored one)."""
        return {
            name: self.cleaned_data[name]
            for name in ("email", "phone")
            if self.cleaned_data[name] and self.cleaned_data[name] != getattr(self.customer, name)
        }

    def consent_choices(self) -> dict[str, bool]:
        """Only the channels whose box the customer changed."""
        return {
            channel: self.cleaned_data[f"consent_{channel}"]
            for channel in self.consent_channels
            if f"consent_{channel}" in self.changed_data
        }

    @property
    def contact_fields(self):
        return [self[name] for name in ("email", "phone")]

    @property
    def consent_fields(self):
        return [self[f"consent_{channel}"] for channel in self.consent_channels]

    @property
    def attribute_fields(self):
        return [self[name] for name in self.attributes]
