from adminsortable2.admin import SortableAdminBase, SortableAdminMixin, SortableInlineAdminMixin
from django.contrib import admin

from . import services
from .models import (
    Category,
    Collection,
    CollectionItem,
    Designer,
    ItemType,
    Product,
    ProductImage,
    ProductPrice,
    ProductShare,
    ProductVariant,
    StockLevel,
    StockLocation,
)


@admin.register(Designer, Category, ItemType)
class DimensionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "active"]
    list_filter = ["active"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            # Products are found by their designer, category and item type names.
            services.product_search_text_refresh(
                product_ids=obj.products.values_list("pk", flat=True))


class VariantInline(SortableInlineAdminMixin, admin.TabularInline):
    model = ProductVariant
    extra = 0
    fields = ["sku", "barcode", "size", "colour", "price_override", "active"]


class ImageInline(SortableInlineAdminMixin, admin.TabularInline):
    model = ProductImage
    extra = 0


class PriceInline(admin.TabularInline):
    """The product's price in each other currency a store sells in (EUR for Paris ...)."""

    model = ProductPrice
    extra = 0
    fields = ["currency", "amount", "variant"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Only this product's variants (the form class is made for this request).
        formset.form.base_fields["variant"].queryset = (
            ProductVariant.objects.filter(product=obj) if obj else ProductVariant.objects.none())
        return formset


@admin.register(Product)
class ProductAdmin(SortableAdminBase, admin.ModelAdmin):
    list_display = ["title", "sku", "designer", "category", "item_type", "price", "currency",
                    "active"]
    list_filter = ["active", "currency", "designer", "category", "item_type"]
    search_fields = ["title", "sku", "barcode", "variants__sku", "variants__barcode"]
    list_select_related = ["designer", "category", "item_type"]
    autocomplete_fields = ["designer", "category", "item_type"]
    inlines = [VariantInline, PriceInline, ImageInline]
    show_full_result_count = False


class CollectionItemInline(SortableInlineAdminMixin, admin.TabularInline):
    model = CollectionItem
    extra = 0
    autocomplete_fields = ["product"]


@admin.register(Collection)
class CollectionAdmin(SortableAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "active"]
    list_filter = ["active"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CollectionItemInline]


@admin.register(StockLocation)
class StockLocationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "ships_to_customers"]
    ordering = ["code"]
    list_filter = ["kind", "ships_to_customers"]
    search_fields = ["code", "name"]


@admin.register(StockLevel)
class StockLevelAdmin(admin.ModelAdmin):
    list_display = ["variant", "location", "on_hand", "reserved"]
    list_filter = ["location", "location__kind"]
    search_fields = ["variant__sku", "variant__product__title"]
    list_select_related = ["variant__product", "location"]
    autocomplete_fields = ["variant"]
    show_full_result_count = False


@admin.register(ProductVariant)
class ProductVariantAdmin(admin.ModelAdmin):
    """Registered for autocomplete; variants are edited inside their product."""

    search_fields = ["sku", "barcode", "product__title"]
    list_display = ["sku", "product", "size", "colour", "active"]
    list_filter = ["active"]
    list_select_related = ["product"]
    show_full_result_count = False

    def has_module_permission(self, request):
        return False


@admin.register(ProductShare)
class ProductShareAdmin(admin.ModelAdmin):
    list_display = ["kind", "product", "collection", "currency", "created_by", "created_at",
                    "expires_at"]
    list_filter = ["kind", "currency", "created_at"]
    search_fields = ["product__title", "product__sku", "collection__name", "created_by__username",
                     "created_by__last_name"]
    list_select_related = ["product", "collection", "created_by"]
    readonly_fields = ["kind", "product", "collection", "products", "currency", "created_by",
                       "created_at"]
    exclude = ["token"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        # Shares are created by associates from the console, with a fresh token.
        return False


