import re
import secrets
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .money import MONEY_FIELD


def new_share_token() -> str:
    # 32 random bytes: unguessable, URL-safe, fits a short link.
    return secrets.token_urlsafe(32)


currency_code = RegexValidator(r"^[A-Z]{3}$", _("Use the three-letter ISO code, e.g. EUR."))


def sku_parts(sku: str) -> str:
    """ "AT-00012" -> "at 00012": its parts as words, so typing part of a SKU finds it."""
    return " ".join(part for part in re.split(r"[^0-9A-Za-z]+", sku or "") if part)


def normalize_search_text(*parts) -> str:
    """Lower case, accents dropped, one space between words: "Noémie  Duval" -> "noemie duval".

    Product.search_text and every search query pass through here, so "noemie"
    finds "Noémie" on PostgreSQL and SQLite alike.
    """
    text = " ".join(str(part) for part in parts if part)
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.split())


def product_search_text(title, designer, category, item_type, sku) -> str:
    """What a product's words search reads: one definition for save(), bulk refreshes and loaders."""
    return normalize_search_text(title, designer, category, item_type, sku, sku_parts(sku))


class NamedDimension(models.Model):
    """A merchandising dimension used by products and sales (designer, category ...)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name


class Designer(NamedDimension):
    class Meta(NamedDimension.Meta):
        verbose_name = _("designer / brand")
        verbose_name_plural = _("designers / brands")


class Category(NamedDimension):
    class Meta(NamedDimension.Meta):
        verbose_name = _("category")
        verbose_name_plural = _("categories")


class ItemType(NamedDimension):
    class Meta(NamedDimension.Meta):
        verbose_name = _("item type")
        verbose_name_plural = _("item types")


class Product(models.Model):
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    barcode = models.CharField(_("barcode (EAN/UPC)"), max_length=32, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=255)
    designer = models.ForeignKey(
        Designer, models.PROTECT, related_name="products", verbose_name=_("designer / brand"),
        null=True, blank=True,
    )
    category = models.ForeignKey(
        Category, models.PROTECT, related_name="products", verbose_name=_("category"),
        null=True, blank=True,
    )
    item_type = models.ForeignKey(
        ItemType, models.PROTECT, related_name="products", verbose_name=_("item type"),
        null=True, blank=True,
    )
    price = models.DecimalField(_("price"), validators=[MinValueValidator(0)], **MONEY_FIELD)
    currency = models.CharField(_("currency"), max_length=3, default="USD", validators=[currency_code],
                                help_text=_("The currency of the price above. Prices in other "
                                            "currencies are listed below."))
    image_url = models.URLField(_("image URL"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Words a search matches: title, designer, category, item type, SKU (normalized).
    # Kept by save(); bulk writers call catalog.services.product_search_text_refresh().
    search_text = models.TextField(default="", blank=True, editable=False)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["title"]
        indexes = [models.Index(fields=["active", "title"], name="product_active_title")]
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="product_price_gte_0")]

    def __str__(self):
        return f"{self.title} ({self.sku})"

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {"search_text"}
        super().save(*args, **kwargs)

    def build_search_text(self) -> str:
        return product_search_text(
            self.title,
            self.designer.name if self.designer_id else "",
            self.category.name if self.category_id else "",
            self.item_type.name if self.item_type_id else "",
            self.sku,
        )


class ProductVariant(models.Model):
    """A sellable unit. Every product has at least one (the default variant)."""

    product = models.ForeignKey(Product, models.CASCADE, related_name="variants",
                                verbose_name=_("product"))
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    barcode = models.CharField(_("barcode (EAN/UPC)"), max_length=32, blank=True, db_index=True)
    size = models.CharField(_("size"), max_length=40, blank=True)
    colour = models.CharField(_("colour"), max_length=60, blank=True)
    price_override = models.DecimalField(
        _("price override"), null=True, blank=True, **MONEY_FIELD
    )
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["position", "id"]

    def __str__(self):
        label = " / ".join(part for part in (self.size, self.colour) if part)
        return f"{self.product.title} {label}".strip()

    @property
    def price(self):
        """The base price, in the product's own currency (ProductPrice holds the others)."""
        return self.price_override if self.price_override is not None else self.product.price


class ProductPrice(models.Model):
    """The price of a product (or of one of its variants) in a currency other than its own.

    A store sells in its own currency; the product's `price` is its price in
    `Product.currency`, and these rows are its prices in every other currency
    the company sells in (EUR for Paris when the catalog is in USD). They are
    set by the merchandiser, never converted at a rate: a price list is a
    commercial decision. See catalog.selectors.prices_in for how a variant's
    price in a currency is found.
    """

    product = models.ForeignKey(Product, models.CASCADE, related_name="prices",
                                verbose_name=_("product"))
    variant = models.ForeignKey(
        ProductVariant, models.CASCADE, null=True, blank=True, related_name="prices",
        verbose_name=_("variant"),
        help_text=_("Empty: the price of every variant without a price of its own."),
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_code])
    amount = models.DecimalField(_("price"), validators=[MinValueValidator(0)], **MONEY_FIELD)

    class Meta:
        verbose_name = _("price in another currency")
        verbose_name_plural = _("prices in other currencies")
        ordering = ["currency", "variant_id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "currency"], condition=Q(variant__isnull=True),
                                    name="product_price_one_per_currency"),
            models.UniqueConstraint(fields=["variant", "currency"], condition=Q(variant__isnull=False),
                                    name="variant_price_one_per_currency"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="product_price_amount_gte_0"),
        ]

    def __str__(self):
        return f"{self.currency} {self.amount}"

    def clean(self):
        self.currency = (self.currency or "").upper()
        if self.variant_id and self.product_id and self.variant.product_id != self.product_id:
            raise ValidationError({"variant": _("Choose a variant of this product.")})
        if self.product_id and self.currency == self.product.currency:
            raise ValidationError({"currency": _(
                "%(currency)s is the product's own currency: set that price on the product "
                "(or the variant's price override).") % {"currency": self.currency}})


class ProductImage(models.Model):
    product = models.ForeignKey(Product, models.CASCADE, related_name="images")
    image_url = models.URLField(_("image URL"), max_length=500)
    alt_text = models.CharField(_("alternative text"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        ordering = ["position", "id"]


class Collection(models.Model):
    """A curated set of products an associate can share."""

    name = models.CharField(_("name"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=180, unique=True)
    description = models.TextField(_("description"), blank=True)
    products = models.ManyToManyField(Product, through="CollectionItem", related_name="collections")
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, models.CASCADE, related_name="items",
                                   verbose_name=_("collection"))
    product = models.ForeignKey(Product, models.CASCADE, related_name="+", verbose_name=_("product"))
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("collection item")
        verbose_name_plural = _("collection items")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "product"], name="collection_item_unique")
        ]


class StockLocation(models.Model):
    """Where stock sits: a store's floor or a warehouse that ships (endless aisle).

    The catalog knows locations, not stores; a store points at its location,
    which keeps the catalog free of any dependency on the org model.
    """

    class Kind(models.TextChoices):
        STORE = "store", _("Store")
        WAREHOUSE = "warehouse", _("Warehouse")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.STORE)
    ships_to_customers = models.BooleanField(_("ships to customers"), default=False)

    class Meta:
        verbose_name = _("stock location")
        verbose_name_plural = _("stock locations")
        ordering = ["code"]

    def __str__(self):
        return self.name


class StockLevel(models.Model):
    location = models.ForeignKey(StockLocation, models.CASCADE, related_name="stock_levels",
                                 verbose_name=_("location"))
    variant = models.ForeignKey(ProductVariant, models.CASCADE, related_name="stock_levels",
                                verbose_name=_("variant"))
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(fields=["variant", "location"], name="stock_level_unique"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stock_reserved_gte_0"),
        ]

    @property
    def available_to_promise(self) -> int:
        return max(self.on_hand - self.reserved, 0)


class ProductShare(models.Model):
    """A login-free public link to a product, a collection or a product list."""

    class Kind(models.TextChoices):
        PRODUCT = "product", _("Product")
        COLLECTION = "collection", _("Collection")
        PRODUCT_LIST = "product_list", _("Product list")

    token = models.CharField(_("token"), max_length=64, unique=True, default=new_share_token,
                             editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    product = models.ForeignKey(Product, models.CASCADE, null=True, blank=True, related_name="+",
                                verbose_name=_("product"))
    collection = models.ForeignKey(
        Collection, models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("collection"),
    )
    products = models.ManyToManyField(Product, blank=True, related_name="+",
                                      verbose_name=_("products"))
    # The prices the page shows: the currency of the store it was shared from.
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("shared by"),
    )
    created_at = models.DateTimeField(_("shared"), auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("product share")
        verbose_name_plural = _("product shares")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="product", product__isnull=False, collection__isnull=True)
                    | Q(kind="collection", collection__isnull=False, product__isnull=True)
                    | Q(kind="product_list", product__isnull=True, collection__isnull=True)
                ),
                name="product_share_kind_matches_target",
            )
        ]
