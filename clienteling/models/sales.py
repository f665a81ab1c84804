from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Designer, ItemType, Product, ProductVariant
from catalog.money import MONEY_FIELD

from .customer import Customer, SalesChannel
from .org import Store


class Sale(models.Model):
    """A receipt in purchase history, from the POS, e-commerce or a remote cart."""

    class Source(models.TextChoices):
        POS = "pos", _("Point of sale")
        ECOMMERCE = "ecommerce", _("E-commerce")
        REMOTE_CART = "remote_cart", _("Remote cart")
        IMPORT = "import", _("Import")

    customer = models.ForeignKey(Customer, models.CASCADE, related_name="sales")
    store = models.ForeignKey(Store, models.PROTECT, related_name="sales")
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="sales",
        verbose_name=_("salesperson"),
    )
    channel = models.CharField(
        _("channel"), max_length=8, choices=SalesChannel.choices, default=SalesChannel.STORE
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.POS)
    external_id = models.CharField(_("receipt number"), max_length=64, null=True, blank=True)
    sold_at = models.DateTimeField(_("date"))
    currency = models.CharField(_("currency"), max_length=3)
    total = models.DecimalField(_("total"), **MONEY_FIELD)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        ordering = ["-sold_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="sale_unique_external_id",
                condition=Q(external_id__isnull=False),
            )
        ]
        indexes = [
            models.Index(fields=["customer", "-sold_at"], name="sale_customer_time"),
            models.Index(fields=["salesperson", "-sold_at"], name="sale_salesperson_time"),
        ]

    def __str__(self):
        return self.external_id or f"#{self.pk}"


class SaleLine(models.Model):
    class Kind(models.TextChoices):
        GOODS = "goods", _("Goods")
        CUSTOM = "custom", _("Custom line")
        LAYAWAY_PAYMENT = "layaway", _("Layaway payment")
        RETURN = "return", _("Return")

    sale = models.ForeignKey(Sale, models.CASCADE, related_name="lines")
    # Copied from the sale so purchase-history filters read one table.
    customer = models.ForeignKey(Customer, models.CASCADE, related_name="sale_lines")
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sold_at = models.DateTimeField()
    kind = models.CharField(_("line kind"), max_length=8, choices=Kind.choices, default=Kind.GOODS)
    product = models.ForeignKey(Product, models.SET_NULL, null=True, blank=True, related_name="+")
    variant = models.ForeignKey(
        ProductVariant, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    designer = models.ForeignKey(Designer, models.SET_NULL, null=True, blank=True, related_name="+")
    category = models.ForeignKey(Category, models.SET_NULL, null=True, blank=True, related_name="+")
    item_type = models.ForeignKey(ItemType, models.SET_NULL, null=True, blank=True, related_name="+")
    title = models.CharField(_("title"), max_length=255)
    quantity = models.IntegerField(_("quantity"), default=1)
    amount = models.DecimalField(_("amount"), **MONEY_FIELD)

    class Meta:
        verbose_name = _("sale line")
        verbose_name_plural = _("sale lines")
        ordering = ["sale", "id"]
        indexes = [
            models.Index(fields=["customer", "sold_at"], name="saleline_customer_time"),
            models.Index(fields=["salesperson", "customer"], name="saleline_salesperson"),
            # The purchase filters ask about goods lines only; partial indexes answer
            # "did this customer buy this designer" from the index, without the table.
            models.Index(fields=["designer", "customer"], name="goods_designer",
                         condition=models.Q(kind="goods")),
            models.Index(fields=["category", "customer"], name="goods_category",
                         condition=models.Q(kind="goods")),
            models.Index(fields=["item_type", "customer"], name="goods_item_type",
                         condition=models.Q(kind="goods")),
            models.Index(fields=["title", "customer"], name="saleline_title"),
        ]


class WishlistItem(models.Model):
    customer = models.ForeignKey(Customer, models.CASCADE, related_name="wishlist_items")
    product = models.ForeignKey(Product, models.CASCADE, related_name="+")
    variant = models.ForeignKey(
        ProductVariant, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("wishlist item")
        verbose_name_plural = _("wishlist items")
        ordering = ["-added_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "product"], name="wishlist_unique_active_product",
                condition=Q(active=True),
            )
        ]
        indexes = [
            models.Index(fields=["customer"], name="wishlist_active_customer",
                         condition=Q(active=True)),
        ]
