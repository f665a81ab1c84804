"""Admin-defined customer attributes.

Values live in a typed value table (one column per type) rather than JSONB:
every filter the listing offers is an indexed btree lookup on
(attribute, typed value, customer) — ranges on dates and numbers included —
which JSONB containment (GIN) cannot serve without per-attribute expression
indexes created at run time. It is also the same SQL on SQLite and PostgreSQL.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from .customer import Customer


class AttributeGroup(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    position = models.PositiveIntegerField(_("display order"), default=0, db_index=True)

    class Meta:
        verbose_name = _("attribute group")
        verbose_name_plural = _("attribute groups")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class CustomerAttribute(models.Model):
    class DataType(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DECIMAL = "decimal", _("Decimal")
        BOOLEAN = "boolean", _("Yes / no")
        DATE = "date", _("Date")
        SINGLE_CHOICE = "single_choice", _("Single choice")
        MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(
        _("slug"), max_length=100, unique=True, blank=True,
        help_text=_("Generated from the name; never changes once saved."),
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    data_type = models.CharField(_("type"), max_length=20, choices=DataType.choices)
    allows_multiple = models.BooleanField(_("accepts multiple values"), default=False)
    customer_editable = models.BooleanField(
        _("customer editable"), default=False,
        help_text=_("Customers may change this value themselves (web, app)."),
    )
    channel_store = models.BooleanField(_("store channel"), default=True)
    channel_web = models.BooleanField(_("web channel"), default=False)
    channel_app = models.BooleanField(_("app channel"), default=False)
    enabled_as_filter = models.BooleanField(
        _("enabled as a filter in customer listing"), default=False
    )
    can_be_refined = models.BooleanField(
        _("can be refined"), default=False,
        help_text=_("Offered as a filter in client books."),
    )
    show_on_card = models.BooleanField(_("show on customer card"), default=False)
    group = models.ForeignKey(
        AttributeGroup, models.SET_NULL, null=True, blank=True, related_name="attributes",
        verbose_name=_("attribute group"),
    )
    position = models.PositiveIntegerField(_("display order"), default=0, db_index=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("customer attribute")
        verbose_name_plural = _("customer attributes")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self._unique_slug()
        elif self.pk:
            # The slug is an identifier used in saved lists and URLs: it is frozen.
            saved_slug = type(self).objects.filter(pk=self.pk).values_list("slug", flat=True).first()
            if saved_slug:
                self.slug = saved_slug
        super().save(*args, **kwargs)

    @property
    def is_choice(self) -> bool:
        return self.data_type in (self.DataType.SINGLE_CHOICE, self.DataType.MULTIPLE_CHOICE)

    @property
    def is_multi_valued(self) -> bool:
        return self.allows_multiple or self.data_type == self.DataType.MULTIPLE_CHOICE

    def clean(self):
        if self.data_type == self.DataType.BOOLEAN and self.allows_multiple:
            raise ValidationError(
                {"allows_multiple": _("A yes/no attribute holds a single value.")}
            )
        if self.pk:
            saved = type(self).objects.filter(pk=self.pk).values("slug", "data_type").first()
            if saved and saved["data_type"] != self.data_type and self.values.exists():
                raise ValidationError(
                    {"data_type": _("The type cannot change once customers have values.")}
                )

    def _unique_slug(self) -> str:
        base = slugify(self.name)[:90] or "attribute"
        slug, n = base, 2
        while type(self).objects.filter(slug=slug).exclude(pk=self.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug


class AttributeOption(models.Model):
    attribute = models.ForeignKey(CustomerAttribute, models.CASCADE, related_name="options")
    value = models.SlugField(_("value"), max_length=100)
    label = models.CharField(_("label"), max_length=120)
    position = models.PositiveIntegerField(_("display order"), default=0)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["attribute", "value"], name="attribute_option_unique")
        ]

    def __str__(self):
        return self.label


class CustomerAttributeValue(models.Model):
    """One typed value; multi-valued attributes have one row per value."""

    customer = models.ForeignKey(Customer, models.CASCADE, related_name="attribute_values")
    attribute = models.ForeignKey(CustomerAttribute, models.CASCADE, related_name="values")
    value_text = models.CharField(max_length=500, null=True, blank=True)
    value_int = models.BigIntegerField(null=True, blank=True)
    value_decimal = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    value_bool = models.BooleanField(null=True, blank=True)
    value_date = models.DateField(null=True, blank=True)
    option = models.ForeignKey(
        AttributeOption, models.CASCADE, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attribute value")
        verbose_name_plural = _("attribute values")
        constraints = [
            # Exactly one typed column holds the value.
            models.CheckConstraint(
                condition=(
                    Q(value_text__isnull=False, value_int__isnull=True, value_decimal__isnull=True,
                      value_bool__isnull=True, value_date__isnull=True, option__isnull=True)
                    | Q(value_text__isnull=True, value_int__isnull=False, value_decimal__isnull=True,
                        value_bool__isnull=True, value_date__isnull=True, option__isnull=True)
                    | Q(value_text__isnull=True, value_int__isnull=True, value_decimal__isnull=False,
                        value_bool__isnull=True, value_date__isnull=True, option__isnull=True)
                    | Q(value_text__isnull=True, value_int__isnull=True, value_decimal__isnull=True,
                        value_bool__isnull=False, value_date__isnull=True, option__isnull=True)
                    | Q(value_text__isnull=True, value_int__isnull=True, value_decimal__isnull=True,
                        value_bool__isnull=True, value_date__isnull=False, option__isnull=True)
                    | Q(value_text__isnull=True, value_int__isnull=True, value_decimal__isnull=True,
                        value_bool__isnull=True, value_date__isnull=True, option__isnull=False)
                ),
                name="attribute_value_one_typed_column",
            ),
            models.UniqueConstraint(
                fields=["customer", "attribute", "option"], name="attribute_value_unique_option",
                condition=Q(option__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "attribute"], name="attrval_customer"),
            models.Index(fields=["attribute", "value_date", "customer"], name="attrval_date"),
            models.Index(fields=["attribute", "value_int", "customer"], name="attrval_int"),
            models.Index(fields=["attribute", "value_decimal", "customer"], name="attrval_decimal"),
            models.Index(fields=["attribute", "option", "customer"], name="attrval_option"),
            models.Index(fields=["attribute", "value_bool", "customer"], name="attrval_bool"),
        ]

    @property
    def value(self):
        for column in ("value_text", "value_int", "value_decimal", "value_bool", "value_date"):
            found = getattr(self, column)
            if found is not None:
                return found
        return self.option
