from adminsortable2.admin import SortableAdminMixin
from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

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
    list_display = ["store", "mixed_cart_enabled", "tax_rate", "prices_include_tax"]
    list_select_related = ["store"]


@admin.register(ShippingOption)
class ShippingOptionAdmin(SortableAdminMixin, admin.ModelAdmin):
    list_display = ["name", "price", "store", "active"]
    list_filter = ["active", "store"]


@admin.register(DiscountLimit)
class DiscountLimitAdmin(admin.ModelAdmin):
    list_display = ["role", "max_percent"]


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
class PaymentProviderAccountAdmin(admin.ModelAdmin):
    form = PaymentProviderAccountForm
    list_display = ["provider", "merchant_account", "environment", "active"]


class CartLineInline(admin.TabularInline):
    model = CartLine
    extra = 0
    readonly_fields = ["variant", "title", "quantity", "unit_price", "fulfilment",
                       "discount_kind", "discount_value", "line_total"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Cart)
class CartAdmin(admin.ModelAdmin):
    list_display = ["id", "customer", "store", "associate", "status", "total", "currency",
                    "expires_at"]
    list_filter = ["status", "store"]
    list_select_related = ["customer", "store", "associate"]
    readonly_fields = ["customer", "store", "associate", "conversation", "status", "version",
                       "currency", "subtotal", "discount_total", "shipping_total", "tax_total",
                       "total", "shared_at", "expires_at", "paid_at", "sale", "closed_at",
                       "flag_reason", "flagged_at"]
    exclude = ["token"]
    inlines = [CartLineInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # carts are built by associates in the console


@admin.register(PaymentLink)
class PaymentLinkAdmin(admin.ModelAdmin):
    list_display = ["reference", "cart", "provider", "amount", "currency", "status", "expires_at"]
    list_filter = ["provider", "status"]
    readonly_fields = [f.name for f in PaymentLink._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(PaymentEvent)
class PaymentEventAdmin(admin.ModelAdmin):
    list_display = ["provider", "event_code", "psp_reference", "success", "received_at",
                    "outcome", "cart"]
    list_filter = ["provider", "event_code", "success"]
    readonly_fields = [f.name for f in PaymentEvent._meta.fields]

    def has_add_permission(self, request):
        return False
