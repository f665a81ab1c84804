"""Console input, validated at the edge: a bad id or value is a 400 that says what was wrong."""

from datetime import datetime, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from clienteling.access import stores_for
from clienteling.models import Channel, StaffProfile

from . import selectors, services
from .models import MessageTemplate, QuickReply

User = get_user_model()
MAX_SCHEDULE_AHEAD = timedelta(days=365)


def sendable_templates(conversation):
    """Approved templates of this thread's channel, for every store or this one."""
    return (MessageTemplate.objects.filter(
        Q(store__isnull=True) | Q(store=conversation.store_id), channel=conversation.channel,
        status=MessageTemplate.Status.APPROVED, active=True).order_by("name"))


def quick_replies_for(conversation):
    return QuickReply.objects.filter(Q(store__isnull=True) | Q(store=conversation.store_id), active=True)


def colleagues_for(conversation):
    return (User.objects.filter(staff_profile__active=True, staff_profile__stores=conversation.store,
                                is_active=True)
            .exclude(staff_profile__role=StaffProfile.Role.COMPANY_ADMIN)
            .order_by("first_name", "last_name"))


class MessageForm(forms.Form):
    """The composer: text (or a template with its text), an image, an optional send time."""

    body = forms.CharField(label=_("Message"), required=False, max_length=selectors.MAX_BODY,
                           strip=True, widget=forms.Textarea)
    template = forms.ModelChoiceField(label=_("Template"), queryset=MessageTemplate.objects.none(),
                                      required=False,
                                      error_messages={"invalid_choice": _("Choose a template that is "
                                                                          "ready to send.")})
    image = forms.FileField(label=_("Image"), required=False)
    send_at = forms.DateTimeField(label=_("Send at"), required=False,
                                  input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])

    def __init__(self, *args, conversation, **kwargs):
        super().__init__(*args, **kwargs)
        self.conversation = conversation
        self.fields["template"].queryset = sendable_templates(conversation)

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image:
            services.image_validate(image)
        return image

    def clean_send_at(self):
        value = self.cleaned_data.get("send_at")
        if value is None:
            return None
        # The associate types the store's wall-clock time, wherever their browser is.
        naive = value.replace(tzinfo=None) if timezone.is_aware(value) else value
        at = datetime.combine(naive.date(), naive.time(), tzinfo=self.conversation.store.tzinfo)
        now = timezone.now()
        if at <= now:
            raise forms.ValidationError(_("Choose a time in the future."))
        if at > now + MAX_SCHEDULE_AHEAD:
            raise forms.ValidationError(_("Schedule at most a year ahead."))
        return at

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("template") and not cleaned.get("body") \
                and not cleaned.get("image"):
            raise forms.ValidationError(_("Type a message first."))
        return cleaned


class PreviewForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Template"), queryset=MessageTemplate.objects.none(),
                                      error_messages={"invalid_choice": _("Choose a template that is "
                                                                          "ready to send.")})
    body = forms.CharField(label=_("Text"), required=False, max_length=selectors.MAX_BODY)

    def __init__(self, *args, conversation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = sendable_templates(conversation)


class ProductShareForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.filter(active=True),
                                     error_messages={"invalid_choice": _("This product is not available."),
                                                     "required": _("Choose a product.")})


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Colleague"), queryset=User.objects.none(),
                                      error_messages={"invalid_choice": _("Choose a colleague of this "
                                                                          "store."),
                                                      "required": _("Choose a colleague.")})

    def __init__(self, *args, conversation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = colleagues_for(conversation)


class ConversationStartForm(forms.Form):
    store = forms.ModelChoiceField(label=_("Store"), queryset=None,
                                   error_messages={"invalid_choice": _("Choose one of your stores."),
                                                   "required": _("Choose a store.")})
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.SMS,
                                required=False)
    opt_in = forms.BooleanField(required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores_for(user)

    def clean_channel(self):
        return self.cleaned_data.get("channel") or Channel.SMS


class SimulateReplyForm(forms.Form):
    body = forms.CharField(label=_("Customer reply"), max_length=selectors.MAX_BODY,
                           error_messages={"required": _("Type the customer's reply.")})


class OutreachSendForm(forms.Form):
    """Bulk send to an outreach list: an approved template of any channel, from one of my stores."""

    template = forms.ModelChoiceField(label=_("Template"), queryset=MessageTemplate.objects.none(),
                                      error_messages={"invalid_choice": _("Choose a template that is "
                                                                          "ready to send."),
                                                      "required": _("Choose a template.")})

    def __init__(self, *args, user, store, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = outreach_templates(user=user, store=store)


def outreach_templates(*, user, store):
    """Approved templates of every channel for every store or the given one (one of the user's)."""
    stores = stores_for(user)
    scope = Q(store__isnull=True) | Q(store__in=stores.filter(pk=store.pk) if store else stores.none())
    return (MessageTemplate.objects.filter(scope, status=MessageTemplate.Status.APPROVED, active=True)
            .order_by("channel", "name"))
