from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from catalog.money import MONEY_FIELD

from .org import LegalEntity, Store


def month_day_key(value: date | None) -> int | None:
    """MMDD as an integer, so "birthday within N days" is an indexed range scan."""
    return value.month * 100 + value.day if value else None


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("Email")


class SalesChannel(models.TextChoices):
    STORE = "store", _("Store")
    WEB = "web", _("Web")
    APP = "app", _("App")


class Tag(models.Model):
    """A customer tag; tags marked as outreach lists drive campaigns."""

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    is_outreach_list = models.BooleanField(
        _("outreach list"), default=False,
        help_text=_("Show this tag to associates as an outreach list (campaign)."),
    )
    store = models.ForeignKey(
        Store, models.CASCADE, null=True, blank=True, related_name="tags",
        help_text=_("Leave empty for a global tag or campaign visible in every store."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self):
        return self.name


class MailingList(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("mailing list")
        verbose_name_plural = _("mailing lists")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Customer(models.Model):
    legal_entity = models.ForeignKey(LegalEntity, models.PROTECT, related_name="customers")
    external_id = models.CharField(
        _("external id"), max_length=64, null=True, blank=True,
        help_text=_("Identifier in the POS or e-commerce system."),
    )
    first_name = models.CharField(_("first name"), max_length=80, blank=True)
    last_name = models.CharField(_("last name"), max_length=80, blank=True)
    profile_name = models.CharField(
        _("messaging profile name"), max_length=120, blank=True, db_default="",
        help_text=_("The name the customer's messaging app gave (WhatsApp), shown until a name is set."),
    )
    email = models.EmailField(_("email"), max_length=254, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    can_receive_texts = models.BooleanField(_("can receive texts"), default=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    anniversary = models.DateField(_("anniversary"), null=True, blank=True)
    partner_name = models.CharField(_("partner name"), max_length=120, blank=True)
    partner_birth_date = models.DateField(_("partner birthday"), null=True, blank=True)
    address_line1 = models.CharField(_("address line 1"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    state = models.CharField(_("state / region"), max_length=100, blank=True)
    zip_code = models.CharField(_("ZIP / postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    home_store = models.ForeignKey(
        Store, models.PROTECT, null=True, blank=True, related_name="home_customers",
        verbose_name=_("home store"),
    )
    primary_salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
        related_name="primary_customers", verbose_name=_("primary salesperson"),
    )
    primary_account = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="linked_accounts",
        verbose_name=_("primary account"),
        help_text=_("Set on a secondary account to link it to the customer's primary account."),
    )
    balance = models.DecimalField(_("balance"), default=0, **MONEY_FIELD)
    credit_balance = models.DecimalField(_("credit balance"), default=0, **MONEY_FIELD)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    tags = models.ManyToManyField(Tag, through="CustomerTag", blank=True, related_name="customers")
    mailing_lists = models.ManyToManyField(
        MailingList, through="CustomerMailingList", blank=True, related_name="customers"
    )
    is_prospect = models.BooleanField(
        _("prospect"), default=False,
        help_text=_("Created from a first message by an unknown number."),
    )
    language = models.CharField(_("preferred language"), max_length=10, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
        related_name="created_customers", verbose_name=_("created by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Set when the customer's personal data was erased on their request (the row stays,
    # anonymous, so sales still add up in reports).
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True, editable=False)
    # Month-and-day keys kept by save(); see month_day_key().
    birthday_key = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    anniversary_key = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    partner_birthday_key = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["last_name", "first_name", "id"]
        permissions = [
            ("view_customer_profile", _("Can view customer profiles")),
            ("view_sensitive_customer_data", _("Can view sensitive customer data")),
            ("assign_customer", _("Can assign customers to staff")),
            ("view_own_client_book", _("Can view own client book")),
            ("view_store_client_book", _("Can view store client books")),
            ("add_to_client_book", _("Can add customers to client books")),
            ("remove_from_client_book", _("Can remove customers from client books")),
            ("reassign_client_book", _("Can reassign client book customers")),
            ("export_customers", _("Can export customer lists")),
            ("manage_list_templates", _("Can manage customer list templates")),
            ("export_personal_data", _("Can export a customer's personal data")),
            ("erase_personal_data", _("Can erase a customer's personal data")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["legal_entity", "external_id"], name="customer_unique_external_id",
                condition=Q(external_id__isnull=False),
            ),
            models.CheckConstraint(
                condition=~Q(primary_account=models.F("id")), name="customer_not_own_primary"
            ),
        ]
        indexes = [
            models.Index(fields=["last_name", "first_name", "id"], name="customer_name_order"),
            # A page of found customers (several tags, a search) sorts them by name first and
            # reads their rows after: this index alone answers "whose, erased, named what".
            models.Index(fields=["id"], include=["legal_entity", "erased_at", "last_name", "first_name"],
                         name="customer_id_names"),
            # The other sortable grid columns, each with the id as tie-break (keyset pages).
            models.Index(fields=["created_at", "id"], name="customer_created_order"),
            models.Index(fields=["first_name", "id"], name="customer_first_name_order"),
            models.Index(fields=["city", "id"], name="customer_city_order"),
            models.Index(fields=["state", "id"], name="customer_state_order"),
            models.Index(fields=["balance", "id"], name="customer_balance_order"),
            models.Index(fields=["credit_balance", "id"], name="customer_credit_order"),
            models.Index(fields=["email"], name="customer_email"),
            models.Index(fields=["phone"], name="customer_phone"),
            models.Index(fields=["primary_salesperson", "last_name"], name="customer_primary_sp"),
            models.Index(fields=["home_store"], name="customer_home_store"),
            models.Index(fields=["birthday_key"], name="customer_birthday_key"),
            models.Index(fields=["anniversary_key"], name="customer_anniversary_key"),
            models.Index(fields=["partner_birthday_key"], name="customer_partner_bday_key"),
            # Today's "dates this week": a run of days read in display order, index only.
            models.Index(fields=["legal_entity", "birthday_key", "last_name", "first_name", "id"],
                         include=["anniversary_key"], condition=Q(birthday_key__isnull=False),
                         name="customer_birthday_week"),
            models.Index(fields=["legal_entity", "anniversary_key", "last_name", "first_name", "id"],
                         include=["birthday_key"], condition=Q(anniversary_key__isnull=False),
                         name="customer_anniversary_week"),
        ]

    def __str__(self):
        # Never the phone or email: a name is shown to everyone, contact details only to
        # users who may see them (a prospect from a first text has no name).
        return self.full_name or self.profile_name or self.anonymous_label

    def save(self, *args, **kwargs):
        self.sync_derived_fields()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {
                "birthday_key", "anniversary_key", "partner_birthday_key"
            }
        super().save(*args, **kwargs)

    @property
    def anonymous_label(self) -> str:
        if self.erased_at:
            return _("Erased customer #%(id)s") % {"id": self.pk}
        if self.phone:
            tail = "•••• " + str(self.phone)[-2:]
        elif self.email and "@" in self.email:
            tail = f"{self.email[:1]}•••@•••"
        else:
            tail = f"#{self.pk}" if self.pk else ""
        if self.is_prospect:
            return _("Prospect %(masked)s") % {"masked": tail}
        return _("Customer %(masked)s") % {"masked": tail}

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_primary_account(self) -> bool:
        return self.primary_account_id is None

    def sync_derived_fields(self) -> None:
        """Recompute denormalised keys; bulk writers call this before bulk_create."""
        self.birthday_key = month_day_key(self.birth_date)
        self.anniversary_key = month_day_key(self.anniversary)
        self.partner_birthday_key = month_day_key(self.partner_birth_date)


class CustomerTag(models.Model):
    customer = models.ForeignKey(Customer, models.CASCADE)
    tag = models.ForeignKey(Tag, models.CASCADE)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tag", "customer"], name="customer_tag_unique")]
        indexes = [models.Index(fields=["customer"], name="customer_tag_customer")]


class CustomerMailingList(models.Model):
    customer = models.ForeignKey(Customer, models.CASCADE)
    mailing_list = models.ForeignKey(MailingList, models.CASCADE)
    subscribed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mailing_list", "customer"], name="customer_mailing_list_unique"
            )
        ]
        indexes = [models.Index(fields=["customer"], name="customer_mlist_customer")]


class ConsentState(models.TextChoices):
    UNKNOWN = "unknown", _("Not asked")
    REQUESTED = "requested", _("Opt-in requested")
    OPTED_IN = "opted_in", _("Opted in")
    OPTED_OUT = "opted_out", _("Opted out")


class CustomerConsent(models.Model):
    """Consent per channel, with when and how it was given or withdrawn."""

    class Source(models.TextChoices):
        KEYWORD = "keyword", _("Customer replied with a keyword")
        OPT_IN_REPLY = "opt_in_reply", _("Customer answered the opt-in request")
        ASSOCIATE = "associate", _("Recorded by an associate")
        IMPORT = "import", _("Import")
        PROVIDER = "provider", _("Provider reported")
        WEB = "web", _("Web or app sign-up")
        ADMIN = "admin", _("Admin")

    customer = models.ForeignKey(Customer, models.CASCADE, related_name="consents")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=ConsentState.choices, default=ConsentState.UNKNOWN
    )
    changed_at = models.DateTimeField(_("changed"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    detail = models.CharField(_("detail"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(fields=["customer", "channel"], name="consent_unique_channel")
        ]
        indexes = [models.Index(fields=["channel", "state"], name="consent_channel_state")]



class ConsentChange(models.Model):
    """One change of a customer's consent on a channel. The history is only ever added to.

    CustomerConsent holds the current state (what the rules and list filters read);
    each change to it adds a row here: what, how, who, when, and the message behind it.
    """

    customer = models.ForeignKey(Customer, models.CASCADE, related_name="consent_changes",
                                 verbose_name=_("customer"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    state = models.CharField(_("state"), max_length=16, choices=ConsentState.choices)
    source = models.CharField(_("source"), max_length=16, choices=CustomerConsent.Source.choices)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("changed by"))
    changed_at = models.DateTimeField(_("changed"))
    # The message that caused it (a keyword, an opt-in reply, a provider error), by id:
    # conversations sits above clienteling and registers the meaning.
    message_id = models.PositiveBigIntegerField(_("message"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent change")
        verbose_name_plural = _("consent history")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["customer", "-changed_at"], name="consent_change_customer")]

    def __str__(self):
        return f"{self.get_channel_display()}: {self.get_state_display()}"

class CustomerContactHistory(models.Model):
    """Facts about contact with a customer that list filters and columns need.

    Conversations writes these through clienteling.services, so the customer
    list never joins into the conversations tables.
    """

    customer = models.OneToOneField(
        Customer, models.CASCADE, primary_key=True, related_name="contact_history"
    )
    last_text_at = models.DateTimeField(null=True, blank=True)
    last_text_preview = models.CharField(max_length=160, blank=True)
    last_text_inbound = models.BooleanField(default=False)
    last_marketing_at = models.DateTimeField(null=True, blank=True)
    last_marketing_sms_at = models.DateTimeField(null=True, blank=True)
    last_marketing_whatsapp_at = models.DateTimeField(null=True, blank=True)
    last_marketing_email_at = models.DateTimeField(null=True, blank=True)
    sms_consent = models.CharField(
        max_length=16, choices=ConsentState.choices, default=ConsentState.UNKNOWN
    )
    whatsapp_consent = models.CharField(
        max_length=16, choices=ConsentState.choices, default=ConsentState.UNKNOWN
    )
    email_consent = models.CharField(
        max_length=16, choices=ConsentState.choices, default=ConsentState.UNKNOWN
    )
    next_scheduled_text_at = models.DateTimeField(null=True, blank=True)
    # Any message either way on any channel, and any activity of a type that counts as
    # contact; last_contact_at is the later of the two (what the list filters and sorts on).
    last_message_at = models.DateTimeField(null=True, blank=True)
    last_activity_contact_at = models.DateTimeField(null=True, blank=True)
    last_contact_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contact history")
        verbose_name_plural = _("contact histories")
        indexes = [
            models.Index(fields=["last_marketing_at"], name="contact_last_marketing"),
            models.Index(fields=["sms_consent"], name="contact_sms_consent"),
            # Today's "recently active": the newest texts first, index only.
            models.Index(fields=["last_text_at", "customer"],
                         include=["last_text_inbound", "last_marketing_at"],
                         name="contact_recent_text"),
            # "Communication within" and the Last Contact column, sorted with the customer as tie-break.
            models.Index(fields=["last_contact_at", "customer"], name="contact_last_contact"),
        ]


class Segment(models.TextChoices):
    """RFM segments, from the recency/frequency/monetary scores (clienteling.measures.rfm)."""

    CHAMPIONS = "champions", _("Champions")
    LOYAL = "loyal", _("Loyal")
    POTENTIAL_LOYALIST = "potential_loyalist", _("Potential loyalist")
    NEW = "new", _("New")
    AT_RISK = "at_risk", _("At risk")
    CANT_LOSE = "cant_lose", _("Can't lose")
    HIBERNATING = "hibernating", _("Hibernating")
    LOST = "lost", _("Lost")


class CustomerMeasures(models.Model):
    """Figures computed from purchase history: sales windows and measures.

    Rolling windows (6/12/24 months) go stale as days pass, so a beat task
    refreshes rows whose `computed_on` is older than today; recording a sale
    refreshes that customer at once.
    """

    customer = models.OneToOneField(
        Customer, models.CASCADE, primary_key=True, related_name="measures"
    )
    last_purchase_at = models.DateTimeField(null=True, blank=True)
    last_goods_sale_at = models.DateTimeField(null=True, blank=True)
    sales_6mo = models.DecimalField(default=0, **MONEY_FIELD)
    sales_12mo = models.DecimalField(default=0, **MONEY_FIELD)
    sales_24mo = models.DecimalField(default=0, **MONEY_FIELD)
    sales_all = models.DecimalField(default=0, **MONEY_FIELD)
    orders_count = models.PositiveIntegerField(default=0)
    churn_risk = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    predicted_spend_12mo = models.DecimalField(null=True, blank=True, **MONEY_FIELD)
    next_best_action = models.CharField(max_length=120, blank=True)
    recommendation_reason = models.CharField(max_length=255, blank=True)
    computed_on = models.DateField(null=True, blank=True, db_index=True)
    # Filled by clienteling.measures (see docs/insights-measures.md).
    first_purchase_at = models.DateTimeField(null=True, blank=True)
    average_order_value = models.DecimalField(null=True, blank=True, **MONEY_FIELD)
    # Median days between two orders; None below two orders.
    usual_interval_days = models.PositiveIntegerField(null=True, blank=True)
    rfm_recency = models.PositiveSmallIntegerField(null=True, blank=True)
    rfm_frequency = models.PositiveSmallIntegerField(null=True, blank=True)
    rfm_monetary = models.PositiveSmallIntegerField(null=True, blank=True)
    segment = models.CharField(_("segment"), max_length=20, choices=Segment.choices, blank=True)
    # Top three by goods spend, best first.
    preferred_designer_ids = models.JSONField(default=list, blank=True)
    preferred_category_ids = models.JSONField(default=list, blank=True)
    next_purchase_from = models.DateField(null=True, blank=True)
    next_purchase_to = models.DateField(null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("customer measures")
        verbose_name_plural = _("customer measures")
        # (value, customer): the grid sorts on these with the customer as tie-break, and
        # a keyset page starts its index walk at the cursor (see clienteling.paging).
        indexes = [
            models.Index(fields=["last_goods_sale_at", "customer"], name="measures_last_goods_sale"),
            models.Index(fields=["sales_6mo", "customer"], name="measures_sales_6mo"),
            models.Index(fields=["sales_12mo", "customer"], name="measures_sales_12mo"),
            models.Index(fields=["sales_24mo", "customer"], name="measures_sales_24mo"),
            models.Index(fields=["sales_all", "customer"], name="measures_sales_all"),
            # Today's "recently active": the newest purchases first, index only.
            models.Index(fields=["last_purchase_at", "customer"], name="measures_recent_purchase"),
            # List filters and sorts: "segment is at risk", "churn risk above 60 %".
            models.Index(fields=["segment", "customer"], name="measures_segment"),
            models.Index(fields=["churn_risk", "customer"], name="measures_churn_risk"),
        ]

    @property
    def next_purchase_window(self) -> tuple[date, date] | None:
        if self.next_purchase_from is None or self.next_purchase_to is None:
            return None
        return self.next_purchase_from, self.next_purchase_to

    @property
    def days_since_last_purchase(self) -> int | None:
        from django.utils import timezone

        if self.last_purchase_at is None:
            return None
        return max((timezone.now() - self.last_purchase_at).days, 0)


class MeasuresModel(models.Model):
    """A fitted churn classifier and spend regressor; every process scores with the newest."""

    fitted_at = models.DateTimeField(_("fitted at"), auto_now_add=True)
    cutoff = models.DateField(_("cutoff"))
    horizon_days = models.PositiveIntegerField(_("horizon (days)"))
    features = models.JSONField(_("features"), default=list)
    # joblib bytes of {"churn": classifier, "spend": regressor}.
    payload = models.BinaryField()
    quality = models.JSONField(_("quality"), default=dict)
    training_rows = models.PositiveIntegerField(_("training rows"), default=0)

    class Meta:
        verbose_name = _("measures model")
        verbose_name_plural = _("measures models")
        ordering = ["-fitted_at", "-id"]

    def __str__(self):
        return f"{self.fitted_at:%Y-%m-%d %H:%M}"


class ExternalMeasure(models.Model):
    """A per-customer measure imported from another analytics product."""

    customer = models.ForeignKey(Customer, models.CASCADE, related_name="external_measures")
    source = models.CharField(_("source"), max_length=60)
    name = models.CharField(_("measure"), max_length=80)
    value = models.CharField(_("value"), max_length=255)
    imported_at = models.DateTimeField(_("imported at"))

    class Meta:
        verbose_name = _("external measure")
        verbose_name_plural = _("external measures")
        ordering = ["source", "name"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "source", "name"],
                                    name="external_measure_unique"),
        ]

    def __str__(self):
        return f"{self.source}: {self.name} = {self.value}"
