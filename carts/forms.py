"""Input at the edge: what an associate types into the cart page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clienteling.models import Channel

from .models import DiscountKind


class DiscountForm(forms.Form):
    kind = forms.ChoiceField(label=_("Discount"), choices=DiscountKind.choices, required=False)
    value = forms.DecimalField(label=_("Value"), required=False, min_value=0, max_digits=12,
                               decimal_places=2)


class QuantityForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=99, required=False)
    step = forms.TypedChoiceField(choices=[("1", "+"), ("-1", "−")], coerce=int, required=False,
                                  empty_value=None)
    fulfilment = forms.CharField(required=False, max_length=10)


class AddLineForm(forms.Form):
    variant = forms.IntegerField(min_value=1)
    quantity = forms.IntegerField(min_value=1, max_value=99, required=False)
    fulfilment = forms.CharField(required=False, max_length=10)


class DeliveryForm(forms.Form):
    use_customer_address = forms.BooleanField(required=False)
    name = forms.CharField(label=_("Name"), max_length=160, required=False)
    line1 = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    line2 = forms.CharField(label=_("Apartment, floor"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    state = forms.CharField(label=_("State / region"), max_length=100, required=False)
    zip = forms.CharField(label=_("ZIP / postal code"), max_length=20, required=False)
    country = forms.CharField(label=_("Country (two letters)"), max_length=2, required=False)


class ShareForm(forms.Form):
    REVIEW, SEND = "review", "send"

    channel = forms.ChoiceField(choices=[("", "")] + list(Channel.choices), required=False)
    # Review: the message waits in the thread's composer; send (or nothing posted): it goes now.
    mode = forms.ChoiceField(choices=[(REVIEW, _("Review in conversation")), (SEND, _("Send now"))],
                             required=False)

