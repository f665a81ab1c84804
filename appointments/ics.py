"""The calendar invitation (.ics, RFC 5545) of an appointment, made with the icalendar package.

Times are written in UTC, which every calendar converts to its owner's zone; the UID stays the
same for the appointment's whole life and SEQUENCE grows with each change, so a moved or
cancelled appointment updates the event already in the customer's calendar.
"""

from datetime import UTC

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from catalog.links import public_url

from .models import Appointment, LocationKind
from .tokens import manage_token

PRODID = "-//Atelier//Appointments//EN"


def appointment_uid(appointment: Appointment) -> str:
    return f"appointment-{appointment.pk}@atelier"


def store_address(store) -> str:
    parts = [store.address_line1, store.address_line2, " ".join(p for p in (store.zip_code, store.city) if p),
             store.state, store.country]
    return ", ".join(p for p in parts if p)


def appointment_ics(appointment: Appointment, *, manage_url: str = "") -> bytes:
    """The invitation; METHOD:CANCEL with STATUS:CANCELLED once cancelled."""
    cancelled = appointment.status == Appointment.Status.CANCELLED
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", appointment_uid(appointment))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.starts_at.astimezone(UTC))
    event.add("dtend", appointment.ends_at.astimezone(UTC))
    event.add("sequence", int((appointment.updated_at or timezone.now()).timestamp()) % 2_000_000_000)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    store = appointment.store
    event.add("summary", _("%(type)s at %(store)s") % {"type": appointment.appointment_type.name,
                                                       "store": store.name})
    if appointment.location_kind == LocationKind.VIDEO:
        event.add("location", appointment.video_link or _("Video call (the link follows)"))
        if appointment.video_link:
            event.add("url", appointment.video_link)
    else:
        event.add("location", store_address(store) or store.name)
    lines = [_("With %(name)s") % {"name": appointment.associate.get_full_name() or store.name}]
    if manage_url:
        lines.append(_("Change or cancel: %(url)s") % {"url": manage_url})
    event.add("description", "\n".join(lines))
    organizer = vCalAddress(f"MAILTO:{_organizer_email(store)}")
    organizer.params["cn"] = vText(store.name)
    event["organizer"] = organizer
    calendar.add_component(event)
    return calendar.to_ical()


def _organizer_email(store) -> str:
    return settings.MESSAGING_EMAIL_FROM or settings.DEFAULT_FROM_EMAIL


def manage_url_for(appointment: Appointment) -> str:
    return public_url(reverse("booking:manage", args=[manage_token(appointment)]))
