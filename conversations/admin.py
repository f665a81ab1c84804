from adminsortable2.admin import SortableAdminMixin
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpResponse, HttpResponseRedirect
from django.template import engines
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from clienteling.admin import CredentialsAuditMixin
from clienteling.models import Channel, Store

from . import services
from .models import (
    ArchivePolicy,
    Conversation,
    MessageTemplate,
    QuickReply,
    StoreMessagingSettings,
    TemplateVariable,
    TwilioAccount,
    WebhookEvent,
)
from .providers import ProviderError
from .providers.addresses import sender_number
from .providers.twilio import TwilioProvider
from .providers.twilio_webhooks import twilio_tokens_changed
from .templating import template_sample_text


class SecretField(forms.CharField):
    """A secret typed once: never rendered back; blank on edit keeps the saved value."""

    widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})


class TwilioAccountForm(forms.ModelForm):
    auth_token = SecretField(
        label=_("Auth Token"), required=False,
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the saved one."),
    )

    class Meta:
        model = TwilioAccount
        fields = ["name", "account_sid", "auth_token", "whatsapp_sender",
                  "messaging_service_sid", "api_base_url", "active"]

    def clean_auth_token(self):
        token = self.cleaned_data.get("auth_token", "")
        if not token and not (self.instance.pk and self.instance.auth_token):
            raise forms.ValidationError(_("Enter the Auth Token."))
        return token or self.instance.auth_token


class TestMessageForm(forms.Form):
    to = PhoneNumberField(label=_("Send to"), help_text=_("A mobile number you can check."))
    channel = forms.ChoiceField(label=_("Channel"), choices=[(Channel.SMS, Channel.SMS.label),
                                                          (Channel.WHATSAPP, Channel.WHATSAPP.label)])
    store = forms.ModelChoiceField(
        label=_("From the number of"), queryset=Store.objects.filter(active=True), required=False,
        help_text=_("Empty: the account's Messaging Service or WhatsApp sender."))


# Rendered from a string: the intermediate page is the only admin page we add.
TEST_MESSAGE_PAGE = """{% extends "admin/base_site.html" %}{% load i18n %}
{% block content %}<form method="post">{% csrf_token %}
<p>{% translate "Send a test message through each selected Twilio account." %}</p>
<table>{{ form.as_table }}</table>
{% for obj in queryset %}<input type="hidden" name="{{ checkbox_name }}" value="{{ obj.pk }}">{% endfor %}
<input type="hidden" name="action" value="send_test_message">
<input type="hidden" name="apply" value="1">
<div class="submit-row"><input type="submit" class="default" value="{% translate 'Send' %}"></div>
</form>{% endblock %}"""


@admin.register(TwilioAccount)
class TwilioAccountAdmin(CredentialsAuditMixin, admin.ModelAdmin):
    form = TwilioAccountForm
    list_display = ["name", "account_sid", "whatsapp_sender", "active", "updated_at"]
    list_filter = ["active"]
    search_fields = ["name", "account_sid"]
    actions = ["send_test_message"]

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if not self.has_change_permission(request, obj):
            # A view-only admin sees every field read-only, which would print the
            # decrypted token: show only whether one is saved.
            fields = ["auth_token_saved" if name == "auth_token" else name for name in fields]
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self.has_change_permission(request, obj):
            readonly.append("auth_token_saved")
        return readonly

    @admin.display(description=_("Auth Token"))
    def auth_token_saved(self, obj):
        return gettext("Saved (hidden)") if obj and obj.auth_token else gettext("Not set")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        twilio_tokens_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        twilio_tokens_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        twilio_tokens_changed()

    @admin.action(description=_("Send a test message"))
    def send_test_message(self, request, queryset):
        form = TestMessageForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            channel, store = form.cleaned_data["channel"], form.cleaned_data["store"]
            for account in queryset:
                from_number = sender_number(store, channel, account) if store else (
                    str(account.whatsapp_sender) if channel == Channel.WHATSAPP else "")
                try:
                    sid = TwilioProvider().send_test(
                        account=account, to=str(form.cleaned_data["to"]), from_number=from_number,
                        channel=channel)
                except ProviderError as exc:
                    self.message_user(request, gettext("%(account)s: not sent (%(reason)s).") % {
                        "account": account, "reason": exc.message or exc.code}, messages.ERROR)
                else:
                    self.message_user(request, gettext("%(account)s: test message sent (%(sid)s).") % {
                        "account": account, "sid": sid}, messages.SUCCESS)
            return None
        context = {**self.admin_site.each_context(request), "title": gettext("Send a test message"),
                   "form": form, "queryset": queryset, "opts": self.model._meta,
                   "checkbox_name": helpers.ACTION_CHECKBOX_NAME}
        page = engines["django"].from_string(TEST_MESSAGE_PAGE)
        return HttpResponse(page.render(context, request))


@admin.register(StoreMessagingSettings)
class StoreMessagingSettingsAdmin(admin.ModelAdmin):
    list_display = ["store", "sms_number", "whatsapp_sender", "quiet_hours_start",
                    "quiet_hours_end", "bulk_cap_per_day", "round_robin_enabled", "whatsapp_setup"]
    list_select_related = ["store"]
    list_filter = ["mms_enabled", "round_robin_enabled"]
    search_fields = ["store__name", "store__code", "sms_number", "whatsapp_sender"]
    readonly_fields = ["whatsapp_setup"]

    @admin.display(description=_("WhatsApp test"))
    def whatsapp_setup(self, obj):
        """The store's QR code, wa.me link and test message, in the console."""
        if not obj.pk or not obj.whatsapp_sender:
            return "—"
        url = reverse("conversations:whatsapp_setup", args=[obj.store_id])
        return format_html('<a href="{}">{}</a>', url, gettext("QR code and test message"))


@admin.register(ArchivePolicy)
class ArchivePolicyAdmin(admin.ModelAdmin):
    fields = ["inactive_days", "opted_out_days", "unanswered_opt_in_days"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        policy = ArchivePolicy.load()
        return HttpResponseRedirect(
            reverse("admin:conversations_archivepolicy_change", args=[policy.pk])
        )


class TemplateVariableInline(admin.TabularInline):
    model = TemplateVariable
    fields = ["position", "source", "sample"]
    extra = 0


class MessageTemplateForm(forms.ModelForm):
    """The buttons are three plain fields here, a list on the model."""

    button_1 = forms.CharField(label=_("Button 1"), required=False, max_length=80)
    button_2 = forms.CharField(label=_("Button 2"), required=False, max_length=80)
    button_3 = forms.CharField(
        label=_("Button 3"), required=False, max_length=80,
        help_text=_("Quick-reply templates (WhatsApp): up to 3 buttons, 20 characters each."))

    BUTTON_FIELDS = ("button_1", "button_2", "button_3")

    class Meta:
        model = MessageTemplate
        fields = ["channel", "name", "category", "language", "event", "message_type", "subject", "body",
                  "header_image_url", "header_product", "store", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, title in zip(self.BUTTON_FIELDS, self.instance.buttons or [], strict=False):
            self.fields[name].initial = title

    def clean(self):
        cleaned = super().clean()
        self.instance.buttons = [cleaned.get(name, "").strip() for name in self.BUTTON_FIELDS
                                 if cleaned.get(name, "").strip()]
        return cleaned


# What changes the words or looks of a template: WhatsApp must review it again.
CONTENT_FIELDS = {"channel", "name", "category", "language", "message_type", "subject", "body",
                  "header_image_url", "header_product", *MessageTemplateForm.BUTTON_FIELDS}


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ["name", "channel", "message_type", "event", "category", "language", "status", "active"]
    list_filter = ["channel", "status", "message_type", "event", "category", "language"]
    search_fields = ["name", "body"]
    readonly_fields = ["status", "rejection_reason", "content_sid", "submitted_at", "preview"]
    autocomplete_fields = ["header_product"]
    inlines = [TemplateVariableInline]
    actions = ["publish_again"]
    fieldsets = [
        (None, {"fields": ["channel", "name", "category", "language", "event", "store", "active"]}),
        (_("Message"), {"fields": ["message_type", "subject", "body", "header_image_url", "header_product",
                                   "button_1", "button_2", "button_3"]}),
        (_("Approval"), {"fields": ["status", "rejection_reason", "content_sid", "submitted_at", "preview"]}),
    ]

    @admin.display(description=_("Preview"))
    def preview(self, obj):
        if obj is None or not obj.pk:
            return gettext("Shown once the template is saved.")
        return render_to_string("conversations/partials/template_preview.html",
                                {"text": template_sample_text(obj), "template": obj})

    def save_related(self, request, form, formsets, change):
        # The variables (sources, samples) are saved with the inline: publish after them.
        super().save_related(request, form, formsets, change)
        content_changed = bool(CONTENT_FIELDS & set(form.changed_data)) or any(
            formset.has_changed() for formset in formsets)
        if not change or content_changed:
            self._published(request, services.template_publish(template=form.instance))

    def _published(self, request, template):
        if template.status == MessageTemplate.Status.REJECTED:
            self.message_user(request, gettext("%(template)s was rejected: %(reason)s") % {
                "template": template, "reason": template.rejection_reason}, messages.WARNING)
        elif template.status == MessageTemplate.Status.RECEIVED:
            self.message_user(request, gettext(
                "%(template)s passed WhatsApp's rules and goes to WhatsApp for approval through Twilio.")
                % {"template": template}, messages.INFO)
        else:
            self.message_user(request, gettext("%(template)s is approved and ready to send.")
                              % {"template": template}, messages.SUCCESS)

    @admin.action(description=_("Check and submit the selected templates again"))
    def publish_again(self, request, queryset):
        for template in queryset:
            self._published(request, services.template_publish(template=template))


@admin.register(QuickReply)
class QuickReplyAdmin(SortableAdminMixin, admin.ModelAdmin):
    list_display = ["title", "store", "active"]
    list_filter = ["active", "store"]
    search_fields = ["title", "body"]


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["customer", "store", "channel", "assigned_to", "status", "last_message_at"]
    list_filter = ["status", "channel", "archive_reason", "store"]
    search_fields = ["customer__first_name", "customer__last_name", "customer__email",
                     "last_message_preview"]
    list_select_related = ["customer", "store", "assigned_to"]
    autocomplete_fields = ["customer", "assigned_to", "started_by"]
    show_full_result_count = False


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ["provider", "kind", "event_id", "received_at", "processed_at"]
    list_filter = ["provider", "kind"]
    search_fields = ["event_id"]
    readonly_fields = ["provider", "event_id", "kind", "payload", "received_at", "processed_at"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False


# WhatsApp accounts on Meta (own module; registered on import).
from . import admin_meta  # noqa: E402, F401
