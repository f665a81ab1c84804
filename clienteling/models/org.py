import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from catalog.models import StockLocation
from clienteling.branding import HEX, MIN_CONTRAST, WHITE, contrast_ratio, validate_hex_colour


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
    # Branding of the customer-facing pages (cart, receipt, shared products, "my details", booking).
    logo = models.ImageField(
        _("logo"), upload_to="stores/logos/", blank=True,
        help_text=_("Shown on the customer-facing pages, on the primary colour: a light logo on a "
                    "transparent background, about 64 px high."),
    )
    brand_primary = models.CharField(
        _("primary colour"), max_length=7, blank=True, validators=[validate_hex_colour],
        help_text=_("The header and buttons of the customer-facing pages, e.g. #1f4c80; white text "
                    "must read on it. Empty: Atelier's ink."),
    )
    brand_accent = models.CharField(
        _("accent colour"), max_length=7, blank=True, validators=[validate_hex_colour],
        help_text=_("Links and highlights on a white page, e.g. #8a4b08. Empty: the primary colour."),
    )

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

    def clean(self):
        super().clean()
        errors = {}
        for field in ("brand_primary", "brand_accent"):
            value = getattr(self, field)
            if value and HEX.match(value) and contrast_ratio(value, WHITE) < MIN_CONTRAST:
                errors[field] = ValidationError(
                    _("White text on %(colour)s has a contrast of %(ratio).2f:1; it needs at least "
                      "%(minimum).1f:1. Choose a darker colour."),
                    params={"colour": value, "ratio": contrast_ratio(value, WHITE), "minimum": MIN_CONTRAST},
                    code="contrast")
        if errors:
            raise ValidationError(errors)

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
    # The permissions they hold; empty means the built-in role of their level.
    staff_role = models.ForeignKey(
        "StaffRole", models.PROTECT, null=True, blank=True, related_name="members",
        verbose_name=_("permissions role"),
        help_text=_("Empty: the built-in role's permissions. A role sets the level too."),
    )
    employee_code = models.CharField(_("employee code"), max_length=40, blank=True)
    language = models.CharField(
        _("language"), max_length=10, blank=True, choices=settings.LANGUAGES,
        help_text=_("Empty: the language the browser asks for."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")
        ordering = ["user__first_name", "user__last_name"]

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()

    def clean(self):
        # The role decides the level (which stores, what store rights): one choice, not two to agree.
        if self.staff_role_id:
            self.role = self.staff_role.level


class StaffRole(models.Model):
    """A named set of permissions staff hold, at a level that decides their store scope.

    Its permissions live on an auth Group, so Django's permission checks read them as
    they always have. The three built-in roles follow the code's table (clienteling.roles)
    without undoing what a Company Admin changed; added roles belong to the admins.
    """

    name = models.CharField(_("name"), max_length=150, unique=True)
    level = models.CharField(
        _("level"), max_length=20, choices=StaffProfile.Role.choices, default=StaffProfile.Role.ASSOCIATE,
        help_text=_("Which stores its members work in and whether they manage them."),
    )
    description = models.TextField(_("description"), blank=True)
    group = models.OneToOneField("auth.Group", models.PROTECT, related_name="staff_role", editable=False)
    built_in = models.BooleanField(_("built in"), default=False, editable=False)
    # What the code granted at the last sync: a later sync adds what the code newly grants
    # and drops what it stopped granting, and leaves the admins' own edits alone.
    code_defaults = models.JSONField(default=list, editable=False)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["-built_in", "level", "name"]
        constraints = [
            models.UniqueConstraint(fields=["level"], condition=models.Q(built_in=True),
                                    name="staff_role_one_built_in_per_level"),
        ]

    def __str__(self):
        return str(StaffProfile.Role(self.level).label) if self.built_in else self.name


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
