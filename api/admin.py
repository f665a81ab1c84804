"""Company Admin screens: API keys (shown once), webhook endpoints (secret shown once, send test),
and the delivery log."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from clienteling.admin import ReadOnlyAdmin

from .models import CONTACT_SCOPE, SCOPE_CHOICES, ApiKey, WebhookDelivery, WebhookEndpoint, WebhookEvent
from .services.keys import api_key_create, api_key_revoke
from .services.webhooks import webhook_endpoint_create, webhook_secret_rotate, webhook_test_send

KEY_SCOPE_CHOICES = [*SCOPE_CHOICES, (CONTACT_SCOPE, _("Customers: contact details (unmasked)"))]
EVENT_CHOICES = [(value, label) for value, label in WebhookEvent.choices if value != WebhookEvent.TEST]


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(label=_("scopes"), choices=KEY_SCOPE_CHOICES, required=False,
                                       widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiKey
        fields = ["name", "legal_entity", "scopes", "rate_limit_per_minute"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ["name", "prefix", "legal_entity", "rate_limit_per_minute", "last_used_at",
                    "created_at", "revoked_at"]
    search_fields = ["name", "prefix"]
    list_select_related = ["legal_entity"]
    readonly_fields = ["prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "legal_entity"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        key, full = api_key_create(
            name=obj.name, legal_entity=obj.legal_entity, scopes=form.cleaned_data["scopes"],
            rate_limit_per_minute=obj.rate_limit_per_minute, created_by=request.user)
        obj.pk, obj.prefix, obj.hashed_key = key.pk, key.prefix, key.hashed_key
        obj._state.adding = False
        messages.warning(request, format_html(
            "{} <code>{}</code>",
            gettext("Copy the new API key now; it is not shown again:"), full))

    @admin.action(description=_("Revoke the selected API keys"), permissions=["change"])
    def revoke(self, request, queryset):
        count = sum(api_key_revoke(api_key=key) for key in queryset)
        self.message_user(request, gettext("%(count)d API keys revoked.") % {"count": count},
                          messages.SUCCESS)


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(label=_("events"), choices=EVENT_CHOICES, required=False,
                                       widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "legal_entity", "url", "events", "active"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "legal_entity", "active", "created_at"]
    search_fields = ["name", "url"]
    list_select_related = ["legal_entity"]
    readonly_fields = ["created_at", "test_button"]
    actions = ["send_test", "rotate_secret"]

    @admin.display(description=_("test"))
    def test_button(self, obj):
        if not obj or not obj.pk:
            return "-"
        return format_html(
            '<button type="submit" class="button" formaction="{}">{}</button>',
            reverse("admin:api_webhookendpoint_test", args=[obj.pk]), gettext("Send test"))

    def get_urls(self):
        return [path("<int:pk>/test/", self.admin_site.admin_view(self.test_view),
                     name="api_webhookendpoint_test"), *super().get_urls()]

    def test_view(self, request, pk):
        return require_POST(self._test)(request, pk)

    def _test(self, request, pk):
        endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
        if not self.has_change_permission(request, endpoint):
            return redirect("admin:index")
        webhook_test_send(endpoint=endpoint)
        self.message_user(request, gettext("Test delivery queued; see the delivery log."), messages.SUCCESS)
        return redirect("admin:api_webhookendpoint_change", pk)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        endpoint, secret = webhook_endpoint_create(
            legal_entity=obj.legal_entity, name=obj.name, url=obj.url,
            events=form.cleaned_data["events"], active=obj.active)
        obj.pk = endpoint.pk
        obj._state.adding = False
        messages.warning(request, format_html(
            "{} <code>{}</code>", gettext("Copy the signing secret now; it is not shown again:"), secret))

    @admin.action(description=_("Send a test delivery"), permissions=["change"])
    def send_test(self, request, queryset):
        for endpoint in queryset:
            webhook_test_send(endpoint=endpoint)
        self.message_user(request, gettext("Test deliveries queued; see the delivery log."),
                          messages.SUCCESS)

    @admin.action(description=_("Rotate the signing secret"), permissions=["change"])
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            secret = webhook_secret_rotate(endpoint=endpoint)
            messages.warning(request, format_html(
                "{} {}: <code>{}</code>", gettext("New signing secret, shown once, for"),
                endpoint.name, secret))


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "event", "endpoint", "status", "attempts", "response_status",
                    "next_attempt_at", "last_error"]
    list_filter = ["status", "event", "endpoint"]
    search_fields = ["event_id"]
    list_select_related = ["endpoint"]
