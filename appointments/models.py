"""Appointments: what can be booked, when a store and its staff are there, and the bookings.

Times are stored in UTC; opening and working hours are wall-clock times in the store's own
time zone (a 10:00 opening is 10:00 on both sides of a DST change).
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from clienteling.models import Customer, LegalEntity, Store


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class LocationKind(models.TextChoices):
    IN_STORE = "in_store", _("In store")
    VIDEO = "video", _("Video call")


def hash_token(token: str) -> str:
    """What is stored of a customer's manage token: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(24)


class AppointmentType(models.Model):
    legal_entity = models.ForeignKey(LegalEntity, models.CASCADE, related_name="appointment_types",
                                     verbose_name=_("legal entity"))
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=255, blank=True)
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), default=45, validators=[MinValueValidator(5), MaxValueValidator(8 * 60)])
    buffer_minutes = models.PositiveIntegerField(
        _("buffer (minutes)"), default=0, validators=[MaxValueValidator(4 * 60)],
        help_text=_("Time kept free after the appointment before the associate's next one."))
    location_kind = models.CharField(_("where"), max_length=16, choices=LocationKind.choices,
                                     default=LocationKind.IN_STORE)
    bookable_by_customers = models.BooleanField(
        _("bookable by customers"), default=True,
        help_text=_("Offered on the public booking pages; otherwise only associates book it."))
    notice_minutes = models.PositiveIntegerField(
        _("notice for customers (minutes)"), default=60, validators=[MaxValueValidator(14 * 24 * 60)],
        help_text=_("Customers book and move this type at least this long ahead, so the store is "
                    "never surprised. Associates may book any time."))
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("appointment type")
        verbose_name_plural = _("appointment types")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["legal_entity", "name"], name="appointment_type_unique_name"),
        ]

    def __str__(self):
        return self.name

    @property
    def notice(self) -> timedelta:
        return timedelta(minutes=self.notice_minutes)


class OpeningHours(models.Model):
    """One opening interval of a store on a weekday (two rows for a lunch break)."""

    store = models.ForeignKey(Store, models.CASCADE, related_name="opening_hours", verbose_name=_("store"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["store", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=F("opens")),
                                   name="opening_hours_closes_after_opens"),
            models.UniqueConstraint(fields=["store", "weekday", "opens"], name="opening_hours_unique_start"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class ClosedDay(models.Model):
    store = models.ForeignKey(Store, models.CASCADE, related_name="closed_days", verbose_name=_("store"))
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")
        ordering = ["store", "date"]
        constraints = [models.UniqueConstraint(fields=["store", "date"], name="closed_day_unique")]

    def __str__(self):
        return f"{self.store} {self.date}"


class WorkingHours(models.Model):
    """When a staff member can take appointments in a store on a weekday (store's wall clock)."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="working_hours",
                              verbose_name=_("staff member"))
    store = models.ForeignKey(Store, models.CASCADE, related_name="working_hours", verbose_name=_("store"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"))

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["staff", "store", "weekday", "starts"]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="working_hours_ends_after_starts"),
            models.UniqueConstraint(fields=["staff", "store", "weekday", "starts"],
                                    name="working_hours_unique_start"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"


class BookingPage(models.Model):
    """A public booking page of a store, or of one associate in it: /b/<token>/."""

    token = models.CharField(_("token"), max_length=64, unique=True, default=new_token, editable=False)
    store = models.ForeignKey(Store, models.CASCADE, related_name="booking_pages", verbose_name=_("store"))
    associate = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True,
                                  related_name="booking_pages", verbose_name=_("associate"))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("booking page")
        verbose_name_plural = _("booking pages")
        constraints = [
            models.UniqueConstraint(fields=["store", "associate"], name="booking_page_unique_associate"),
            models.UniqueConstraint(fields=["store"], condition=Q(associate__isnull=True),
                                    name="booking_page_unique_store"),
        ]

    def __str__(self):
        return f"{self.store} / {self.associate}" if self.associate_id else str(self.store)


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        HELD = "held", _("Held")
        NO_SHOW = "no_show", _("No-show")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        ASSOCIATE = "associate", _("Booked by an associate")
        CUSTOMER = "customer", _("Booked by the customer")

    customer = models.ForeignKey(Customer, models.CASCADE, related_name="appointments",
                                 verbose_name=_("customer"))
    store = models.ForeignKey(Store, models.PROTECT, related_name="appointments", verbose_name=_("store"))
    associate = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="appointments",
                                  verbose_name=_("associate"))
    appointment_type = models.ForeignKey(AppointmentType, models.PROTECT, related_name="appointments",
                                         verbose_name=_("type"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    # ends_at plus the type's buffer: the associate is busy until then (the exclusion constraint's range).
    blocked_until = models.DateTimeField(_("busy until"))
    location_kind = models.CharField(_("where"), max_length=16, choices=LocationKind.choices,
                                     default=LocationKind.IN_STORE)
    video_link = models.URLField(_("video link"), max_length=500, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.BOOKED)
    source = models.CharField(_("booked by"), max_length=16, choices=Source.choices, default=Source.ASSOCIATE)
    # Where the customer's reminders go: "email", "sms" or "whatsapp" (clienteling Channel), or
    # nothing (no reminders). A text channel also needs the customer's opt-in when it is sent.
    reminder_channel = models.CharField(_("reminders by"), max_length=16, blank=True)
    # SHA-256 of a random secret; the customer's manage link is signed and names it (see tokens.py).
    manage_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["associate", "starts_at"], name="appointment_associate_start"),
            models.Index(fields=["store", "starts_at"], name="appointment_store_start"),
            models.Index(fields=["customer", "starts_at"], name="appointment_customer_start"),
            models.Index(fields=["status", "starts_at"], name="appointment_status_start"),
            models.Index(fields=["manage_token_hash"], name="appointment_manage_token"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="appointment_ends_after_start"),
            models.CheckConstraint(condition=Q(blocked_until__gte=F("ends_at")),
                                   name="appointment_blocked_after_end"),
        ]
        # On PostgreSQL, migration 0001 adds appointment_no_overlap: an exclusion constraint on
        # (associate, tstzrange(starts_at, blocked_until)) for every appointment not cancelled.

    def __str__(self):
        return f"{self.appointment_type} · {self.customer} · {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status != self.Status.CANCELLED


class AppointmentReminder(models.Model):
    """One reminder of one appointment, recorded before it is sent: unique, so it goes once."""

    class Kind(models.TextChoices):
        DAY_BEFORE = "24h", _("24 hours before")
        HOURS_BEFORE = "2h", _("2 hours before")

    class State(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    appointment = models.ForeignKey(Appointment, models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.SENDING)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("appointment reminder")
        verbose_name_plural = _("appointment reminders")
        constraints = [
            models.UniqueConstraint(fields=["appointment", "kind"], name="appointment_reminder_once"),
        ]

    def __str__(self):
        return f"{self.appointment_id} {self.kind}"
