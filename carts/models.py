import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.links import ProviderAddressRefused, provider_base_url_check
from catalog.models import ProductVariant, currency_code
from catalog.money import MONEY_FIELD
from clienteling.models import Customer, Sale, StaffProfile, Store
from conversations.fields import EncryptedTextField
from conversations.models import Conversation


def new_cart_token() -> str:
    return secrets.token_urlsafe(32)


class DiscountKind(models.TextChoices):
    NONE = "", _("No discount")
    AMOUNT = "amount", _("Amount")
    PERCENT = "percent", _("Percent")


class StoreCartSettings(models.Model):
    store = models.OneToOneField(Store, models.CASCADE, related_name="cart_settings",
                                 verbose_name=_("store"))
    mixed_cart_enabled = models.BooleanField(
        _("mixed cart"), default=False,
        help_text=_("Each line is sold from the store or shipped to the customer."),
    )
    tax_rate = models.DecimalField(
        _("tax rate (%)"), max_digits=6, decimal_places=3, default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    prices_include_tax = models.BooleanField(_("prices include tax"), default=False)
    ship_from = models.ForeignKey(
        "catalog.StockLocation", models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("ship from location"),
    )
    # The store has no email of its own; customers need one on their cart and receipt pages.
    contact_email = models.EmailField(
        _("email for customers"), blank=True,
        help_text=_("Shown on the customer's cart, receipt and expired-cart pages, with the store's "
                    "phone and text numbers."),
    )

    class Meta:
        verbose_name = _("store cart settings")
        verbose_name_plural = _("store cart settings")

    def __str__(self):
        return str(self.store)


class ShippingOption(models.Model):
    name = models.CharField(_("name"), max_length=80)
    price = models.DecimalField(_("price"), default=0, **MONEY_FIELD)
    currency = models.CharField(
        _("currency"), max_length=3, blank=True, validators=[currency_code],
        help_text=_("Offered only to stores selling in this currency. Empty: every store, at this "
                    "price in the store's own currency (only sensible for free shipping)."),
    )
    store = models.ForeignKey(
        Store, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("store"),
        help_text=_("Empty for every store."),
    )
    position = models.PositiveIntegerField(_("position"), default=0, db_index=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("shipping option")
        verbose_name_plural = _("shipping options")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class DiscountLimit(models.Model):
    """The largest discount a role may give on a remote cart."""

    role = models.CharField(_("role"), max_length=20, choices=StaffProfile.Role.choices, unique=True)
    max_percent = models.DecimalField(
        _("maximum discount (%)"), max_digits=5, decimal_places=2, default=10,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("discount limit")
        verbose_name_plural = _("discount limits")

    def __str__(self):
        return f"{self.get_role_display()}: {self.max_percent}%"


class PaymentProviderAccount(models.Model):
    class Provider(models.TextChoices):
        DEMO = "demo", _("Demo (offline)")
        ADYEN = "adyen", _("Adyen Pay by Link")

    provider = models.CharField(_("provider"), max_length=16, choices=Provider.choices)
    merchant_account = models.CharField(_("merchant account"), max_length=120, blank=True)
    api_key = EncryptedTextField(_("API key"), blank=True)
    hmac_key = EncryptedTextField(_("HMAC key"), blank=True)
    environment = models.CharField(_("environment"), max_length=8, default="test")
    api_base_url = models.URLField(
        _("API base URL"), blank=True,
        help_text=_("Leave empty for the provider. Set only to point at a test double."),
    )
    active = models.BooleanField(_("active"), default=True)
    live_endpoint_prefix = models.CharField(
        _("live endpoint prefix"), max_length=120, blank=True,
        help_text=_("Adyen live only: the prefix of your live checkout URL."),
    )

    class Meta:
        verbose_name = _("payment provider account")
        verbose_name_plural = _("payment provider accounts")

    def __str__(self):
        return self.get_provider_display()

    OWN_DOMAINS = ("adyen.com", "adyenpayments.com")

    def clean(self):
        try:
            provider_base_url_check(self.api_base_url, own_domains=self.OWN_DOMAINS)
        except ProviderAddressRefused:
            raise ValidationError({"api_base_url": _(
                "Only the provider's own addresses (https://…adyen.com) may receive the account's "
                "credentials.")}) from None


class Cart(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        CLEARED = "cleared", _("Cleared")
        EXPIRED = "expired", _("Expired")

    customer = models.ForeignKey(Customer, models.CASCADE, related_name="carts",
                                 verbose_name=_("customer"))
    store = models.ForeignKey(Store, models.PROTECT, related_name="carts", verbose_name=_("store"))
    associate = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="carts",
        verbose_name=_("associate"),
    )
    conversation = models.ForeignKey(
        Conversation, models.SET_NULL, null=True, blank=True, related_name="carts",
        verbose_name=_("conversation"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    version = models.PositiveIntegerField(_("version"), default=1)
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_cart_token,
                             editable=False)
    currency = models.CharField(_("currency"), max_length=3)
    discount_kind = models.CharField(_("cart discount"), max_length=8, choices=DiscountKind.choices,
                                     blank=True)
    discount_value = models.DecimalField(_("cart discount value"), max_digits=12, decimal_places=2,
                                         default=0)
    shipping_option = models.ForeignKey(
        ShippingOption, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("shipping option"),
    )
    delivery_name = models.CharField(_("delivery name"), max_length=160, blank=True)
    delivery_line1 = models.CharField(_("delivery street"), max_length=200, blank=True)
    delivery_line2 = models.CharField(_("delivery apartment, floor"), max_length=200, blank=True)
    delivery_city = models.CharField(_("delivery city"), max_length=100, blank=True)
    delivery_state = models.CharField(_("delivery state / region"), max_length=100, blank=True)
    delivery_zip = models.CharField(_("delivery ZIP / postal code"), max_length=20, blank=True)
    delivery_country = models.CharField(_("delivery country"), max_length=2, blank=True)
    subtotal = models.DecimalField(_("subtotal"), default=0, **MONEY_FIELD)
    discount_total = models.DecimalField(_("discounts"), default=0, **MONEY_FIELD)
    shipping_total = models.DecimalField(_("shipping"), default=0, **MONEY_FIELD)
    tax_total = models.DecimalField(_("tax"), default=0, **MONEY_FIELD)
    total = models.DecimalField(_("total"), default=0, **MONEY_FIELD)
    shared_at = models.DateTimeField(_("shared"), null=True, blank=True)
    expires_at = models.DateTimeField(_("valid until"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    sale = models.OneToOneField(Sale, models.SET_NULL, null=True, blank=True, related_name="cart",
                                verbose_name=_("sale"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # A payment that could not be accepted (amount or version did not match): shown to staff.
    flag_reason = models.CharField(_("payment problem"), max_length=255, blank=True)
    flagged_at = models.DateTimeField(_("payment problem found"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("remote cart")
        verbose_name_plural = _("remote carts")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "store"], name="cart_one_open_per_customer_store",
                condition=Q(status="open"),
            )
        ]
        indexes = [
            models.Index(fields=["store", "expires_at"], name="cart_open_expiry",
                         condition=Q(status="open")),
        ]

    def __str__(self):
        return _("Cart %(id)s for %(customer)s") % {"id": self.pk, "customer": self.customer}


class CartLine(models.Model):
    class Fulfilment(models.TextChoices):
        IN_STORE = "in_store", _("In the store to sell")
        SHIP = "ship", _("Ship to the customer")

    cart = models.ForeignKey(Cart, models.CASCADE, related_name="lines", verbose_name=_("cart"))
    variant = models.ForeignKey(ProductVariant, models.PROTECT, related_name="+",
                                verbose_name=_("variant"))
    title = models.CharField(_("title"), max_length=255)
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    # In the cart's currency, copied when the line was added (prices may change later).
    unit_price = models.DecimalField(_("unit price"), **MONEY_FIELD)
    fulfilment = models.CharField(
        _("fulfilment"), max_length=10, choices=Fulfilment.choices, default=Fulfilment.IN_STORE
    )
    discount_kind = models.CharField(_("discount"), max_length=8, choices=DiscountKind.choices,
                                     blank=True)
    discount_value = models.DecimalField(_("discount value"), max_digits=12, decimal_places=2,
                                         default=0)
    line_total = models.DecimalField(_("line total"), default=0, **MONEY_FIELD)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cart_line_quantity_gte_1")
        ]

    def __str__(self):
        return f"{self.quantity} × {self.title}"


class PaymentLink(models.Model):
    """The payment link of one cart version, and the pricing it was shared with.

    Unit prices and discounts live on the cart lines, which cannot change
    without starting a new version. Shipping and tax come from settings an
    admin may edit at any time, so they are frozen here when the version is
    shared: the customer's page, the provider's link and the recorded sale all
    price the version with these figures, and `amount` is their total.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Could not be created")

    cart = models.ForeignKey(Cart, models.CASCADE, related_name="payment_links", verbose_name=_("cart"))
    cart_version = models.PositiveIntegerField(_("cart version"))
    provider = models.CharField(_("provider"), max_length=16)
    reference = models.CharField(_("reference"), max_length=80, unique=True)
    provider_link_id = models.CharField(_("provider's link id"), max_length=80, blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY_FIELD)
    currency = models.CharField(_("currency"), max_length=3)
    # db_default too: bulk loaders that COPY rows need not know these columns.
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=6, decimal_places=3, default=0,
                                   db_default=0)
    prices_include_tax = models.BooleanField(_("prices include tax"), default=False, db_default=False)
    shipping_price = models.DecimalField(_("shipping price"), default=0, db_default=0, **MONEY_FIELD)
    shipping_name = models.CharField(_("shipping option"), max_length=80, blank=True, default="",
                                     db_default="")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    expires_at = models.DateTimeField(_("valid until"))
    idempotency_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True,
                                       editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Set once the provider confirmed the link no longer takes payments.
    remote_expired_at = models.DateTimeField(_("stopped at the provider"), null=True, blank=True)
    failure_reason = models.CharField(_("why it could not be created"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("payment link")
        verbose_name_plural = _("payment links")
        constraints = [
            models.UniqueConstraint(fields=["cart", "cart_version"], name="payment_link_per_version")
        ]

    def __str__(self):
        return self.reference


class PaymentEvent(models.Model):
    """A provider notification, recorded once by reference and event code."""

    provider = models.CharField(_("provider"), max_length=16)
    psp_reference = models.CharField(_("PSP reference"), max_length=80)
    event_code = models.CharField(_("event code"), max_length=40)  # the provider's own
    # In the interface's words: "payment" (acted on) or "other" (recorded only).
    kind = models.CharField(_("kind"), max_length=16, default="other")
    merchant_reference = models.CharField(_("merchant reference"), max_length=80, blank=True)
    success = models.BooleanField(_("success"), default=False)
    amount_minor = models.BigIntegerField(_("amount (minor units)"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    payload = models.JSONField(_("payload"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=120, blank=True)
    cart = models.ForeignKey(Cart, models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("cart"))

    class Meta:
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "psp_reference", "event_code"], name="payment_event_unique"
            )
        ]

    def __str__(self):
        return f"{self.event_code} {self.psp_reference}"
