from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .customer import Customer
from .org import Store


class ActivityType(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    icon = models.CharField(_("icon"), max_length=40, default="calendar-event")
    position = models.PositiveIntegerField(_("display order"), default=0, db_index=True)
    counts_as_contact = models.BooleanField(
        _("counts as contact"), default=True,
        help_text=_("Logging this activity counts as reaching the customer."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("activity type")
        verbose_name_plural = _("activity types")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    @property
    def shown_name(self) -> str:
        """The name in the reader's language while it is the English one Atelier created the type
        with (clienteling.registry.activity_kinds); a name an admin wrote stays as written."""
        from django.utils import translation

        from ..registry import activity_kinds

        kind = activity_kinds.get(self.slug)
        if kind is not None:
            with translation.override("en"):
                english = str(kind.label)
            if self.name == english:
                return str(kind.label)
        return self.name


class Activity(models.Model):
    customer = models.ForeignKey(Customer, models.CASCADE, related_name="activities")
    activity_type = models.ForeignKey(
        ActivityType, models.PROTECT, related_name="activities", verbose_name=_("type")
    )
    store = models.ForeignKey(Store, models.SET_NULL, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    occurred_at = models.DateTimeField(_("when"))
    summary = models.CharField(_("summary"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    # A line an app wrote (clienteling.registry.timeline_texts): shown in the reader's language.
    text_key = models.CharField(max_length=60, blank=True, default="", db_default="")
    text_params = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="activity_customer_time"),
            models.Index(fields=["actor", "-occurred_at"], name="activity_actor_time"),
            # Today's "recently active": the newest activities first, index only.
            models.Index(fields=["occurred_at", "customer"], name="activity_time_customer"),
        ]

    @property
    def shown_summary(self) -> str:
        """The summary in the reader's language when an app wrote it; what was typed otherwise."""
        from ..registry import timeline_texts

        text = timeline_texts.get(self.text_key) if self.text_key else None
        if text is None:
            return self.summary
        try:
            return text.render(self.text_params or {})
        except (KeyError, TypeError, ValueError):  # parameters of an older shape: the stored line
            return self.summary


class Note(models.Model):
    customer = models.ForeignKey(Customer, models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="customer_notes"
    )
    store = models.ForeignKey(Store, models.SET_NULL, null=True, blank=True, related_name="+")
    body = models.TextField(_("note"))
    pinned = models.BooleanField(_("pinned"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-pinned", "-created_at"]
        indexes = [models.Index(fields=["customer", "-pinned", "-created_at"], name="note_customer")]


class Task(models.Model):
    """A follow-up for an associate about a customer."""

    customer = models.ForeignKey(Customer, models.CASCADE, related_name="tasks")
    title = models.CharField(_("title"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="tasks", verbose_name=_("assignee")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    store = models.ForeignKey(Store, models.SET_NULL, null=True, blank=True, related_name="+")
    due_on = models.DateField(_("due"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["customer", "due_on"], name="task_customer"),
            # Open follow-ups in page order (due, id): Today's first TASKS_SHOWN end the walk.
            models.Index(fields=["assignee", "due_on", "id"], name="task_open_due_order",
                         condition=Q(completed_at__isnull=True)),
        ]

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None
