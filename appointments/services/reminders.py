"""Confirmation emails and reminders (24 h and 2 h before) on the customer's consented channel.

A reminder is claimed by inserting its row (unique per appointment and kind) before anything is
sent, in its own transaction: a second beat, a retried task or two workers at once find the
row taken and send nothing. The send itself runs after that commit (no network call inside a
transaction). Email goes through Django's mail backend with the .ics attached; texts and
WhatsApp go through conversations' `message_send`, which applies the customer's consent and
opt-out (a refusal is recorded as skipped, with its reason).
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formataddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from catalog.db import fit
from clienteling.models import Channel, ConsentState, CustomerConsent
from conversations import services as conversation_services

from ..ics import appointment_ics, manage_url_for, store_address
from ..models import Appointment, AppointmentReminder, LocationKind

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReminderKind:
    kind: str
    lead: timedelta  # sent this long before the start
    booked_ahead: timedelta  # only for appointments booked at least this long before their start


REMINDERS = (
    ReminderKind(AppointmentReminder.Kind.DAY_BEFORE, timedelta(hours=24), timedelta(hours=26)),
    ReminderKind(AppointmentReminder.Kind.HOURS_BEFORE, timedelta(hours=2), timedelta(hours=3)),
)
BATCH = 200


def _language(customer) -> str:
    return customer.language or settings.LANGUAGE_CODE


def _context(appointment: Appointment) -> dict:
    local = appointment.starts_at.astimezone(appointment.store.tzinfo)
    return {
        "appointment": appointment, "store": appointment.store, "customer": appointment.customer,
        "type_name": appointment.appointment_type.name,
        "date": date_format(local, "DATE_FORMAT"), "time": date_format(local, "TIME_FORMAT"),
        "is_video": appointment.location_kind == LocationKind.VIDEO,
        "address": store_address(appointment.store),
        "associate": appointment.associate.get_full_name(),
        "manage_url": manage_url_for(appointment) if appointment.status == Appointment.Status.BOOKED else "",
    }


def _email_send(appointment: Appointment, *, subject: str, template: str, message_id: str) -> None:
    """Raises smtplib / OS errors for the caller to record or retry."""
    context = _context(appointment)
    body = render_to_string(template, context)
    from_address = settings.MESSAGING_EMAIL_FROM or settings.DEFAULT_FROM_EMAIL
    email = EmailMessage(subject=subject, body=body, to=[appointment.customer.email],
                         from_email=formataddr((appointment.store.name, from_address)),
                         headers={"Message-ID": f"<{message_id}@atelier>"})
    email.attach("appointment.ics", appointment_ics(appointment, manage_url=context["manage_url"]),
                 "text/calendar; charset=utf-8; method="
                 + ("CANCEL" if appointment.status == Appointment.Status.CANCELLED else "PUBLISH"))
    email.send(fail_silently=False)


def _email_allowed(customer) -> bool:
    consent = CustomerConsent.objects.filter(customer=customer, channel=Channel.EMAIL).first()
    return bool(customer.email) and not (consent and consent.state == ConsentState.OPTED_OUT)


def appointment_confirmation_send(*, appointment_id: int, event: str) -> bool:
    """The customer's email for a booking, a move or a cancellation, with the .ics. False when not sent
    (no email, opted out of email). The same Message-ID on a repeat lets mail systems drop it."""
    appointment = (Appointment.objects.select_related("store", "customer", "appointment_type", "associate")
                   .filter(pk=appointment_id).first())
    if appointment is None or not _email_allowed(appointment.customer):
        return False
    with translation.override(_language(appointment.customer)):
        subjects = {
            "booked": _("Your appointment at %(store)s is booked"),
            "moved": _("Your appointment at %(store)s has moved"),
            "cancelled": _("Your appointment at %(store)s is cancelled"),
        }
        subject = subjects.get(event, subjects["booked"]) % {"store": appointment.store.name}
        stamp = int(appointment.updated_at.timestamp())
        _email_send(appointment, subject=subject, template="appointments/email/confirmation.txt",
                    message_id=f"appointment-{appointment.pk}-{event}-{stamp}")
    return True


def _claim(appointment_id: int, kind: str, channel: str) -> AppointmentReminder | None:
    try:
        with transaction.atomic():
            return AppointmentReminder.objects.create(appointment_id=appointment_id, kind=kind,
                                                      channel=channel)
    except IntegrityError:
        return None  # already sent (or being sent) by another run


def _finish(reminder: AppointmentReminder, state: str, detail: str = "") -> None:
    AppointmentReminder.objects.filter(pk=reminder.pk).update(
        state=state, detail=fit(AppointmentReminder, "detail", detail))


def _text(appointment: Appointment) -> str:
    context = _context(appointment)
    return render_to_string("appointments/email/reminder_text.txt", context).strip()


def _reminder_send(appointment: Appointment, reminder: AppointmentReminder) -> None:
    customer = appointment.customer
    channel = appointment.reminder_channel
    with translation.override(_language(customer)):
        if channel == Channel.EMAIL:
            if not _email_allowed(customer):
                _finish(reminder, AppointmentReminder.State.SKIPPED, "no email, or opted out of email")
                return
            try:
                _email_send(appointment, subject=_("Reminder: your appointment at %(store)s")
                            % {"store": appointment.store.name},
                            template="appointments/email/reminder.txt",
                            message_id=f"appointment-{appointment.pk}-reminder-{reminder.kind}")
            except (smtplib.SMTPException, OSError) as exc:
                logger.warning("appointment %s: reminder email failed: %s", appointment.pk, exc)
                _finish(reminder, AppointmentReminder.State.FAILED, str(exc))
                return
            _finish(reminder, AppointmentReminder.State.SENT)
            return
        if channel in (Channel.SMS, Channel.WHATSAPP):
            if not customer.phone:
                _finish(reminder, AppointmentReminder.State.SKIPPED, "no mobile number")
                return
            try:
                conversation = conversation_services.conversation_get_or_create(
                    customer=customer, store=appointment.store, channel=channel)
                message = conversation_services.message_send(
                    conversation=conversation, sender=None, body=_text(appointment))
            except ValidationError as refused:  # SendBlocked: no opt-in, opted out, window closed
                _finish(reminder, AppointmentReminder.State.SKIPPED, " ".join(refused.messages))
                return
            _finish(reminder, AppointmentReminder.State.SENT, f"message {message.pk}")
            return
    _finish(reminder, AppointmentReminder.State.SKIPPED, "no reminder channel")


def appointment_reminders_send_due(*, now: datetime | None = None) -> dict[str, int]:
    """Send every reminder that is due now: once each, however often it runs. Returns counts per kind."""
    now = now or timezone.now()
    counts = {}
    for reminder_kind in REMINDERS:
        due = (Appointment.objects.filter(
            status=Appointment.Status.BOOKED, starts_at__gt=now, starts_at__lte=now + reminder_kind.lead,
            created_at__lte=F("starts_at") - reminder_kind.booked_ahead)
            .exclude(reminder_channel="")
            .exclude(reminders__kind=reminder_kind.kind))
        if reminder_kind.kind == AppointmentReminder.Kind.DAY_BEFORE:
            # Inside the last two hours the 2-hour reminder speaks; a late day-before one would repeat it.
            due = due.filter(starts_at__gt=now + timedelta(hours=2))
        sent = 0
        for appointment in due.select_related("store", "customer", "appointment_type", "associate")[:BATCH]:
            reminder = _claim(appointment.pk, reminder_kind.kind, appointment.reminder_channel)
            if reminder is None:
                continue
            _reminder_send(appointment, reminder)
            sent += 1
        counts[reminder_kind.kind] = sent
    return counts
