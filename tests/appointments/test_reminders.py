"""Reminders 24 h and 2 h before, by the customer's channel: email with the .ics through a real
SMTP server on loopback, texts through the real Twilio SDK to its loopback fake. Each goes once,
however often beat runs; consent and opt-outs are respected."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar

from appointments import services
from appointments.availability import wall_clock
from appointments.models import Appointment, AppointmentReminder
from appointments.tasks import appointment_reminders_send_due
from clienteling.models import Channel, ConsentState, CustomerConsent
from conversations.models import Message
from tests.conversations.conftest import STORE_A_SMS, opt_in
from tests.fakes.smtp import FakeSMTP

from .conftest import book

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")
BOOKED_AT = datetime(2026, 6, 8, 14, 0, tzinfo=UTC)  # Monday
START = wall_clock(date(2026, 6, 10), time(15), NY)  # Wednesday 15:00 New York = 19:00 UTC


@pytest.fixture
def smtp(settings):
    server = FakeSMTP().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.MESSAGING_EMAIL_FROM = "clienteling@atelier.example.com"
    settings.PUBLIC_BASE_URL = "https://atelier.example.com"
    yield server
    server.stop()


def booked(org, customer, associate, kind, channel):
    with time_machine.travel(BOOKED_AT, tick=False):
        return book(org=org, customer=customer, associate=associate, kind=kind, at=START,
                    reminder_channel=channel)


def run(at: datetime, capture):
    with time_machine.travel(at, tick=False), capture(execute=True):
        return services.appointment_reminders_send_due()


def test_email_reminders_24h_and_2h_once_each_with_the_invitation(
        org, styling, hours, associate_a, customer_a, smtp, django_capture_on_commit_callbacks):
    appointment = booked(org, customer_a, associate_a, styling, Channel.EMAIL)
    # Too early: nothing.
    assert run(START - timedelta(hours=25), django_capture_on_commit_callbacks) == {"24h": 0, "2h": 0}
    assert run(START - timedelta(hours=23), django_capture_on_commit_callbacks) == {"24h": 1, "2h": 0}
    # Beat again (or twice at once): nothing more.
    assert run(START - timedelta(hours=22), django_capture_on_commit_callbacks) == {"24h": 0, "2h": 0}
    appointment_reminders_send_due.apply()  # the beat task itself, also a no-op now
    assert len(smtp.messages) == 1
    received = smtp.messages[0]
    assert received["To"] == "claire@example.com"
    assert received["Subject"] == "Reminder: your appointment at New York"
    assert received["From"] == "New York <clienteling@atelier.example.com>"
    assert received["Message-ID"] == f"<appointment-{appointment.pk}-reminder-24h@atelier>"
    body = next(part for part in received.walk() if part.get_content_type() == "text/plain").get_content()
    assert "3 p.m." in body and "https://atelier.example.com/b/m/" in body
    ics = next(part for part in received.walk() if part.get_content_type() == "text/calendar")
    event = Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")[0]
    assert event.decoded("dtstart") == START
    assert run(START - timedelta(hours=1, minutes=55), django_capture_on_commit_callbacks) == {"24h": 0,
                                                                                               "2h": 1}
    assert run(START - timedelta(hours=1), django_capture_on_commit_callbacks) == {"24h": 0, "2h": 0}
    assert len(smtp.messages) == 2
    assert list(AppointmentReminder.objects.filter(appointment=appointment).order_by("kind")
                .values_list("kind", "state")) == [("24h", "sent"), ("2h", "sent")]


def test_late_bookings_and_cancelled_appointments_get_no_reminder(
        org, styling, hours, associate_a, customer_a, smtp, django_capture_on_commit_callbacks):
    with time_machine.travel(START - timedelta(hours=20), tick=False):
        late = book(org=org, customer=customer_a, associate=associate_a, kind=styling, at=START,
                    reminder_channel=Channel.EMAIL)
    # Booked 20 h before: no day-before reminder, only the 2-hour one.
    assert run(START - timedelta(hours=19), django_capture_on_commit_callbacks) == {"24h": 0, "2h": 0}
    services.appointment_cancel(appointment=late, by=associate_a)
    assert run(START - timedelta(hours=1), django_capture_on_commit_callbacks) == {"24h": 0, "2h": 0}
    assert not AppointmentReminder.objects.exists()


def test_email_opt_out_is_respected(org, styling, hours, associate_a, customer_a, smtp,
                                    django_capture_on_commit_callbacks):
    appointment = booked(org, customer_a, associate_a, styling, Channel.EMAIL)
    CustomerConsent.objects.create(customer=customer_a, channel=Channel.EMAIL, state=ConsentState.OPTED_OUT,
                                   changed_at=BOOKED_AT, source=CustomerConsent.Source.ADMIN)
    run(START - timedelta(hours=23), django_capture_on_commit_callbacks)
    assert smtp.messages == []
    reminder = AppointmentReminder.objects.get(appointment=appointment)
    assert reminder.state == AppointmentReminder.State.SKIPPED


def test_sms_reminder_through_twilio_when_opted_in(org, styling, hours, associate_a, customer_a, twilio,
                                                   messaging, django_capture_on_commit_callbacks):
    opt_in(customer_a)
    appointment = booked(org, customer_a, associate_a, styling, Channel.SMS)
    assert run(START - timedelta(hours=23), django_capture_on_commit_callbacks)["24h"] == 1
    form = twilio.fake.last_create()
    assert (form["To"], form["From"]) == ("+12125550123", STORE_A_SMS)
    assert "Styling session" in form["Body"] and "3 p.m." in form["Body"]
    message = Message.objects.get(conversation__customer=customer_a)
    assert message.status == Message.Status.SENT and not message.is_marketing
    reminder = AppointmentReminder.objects.get(appointment=appointment)
    assert (reminder.channel, reminder.state) == ("sms", "sent")
    assert run(START - timedelta(hours=22), django_capture_on_commit_callbacks)["24h"] == 0
    assert len(twilio.fake.creates) == 1


def test_sms_reminder_without_opt_in_is_skipped_with_the_reason(
        org, styling, hours, associate_a, customer_a, twilio, messaging, django_capture_on_commit_callbacks):
    appointment = booked(org, customer_a, associate_a, styling, Channel.SMS)
    run(START - timedelta(hours=23), django_capture_on_commit_callbacks)
    assert twilio.fake.creates == []
    reminder = AppointmentReminder.objects.get(appointment=appointment)
    assert reminder.state == AppointmentReminder.State.SKIPPED and reminder.detail
    assert Appointment.objects.get(pk=appointment.pk).status == Appointment.Status.BOOKED
