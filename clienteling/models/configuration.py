"""Company Admin configuration: module control, profile layout, card, lists."""

from contextlib import contextmanager

from asgiref.local import Local
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .attributes import AttributeGroup, CustomerAttribute
from .org import Store

_this_request = Local()


class ModuleSettings(models.Model):
    """The one row of clienteling module control (pk is always 1)."""

    customers_enabled = models.BooleanField(
        _("customer module"), default=True,
        help_text=_("Shows Customers and everything built on them in the console; off hides them."),
    )
    # The other apps' switches (clienteling.registry.module_switches), by key: on unless off.
    switches = models.JSONField(_("modules"), default=dict, blank=True)
    client_book_attribute_group = models.ForeignKey(
        AttributeGroup, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("client book attribute group"),
        help_text=_("Client book refinement and customer cards use this group's attributes (those "
                    "marked \"can be refined\" and \"show on customer card\"); a customer's profile "
                    "shows them only while the customer is in a client book. Empty: every attribute."),
    )
    # Measures a Company Admin keeps out of the customer list (its Columns menu, its filter form):
    # stored as what is hidden, so a measure Atelier adds later is offered until switched off.
    hidden_measure_columns = models.JSONField(_("measures not offered as list columns"),
                                              default=list, blank=True)
    hidden_measure_filters = models.JSONField(_("measures not offered as list filters"),
                                              default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("module settings")
        verbose_name_plural = _("module settings")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="module_settings_singleton")]

    def __str__(self):
        return str(_("Clienteling module control"))

    CACHE_KEY = "clienteling:module-settings"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)
        _this_request.module_settings = None

    def enabled(self, key: str) -> bool:
        """A registered module is on when the customer module is, unless switched off."""
        return self.customers_enabled and self.switches.get(key, True) is not False

    def offers_measure_column(self, measure: str) -> bool:
        return measure not in self.hidden_measure_columns

    def offers_measure_filter(self, measure: str) -> bool:
        return measure not in self.hidden_measure_filters

    @classmethod
    def load(cls) -> "ModuleSettings":
        """Read on every console request, so cached briefly; saving clears it.

        Menus, gates and buttons ask a dozen times a page: inside a request
        (`read_once_per_request`) the first answer serves the rest.
        """
        found = getattr(_this_request, "module_settings", None)
        if found is not None:
            return found
        found = cache.get(cls.CACHE_KEY)
        if found is None:
            found, _created = cls.objects.get_or_create(pk=1)
            cache.set(cls.CACHE_KEY, found, 30)
        if getattr(_this_request, "active", False):
            _this_request.module_settings = found
        return found

    @staticmethod
    @contextmanager
    def read_once_per_request():
        _this_request.active = True
        try:
            yield
        finally:
            _this_request.active = False
            _this_request.module_settings = None


class ListMeasure(models.TextChoices):
    """The computed measures the customer list can show as columns and filter on (admin-chosen)."""

    SEGMENT = "segment", _("Segment")
    CHURN_RISK = "churn_risk", _("Churn risk")
    PREDICTED_SPEND = "predicted_spend", _("Predicted spend 12 months")
    AVERAGE_ORDER_VALUE = "average_order_value", _("Average order value")
    ORDERS = "orders_count", _("Orders")
    USUAL_INTERVAL = "usual_interval", _("Usual purchase interval")
    NEXT_PURCHASE = "next_purchase", _("Next purchase expected")
    RECOMMENDATION_REASON = "recommendation_reason", _("Recommendation reason")


def profile_section_kind_choices():
    from clienteling.registry import profile_sections

    return profile_sections.choices()


class ProfileSection(models.Model):
    """One section of the customer profile, in the order admins chose."""

    kind = models.CharField(_("kind"), max_length=40, choices=profile_section_kind_choices)
    title = models.CharField(_("title"), max_length=80)
    position = models.PositiveIntegerField(_("position"), default=0, db_index=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    collapsed = models.BooleanField(_("collapsed by default"), default=False)

    class Meta:
        verbose_name = _("profile section")
        verbose_name_plural = _("customer profile layout")
        ordering = ["position", "id"]

    def __str__(self):
        return self.title

    @property
    def shown_title(self) -> str:
        """The title in the reader's language while it is still the one Atelier gave the section
        (stored in English by the data migrations); a title an admin wrote stays as written."""
        from django.utils import translation

        from ..registry import profile_sections

        if self.title in DEFAULT_SECTION_TITLES:
            return str(DEFAULT_SECTION_TITLES[self.title])
        if self.kind in profile_sections:
            label = profile_sections.get(self.kind).label
            with translation.override("en"):
                english = str(label)
            if self.title == english:
                return str(label)
        return self.title


# Default titles the data migrations stored that are not their kind's label.
DEFAULT_SECTION_TITLES = {"Preferences": _("Preferences"), "Purchase History": _("Purchase history")}


class ProfileSectionAttribute(models.Model):
    section = models.ForeignKey(ProfileSection, models.CASCADE, related_name="section_attributes")
    attribute = models.ForeignKey(CustomerAttribute, models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(_("position"), default=0)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("attribute in section")
        verbose_name_plural = _("attributes in section")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["section", "attribute"], name="section_attribute_unique")
        ]


class CustomerCardProperty(models.Model):
    """Up to three properties on the customer card: measures first, then attributes."""

    MAX_PROPERTIES = 3

    class Measure(models.TextChoices):
        LAST_PURCHASE = "last_purchase_at", _("Last purchase")
        SALES_12MO = "sales_12mo", _("Sales 12 months")
        SALES_ALL = "sales_all", _("Sales all time")
        CHURN_RISK = "churn_risk", _("Churn risk")
        PREDICTED_SPEND = "predicted_spend_12mo", _("Predicted spend")
        SEGMENT = "segment", _("Segment")
        AVERAGE_ORDER_VALUE = "average_order_value", _("Average order value")
        USUAL_INTERVAL = "usual_interval_days", _("Usual interval (days)")
        NEXT_PURCHASE = "next_purchase_window", _("Next purchase expected")
        DAYS_SINCE_PURCHASE = "days_since_last_purchase", _("Days since last purchase")
        ORDERS_COUNT = "orders_count", _("Orders")

    position = models.PositiveSmallIntegerField(_("position"), default=1)
    measure = models.CharField(_("measure"), max_length=32, choices=Measure.choices, blank=True)
    attribute = models.ForeignKey(
        CustomerAttribute, models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("customer card property")
        verbose_name_plural = _("customer card properties")
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(position__gte=1, position__lte=3), name="card_property_position_1_3"
            ),
            models.UniqueConstraint(fields=["position"], name="card_property_unique_position"),
            models.CheckConstraint(
                condition=(Q(measure="") & Q(attribute__isnull=False))
                | (~Q(measure="") & Q(attribute__isnull=True)),
                name="card_property_measure_xor_attribute",
            ),
        ]

    def __str__(self):
        return self.get_measure_display() if self.measure else str(self.attribute)

    def clean(self):
        if bool(self.measure) == bool(self.attribute_id):
            raise ValidationError(_("Choose either a measure or an attribute."))


class ExternalMeasuresSettings(models.Model):
    """Measures imported from another analytics product, per legal entity.

    An import that fails switches the settings off and says why; an admin turns them
    back on once the source is fixed.
    """

    class Match(models.TextChoices):
        EXTERNAL_ID = "external_id", _("External id")
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")

    legal_entity = models.OneToOneField(
        "clienteling.LegalEntity", models.CASCADE, related_name="external_measures_settings",
        verbose_name=_("legal entity"),
    )
    source_name = models.CharField(_("source name"), max_length=60)
    match_field = models.CharField(_("customer field that matches the external id"), max_length=12,
                                   choices=Match.choices, default=Match.EXTERNAL_ID)
    enabled = models.BooleanField(_("enabled"), default=True)
    disabled_reason = models.CharField(_("why it was switched off"), max_length=255, blank=True)
    disabled_at = models.DateTimeField(_("switched off at"), null=True, blank=True)

    class Meta:
        verbose_name = _("external measures settings")
        verbose_name_plural = _("external measures settings")

    def __str__(self):
        return self.source_name


class NumberSequence(models.Model):
    """A series of identifiers an admin shapes (Dynamics' number sequences): prefix, padding, next.

    Taken by `services.number_sequence_take` under a row lock in the transaction that
    creates the numbered row, so a rolled-back creation gives its number back: no gaps.
    """

    class Scope(models.TextChoices):
        CLIENT_BOOK = "client_book", _("Client books")

    MAX_PADDING = 12

    scope = models.CharField(_("numbers"), max_length=32, choices=Scope.choices, unique=True)
    prefix = models.CharField(_("prefix"), max_length=12, blank=True, default="CB-")
    padding = models.PositiveSmallIntegerField(
        _("digits"), default=6, help_text=_("Numbers are padded with zeros to this many digits."))
    next_number = models.PositiveBigIntegerField(_("next number"), default=1)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        ordering = ["scope"]
        constraints = [
            models.CheckConstraint(condition=Q(padding__gte=1, padding__lte=12),
                                   name="number_sequence_padding_1_12"),
            models.CheckConstraint(condition=Q(next_number__gte=1), name="number_sequence_next_positive"),
        ]

    def __str__(self):
        return self.get_scope_display()

    def format(self, number: int) -> str:
        return f"{self.prefix}{number:0{self.padding}d}"

    @property
    def next_identifier(self) -> str:
        return self.format(self.next_number)

    def clean(self):
        if not 1 <= (self.padding or 0) <= self.MAX_PADDING:
            raise ValidationError({"padding": _("Between 1 and %(max)s digits.") % {"max": self.MAX_PADDING}})
        if self.pk:
            saved = type(self).objects.filter(pk=self.pk).values("prefix", "padding", "next_number").first()
            # Going back would hand out identifiers already given; a new prefix starts a new series.
            if (saved and saved["prefix"] == self.prefix and saved["padding"] == self.padding
                    and self.next_number < saved["next_number"]):
                last = self.format(saved["next_number"] - 1)
                raise ValidationError({"next_number": _(
                    "Identifiers up to %(last)s are taken: the next number cannot go back. "
                    "Change the prefix to start a new series.") % {"last": last}})


class SavedCustomerList(models.Model):
    """A named filter definition evaluated live (never a frozen copy of rows)."""

    class TemplateStatus(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="saved_customer_lists"
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=255, blank=True)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    sort = models.CharField(_("sort"), max_length=40, blank=True)
    is_template = models.BooleanField(_("list template"), default=False)
    template_status = models.CharField(
        _("template status"), max_length=12, choices=TemplateStatus.choices, blank=True
    )
    store = models.ForeignKey(
        Store, models.CASCADE, null=True, blank=True, related_name="+",
        help_text=_("For templates: the store it is published to; empty for all stores."),
    )
    source_template = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("saved customer list")
        verbose_name_plural = _("saved customer lists")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_template=False, template_status="")
                | Q(is_template=True) & ~Q(template_status=""),
                name="saved_list_template_status",
            )
        ]

    def __str__(self):
        return self.name


class ListTemplate(SavedCustomerList):
    """Proxy for the admin: the published list templates associates copy."""

    class Meta:
        proxy = True
        verbose_name = _("list template")
        verbose_name_plural = _("list templates")


class GridPreference(models.Model):
    """The customer grid columns a user last chose outside a saved list."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    columns = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)


class BulkJob(models.Model):
    """A long bulk action run in Celery, with progress the console polls."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    action = models.CharField(_("action"), max_length=40)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    store = models.ForeignKey(Store, models.SET_NULL, null=True, blank=True, related_name="+")
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    succeeded = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bulk job")
        verbose_name_plural = _("bulk jobs")
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        return int(self.processed * 100 / self.total) if self.total else 100
