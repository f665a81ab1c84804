import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from catalog.models import StockLocation


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class LegalEntity(models.Model):
    """The company that owns customers and client books in one jurisdiction."""

    name = models.CharField(_("name"), max_length=160, unique=True)
    code = models.SlugField(_("code"), max_length=32, unique=True)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 code, e.g. US"))
    default_currency = models.CharField(_("default currency"), max_length=3, default="USD")

    class Meta:
        verbose_name = _("legal entity")
        verbose_name_plural = _("legal entities")
        ordering = ["name"]

    def __str__(self):
        return self.name


class StoreGroup(models.Model):
    """Stores that share one store client book view."""

    legal_entity = models.ForeignKey(LegalEntity, models.PROTECT, related_name="store_groups")
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("store group")
        verbose_name_plural = _("store groups")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["legal_entity", "name"], name="store_group_unique_name")
        ]

    def __str__(self):
        return self.name


class Store(models.Model):
    legal_entity = models.ForeignKey(LegalEntity, models.PROTECT, related_name="stores")
    group = models.ForeignKey(
        StoreGroup, models.SET_NULL, null=True, blank=True, related_name="stores",
        verbose_name=_("store group"),
    )
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_timezone]
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 code, e.g. US"))
    address_line1 = models.CharField(_("address line 1"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    state = models.CharField(_("state / region"), max_length=100, blank=True)
    zip_code = models.CharField(_("ZIP / postal code"), max_length=20, blank=True)
    clienteling_phone = PhoneNumberField(_("clienteling phone number"), blank=True)
    stock_location = models.OneToOneField(
        StockLocation, models.PROTECT, null=True, blank=True, related_name="store",
        verbose_name=_("stock location"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["name"]
        permissions = [
            ("work_in_store", _("Work in this store")),
            ("manage_store", _("Manage this store")),
        ]

    def __str__(self):
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class StaffProfile(models.Model):
    class Role(models.TextChoices):
        COMPANY_ADMIN = "company_admin", _("Company Admin")
        STORE_MANAGER = "store_manager", _("Store Manager")
        ASSOCIATE = "associate", _("Associate")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="staff_profile"
    )
    legal_entity = models.ForeignKey(LegalEntity, models.PROTECT, related_name="staff")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.ASSOCIATE)
    home_store = models.ForeignKey(
        Store, models.PROTECT, null=True, blank=True, related_name="home_staff",
        verbose_name=_("home store"),
    )
    stores = models.ManyToManyField(
        Store, blank=True, related_name="staff", verbose_name=_("stores they work in")
    )
    employee_code = models.CharField(_("employee code"), max_length=40, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")
        ordering = ["user__first_name", "user__last_name"]

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()


class Shift(models.Model):
    """An associate on the floor; round-robin assignment picks among them."""

    store = models.ForeignKey(Store, models.CASCADE, related_name="shifts")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        indexes = [models.Index(fields=["store", "starts_at", "ends_at"], name="shift_store_time")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            )
        ]
