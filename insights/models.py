"""Insights: next-best-action rules and daily feeds, sales credit and goals.

Feeds are built once a day per store (FeedRun claims the store's day), each associate's
suggestions ranked by rule priority then score. A sale is credited once (SaleCredit.sale is
unique), by the precedence in services/credit.py; a return is a credit of its own that
reverses the one it returns.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from catalog.money import MONEY_FIELD
from clienteling.models import Customer, Sale, Store, WishlistItem
from conversations.models import MessageTemplate


class Condition(models.TextChoices):
    """The fixed menu of conditions a rule can use (services/rules.py evaluates each)."""

    DATE_SOON = "date_soon", _("Birthday or anniversary in the next 7 days")
    WISHLIST = "wishlist", _("Wishlist item back in stock or reduced")
    NEW_ARRIVAL = "new_arrival", _("New arrival from a preferred designer or category")
    OVERDUE = "overdue", _("No purchase for longer than the usual interval")
    CHURN = "churn", _("High churn risk")
    UNPAID_CART = "unpaid_cart", _("Shared cart not paid")
    FOLLOW_UP = "follow_up", _("Follow-up due")
    APPOINTMENT = "appointment", _("Appointment tomorrow")


class Action(models.TextChoices):
    """The one-tap action a suggestion offers."""

    MESSAGE = "message", _("Open the composer")
    CART = "cart", _("Start a cart")
    FOLLOW_UP = "follow_up", _("Schedule a follow-up")
    APPOINTMENT = "appointment", _("Book an appointment")
    PROFILE = "profile", _("Open the customer")


class ActionRule(models.Model):
    name = models.CharField(_("name"), max_length=120)
    condition = models.CharField(_("condition"), max_length=16, choices=Condition.choices)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=10, help_text=_("1 comes first. A customer gets the first rule they match.")
    )
    threshold = models.DecimalField(
        _("threshold"),
        max_digits=4,
        decimal_places=3,
        default=0.6,
        help_text=_("Churn risk from 0 to 1 above which the churn rule applies; other rules ignore it."),
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices, default=Action.MESSAGE)
    template = models.ForeignKey(
        MessageTemplate,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("message template"),
        help_text=_("Put in the composer by the message action."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("next best action rule")
        verbose_name_plural = _("next best action rules")
        ordering = ["priority", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold__gte=0) & Q(threshold__lte=1), name="action_rule_threshold_0_1"
            )
        ]

    def __str__(self):
        return self.name


class InsightsSettings(models.Model):
    """The one row of insights settings (pk is always 1): attribution windows, feed size, leaderboard."""

    class Leaderboard(models.TextChoices):
        NONE = "none", _("Associates see only their own figures")
        OWN_RANK = "own_rank", _("Associates see their own figures and rank")
        FULL = "full", _("Associates see the full leaderboard")

    message_window_days = models.PositiveSmallIntegerField(
        _("conversation attribution window (days)"),
        default=14,
        help_text=_("A sale within this many days after an associate's message is credited to them."),
    )
    outreach_window_days = models.PositiveSmallIntegerField(
        _("outreach attribution window (days)"), default=14
    )
    appointment_window_days = models.PositiveSmallIntegerField(
        _("appointment attribution window (days)"), default=7
    )
    suggestion_window_days = models.PositiveSmallIntegerField(
        _("suggestion outcome window (days)"),
        default=14,
        help_text=_("Replies and sales this many days after a suggestion count as its outcome."),
    )
    feed_size = models.PositiveSmallIntegerField(_("suggestions per associate per day"), default=20)
    leaderboard = models.CharField(
        _("leaderboard for associates"),
        max_length=10,
        choices=Leaderboard.choices,
        default=Leaderboard.OWN_RANK,
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("insights settings")
        verbose_name_plural = _("insights settings")

    def __str__(self):
        return str(_("Insights settings"))

    @classmethod
    def load(cls) -> "InsightsSettings":
        found, _created = cls.objects.get_or_create(pk=1)
        return found

    def windows(self) -> dict[str, timedelta]:
        return {
            "conversation": timedelta(days=self.message_window_days),
            "outreach": timedelta(days=self.outreach_window_days),
            "appointment": timedelta(days=self.appointment_window_days),
        }


class FeedRun(models.Model):
    """A store's feeds for one local day: inserted once (the claim), so two beats never build twice."""

    store = models.ForeignKey(Store, models.CASCADE, related_name="+")
    day = models.DateField()
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    suggestions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "day"], name="feed_run_store_day")]


class Suggestion(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("To do")
        DONE = "done", _("Done")
        DISMISSED = "dismissed", _("Dismissed")
        SNOOZED = "snoozed", _("Snoozed")

    run = models.ForeignKey(FeedRun, models.CASCADE, related_name="+")
    day = models.DateField()
    associate = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    store = models.ForeignKey(Store, models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, models.CASCADE, related_name="+")
    rule = models.ForeignKey(ActionRule, models.SET_NULL, null=True, related_name="suggestions")
    condition = models.CharField(max_length=16, choices=Condition.choices)
    action = models.CharField(max_length=16, choices=Action.choices)
    reason = models.CharField(_("reason"), max_length=255)
    rank = models.PositiveSmallIntegerField(default=0)
    score = models.FloatField(default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    snoozed_until = models.DateField(null=True, blank=True)
    acted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Outcomes within InsightsSettings.suggestion_window_days (services/outcomes.py).
    replied_at = models.DateTimeField(null=True, blank=True)
    sale = models.ForeignKey(Sale, models.SET_NULL, null=True, blank=True, related_name="+")
    revenue = models.DecimalField(default=0, **MONEY_FIELD)
    currency = models.CharField(max_length=3, blank=True)

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["day", "associate", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["associate", "day", "customer"], name="suggestion_once_a_day")
        ]
        indexes = [
            models.Index(fields=["associate", "day", "rank"], name="suggestion_feed"),
            models.Index(fields=["customer", "-day"], name="suggestion_customer"),
            models.Index(fields=["store", "day"], name="suggestion_store_day"),
        ]

    def __str__(self):
        return self.reason


class WishlistWatch(models.Model):
    """What an active wishlist item looked like at the last feed build, so "back in stock"
    and "reduced" compare with it."""

    item = models.OneToOneField(WishlistItem, models.CASCADE, primary_key=True, related_name="+")
    available = models.IntegerField(default=0)
    price = models.DecimalField(**MONEY_FIELD)
    seen_on = models.DateField()


class CreditReason(models.TextChoices):
    SALESPERSON = "salesperson", _("Salesperson")
    CART = "cart", _("Remote cart")
    APPOINTMENT = "appointment", _("Appointment")
    CONVERSATION = "conversation", _("Conversation")
    OUTREACH = "outreach", _("Outreach")
    RETURN = "return", _("Return")


class SaleCredit(models.Model):
    """The one associate a sale (or a return) is credited to."""

    sale = models.OneToOneField(Sale, models.CASCADE, related_name="credit", verbose_name=_("sale"))
    associate = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("associate")
    )
    store = models.ForeignKey(Store, models.CASCADE, related_name="+", verbose_name=_("store"))
    customer = models.ForeignKey(Customer, models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=12, choices=CreditReason.choices)
    amount = models.DecimalField(_("amount"), **MONEY_FIELD)
    currency = models.CharField(_("currency"), max_length=3)
    credited_at = models.DateTimeField(_("sold at"))
    reverses = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="reversals", verbose_name=_("reverses")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sale credit")
        verbose_name_plural = _("sale credits")
        ordering = ["-credited_at"]
        indexes = [
            models.Index(fields=["store", "credited_at"], name="credit_store_time"),
            models.Index(fields=["associate", "credited_at"], name="credit_associate_time"),
            models.Index(fields=["customer", "-credited_at"], name="credit_customer_time"),
        ]


class CreditJob(models.Model):
    """A recompute of credits (after the rules changed), with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    since = models.DateTimeField(_("sales since"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    last_sale_id = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("credit recompute")
        verbose_name_plural = _("credit recomputes")
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))


class Metric(models.TextChoices):
    SALES = "sales", _("Sales credited")
    NEW_CLIENTS = "new_clients", _("New clients")
    MESSAGES_ANSWERED = "answered", _("Messages answered in time")
    APPOINTMENTS_HELD = "appointments", _("Appointments held")


class Goal(models.Model):
    """A target for a store, or for one associate of it, over a period of days (store time)."""

    store = models.ForeignKey(Store, models.CASCADE, related_name="+", verbose_name=_("store"))
    associate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("associate"),
        help_text=_("Empty: a goal for the whole store."),
    )
    metric = models.CharField(_("measure"), max_length=16, choices=Metric.choices)
    target = models.DecimalField(_("target"), **MONEY_FIELD)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    answer_within_hours = models.PositiveSmallIntegerField(
        _("answered within (hours)"), default=24, help_text=_("For the messages answered measure.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["-starts_on", "store", "associate", "metric"]
        permissions = [
            ("view_insights", _("Can use the next best action feed and the store dashboard")),
            ("manage_goals", _("Can set goals")),
            ("view_rule_report", _("Can see the next best action report")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="goal_period_order"),
            models.CheckConstraint(condition=Q(target__gt=0), name="goal_target_positive"),
        ]
        indexes = [models.Index(fields=["store", "starts_on", "ends_on"], name="goal_store_period")]

    def __str__(self):
        return f"{self.get_metric_display()} {self.starts_on}–{self.ends_on}"
