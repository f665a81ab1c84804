from adminsortable2.admin import SortableAdminMixin
from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from clienteling.admin import CredentialsAuditMixin, ReadOnlyAdmin
from conversations.admin import SecretField

from .models import (
    Cart,
    CartLine,
    DiscountLimit,
    PaymentEvent,
    PaymentLink,
    PaymentProviderAccount,
    ShippingOption,
    StoreCartSettings,
)


@admin.register(StoreCartSettings)
class StoreCartSettingsAdmin(admin.ModelAdmin):
    list_display = ["store", "mixed_cart_enabled", "tax_rate", "prices_include_tax", "ship_from"]
    list_filter = ["mixed_cart_enabled", "prices_include_tax", "store__legal_entity"]
    search_fields = ["store__name", "store__code"]
    list_select_related = ["store", "ship_from"]
    autocomplete_fields = ["store"]


@admin.register(ShippingOption)
class ShippingOptionAdmin(SortableAdminMixin, admin.ModelAdmin):
    list_display = ["name", "price", "currency", "store", "active"]
    list_filter = ["active", "currency", "store"]
    search_fields = ["name", "store__name"]
    list_select_related = ["store"]


@admin.register(DiscountLimit)
class DiscountLimitAdmin(admin.ModelAdmin):
    list_display = ["role", "max_percent"]
    list_filter = ["role"]
    search_fields = ["role"]


class PaymentProviderAccountForm(forms.ModelForm):
    api_key = SecretField(label=_("API key"), required=False,
                          help_text=_("Stored encrypted. Leave empty to keep the saved one."))
    hmac_key = SecretField(label=_("HMAC key"), required=False,
                           help_text=_("Stored encrypted. Leave empty to keep the saved one."))

    class Meta:
        model = PaymentProviderAccount
        fields = ["provider", "merchant_account", "api_key", "hmac_key", "environment",
                  "live_endpoint_prefix", "api_base_url", "active"]

    def clean_api_key(self):
        return self.cleaned_data.get("api_key") or self.instance.api_key or ""

    def clean_hmac_key(self):
        return self.cleaned_data.get("hmac_key") or self.instance.hmac_key or ""


@admin.register(PaymentProviderAccount)
class PaymentProviderAccountAdmin(CredentialsAuditMixin, admin.ModelAdmin):
    form = PaymentProviderAccountForm
    list_display = ["provider", "merchant_account", "environment", "active"]
    list_filter = ["provider", "environment", "active"]
    search_fields = ["merchant_account"]


class CartLineInline(admin.TabularInline):
    model = CartLine
    extra = 0
    fields = readonly_fields = ["variant", "title", "quantity", "unit_price", "fulfilment",
                                "discount_kind", "discount_value", "line_total"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Cart)
class CartAdmin(ReadOnlyAdmin):
    """Carts are built, discounted and shared by associates in the console: an edit here would skip
    the discount limits and the version bump that stops the customer's old payment link."""

    list_display = ["id", "customer", "store", "associate", "status", "total", "currency",
                    "shared_at", "expires_at"]
    list_filter = ["status", "store", ("flag_reason", admin.EmptyFieldListFilter), "shared_at"]
    search_fields = ["=id", "customer__first_name", "customer__last_name", "customer__email",
                     "customer__external_id", "associate__username", "payment_links__reference"]
    list_select_related = ["customer", "store", "associate"]
    date_hierarchy = "created_at"
    exclude = ["token"]
    inlines = [CartLineInline]
    show_full_result_count = False


@admin.register(PaymentLink)
class PaymentLinkAdmin(ReadOnlyAdmin):
    list_display = ["reference", "cart", "provider", "amount", "currency", "status", "expires_at"]
    list_filter = ["provider", "status", "currency"]
    search_fields = ["=reference", "=provider_link_id", "=cart__id", "cart__customer__last_name"]
    list_select_related = ["cart__customer"]
    exclude = ["idempotency_key"]
    show_full_result_count = False


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdmin):
    list_display = ["provider", "event_code", "psp_reference", "success", "received_at",
                    "outcome", "cart"]
    list_filter = ["provider", "event_code", "success", ("processed_at", admin.EmptyFieldListFilter)]
    search_fields = ["=psp_reference", "=merchant_reference", "=cart__id", "outcome"]
    list_select_related = ["cart__customer"]
    show_full_result_count = False
