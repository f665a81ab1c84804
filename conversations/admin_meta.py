"""The admin screen of WhatsApp accounts on Meta's Cloud API (imported by conversations.admin).

The access token and app secret are typed once and never shown again, as Twilio's token.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clienteling.admin import CredentialsAuditMixin

from .models import MetaWhatsAppAccount

SECRETS = ("access_token", "app_secret")


class SecretInput(forms.CharField):
    """A secret typed once: never rendered back; blank on edit keeps the saved value."""

    widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})


class MetaWhatsAppAccountForm(forms.ModelForm):
    access_token = SecretInput(
        label=_("access token"), required=False,
        help_text=_("A system user's permanent token. Stored encrypted and never shown again. "
                    "Leave empty to keep the saved one."))
    app_secret = SecretInput(
        label=_("app secret"), required=False,
        help_text=_("The Meta app's secret, which signs the webhooks. Stored encrypted and never shown "
                    "again. Leave empty to keep the saved one."))

    class Meta:
        model = MetaWhatsAppAccount
        fields = ["name", "whatsapp_number", "phone_number_id", "business_account_id", "access_token",
                  "app_secret", "verify_token", "api_version", "api_base_url", "active"]

    def _secret(self, name: str, missing: str) -> str:
        value = self.cleaned_data.get(name, "")
        saved = getattr(self.instance, name, "") if self.instance.pk else ""
        if not value and not saved:
            raise forms.ValidationError(missing)
        return value or saved

    def clean_access_token(self):
        return self._secret("access_token", gettext("Enter the access token."))

    def clean_app_secret(self):
        return self._secret("app_secret", gettext("Enter the app secret."))


@admin.register(MetaWhatsAppAccount)
class MetaWhatsAppAccountAdmin(CredentialsAuditMixin, admin.ModelAdmin):
    form = MetaWhatsAppAccountForm
    list_display = ["name", "whatsapp_number", "phone_number_id", "active", "updated_at"]
    list_filter = ["active"]
    search_fields = ["name", "phone_number_id", "business_account_id"]

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if not self.has_change_permission(request, obj):
            # A view-only admin sees fields read-only, which would print the decrypted secrets.
            fields = [f"{name}_saved" if name in SECRETS else name for name in fields]
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self.has_change_permission(request, obj):
            readonly += [f"{name}_saved" for name in SECRETS]
        return readonly

    @admin.display(description=_("access token"))
    def access_token_saved(self, obj):
        return gettext("Saved (hidden)") if obj and obj.access_token else gettext("Not set")

    @admin.display(description=_("app secret"))
    def app_secret_saved(self, obj):
        return gettext("Saved (hidden)") if obj and obj.app_secret else gettext("Not set")
