from adminsortable2.admin import SortableAdminMixin
from django import forms
from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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


@admin.register(TwilioAccount)
class TwilioAccountAdmin(admin.ModelAdmin):
    form = TwilioAccountForm
    list_display = ["name", "account_sid", "whatsapp_sender", "active", "updated_at"]


@admin.register(StoreMessagingSettings)
class StoreMessagingSettingsAdmin(admin.ModelAdmin):
    list_display = ["store", "sms_number", "whatsapp_sender", "quiet_hours_start",
                    "quiet_hours_end", "bulk_cap_per_day", "round_robin_enabled"]
    list_select_related = ["store"]


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
    extra = 0


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "channel", "event", "category", "language", "status", "active"]
    list_filter = ["channel", "status", "event", "category", "language"]
    search_fields = ["name", "body"]
    inlines = [TemplateVariableInline]


@admin.register(QuickReply)
class QuickReplyAdmin(SortableAdminMixin, admin.ModelAdmin):
    list_display = ["title", "store", "active"]
    list_filter = ["active", "store"]
    search_fields = ["title", "body"]


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["customer", "store", "channel", "assigned_to", "status", "last_message_at"]
    list_filter = ["status", "channel", "store"]
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
