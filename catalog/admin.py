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


@admin.register(Product)
class ProductAdmin(SortableAdminBase, admin.ModelAdmin):
    list_display = ["title", "sku", "designer", "category", "item_type", "price", "currency",
                    "active"]
    list_filter = ["active", "designer", "category", "item_type"]
    search_fields = ["title", "sku", "barcode", "variants__sku", "variants__barcode"]
    list_select_related = ["designer", "category", "item_type"]
    autocomplete_fields = ["designer", "category", "item_type"]
    inlines = [VariantInline, ImageInline]
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
    list_filter = ["kind", "ships_to_customers"]
    search_fields = ["code", "name"]


@admin.register(StockLevel)
class StockLevelAdmin(admin.ModelAdmin):
    list_display = ["variant", "location", "on_hand", "reserved"]
    list_filter = ["location"]
    search_fields = ["variant__sku", "variant__product__title"]
    list_select_related = ["variant__product", "location"]
    autocomplete_fields = ["variant"]
    show_full_result_count = False


@admin.register(ProductVariant)
class ProductVariantAdmin(admin.ModelAdmin):
    """Registered for autocomplete; variants are edited inside their product."""

    search_fields = ["sku", "barcode", "product__title"]
    list_display = ["sku", "product", "size", "colour", "active"]
    list_select_related = ["product"]

    def has_module_permission(self, request):
        return False


@admin.register(ProductShare)
class ProductShareAdmin(admin.ModelAdmin):
    list_display = ["kind", "product", "collection", "created_by", "created_at", "expires_at"]
    list_filter = ["kind"]
    readonly_fields = ["kind", "product", "collection", "products", "created_by", "created_at"]
    exclude = ["token"]

    def has_add_permission(self, request):
        # Shares are created by associates from the console, with a fresh token.
        return False


