"""Booking by associates: double bookings refused by the service and, on PostgreSQL, by the
exclusion constraint; moving, cancelling, held and no-show; the customer's timeline and contact."""

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from appointments import services
from appointments.availability import wall_clock
from appointments.models import Appointment
from clienteling.models import Activity, CustomerContactHistory

from .conftest import book

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")
ONE = wall_clock(date(2026, 6, 10), time(13), NY)


def test_booking_writes_the_appointment_and_a_timeline_line_that_counts_as_contact(
        org, styling, hours, associate_a, customer_a, morning):
    appointment = book(org=org, customer=customer_a, associate=associate_a, kind=styling, at=ONE,
                       notes=" Bring the coat ")
    assert appointment.ends_at == ONE + timedelta(minutes=60)
    assert appointment.blocked_until == ONE + timedelta(minutes=75)
    assert appointment.status == Appointment.Status.BOOKED
    assert appointment.source == Appointment.Source.ASSOCIATE
    assert appointment.notes == "Bring the coat"
    assert len(appointment.manage_token_hash) == 64
    activity = Activity.objects.get(customer=customer_a)
    assert activity.activity_type.slug == "appointment"
    assert "Styling session" in activity.summary
    history = CustomerContactHistory.objects.get(customer=customer_a)
    assert history.last_contact_at is not None


def test_an_overlapping_booking_is_refused_by_the_service(org, styling, hours, associate_a, customer_a,
                                                          morning):
    book(org=org, customer=customer_a, associate=associate_a, kind=styling, at=ONE)
    with pytest.raises(ValidationError) as refused:
        book(org=org, customer=customer_a, associate=associate_a, kind=styling,
             at=ONE + timedelta(minutes=30))
    assert "another appointment overlaps" in str(refused.value)
    # Inside the buffer (the first ends at 14:00, its buffer runs to 14:15).
    with pytest.raises(ValidationError):
        book(org=org, customer=customer_a, associate=associate_a, kind=styling,
             at=ONE + timedelta(minutes=60))
    assert Appointment.objects.count() == 1
    # Even outside the hours, where an associate may book by hand, no overlap is allowed.
    with pytest.raises(ValidationError):
        book(org=org, customer=customer_a, associate=associate_a, kind=styling, at=ONE, within_hours=False)


def test_another_associate_can_take_the_same_time(org, styling, hours, associate_a, manager, customer_a,
                                                  morning):
    book(org=org, customer=customer_a, associate=associate_a, kind=styling, at=ONE)
    book(org=org, customer=customer_a, associate=manager, kind=styling, at=ONE)
    assert Appointment.objects.count() == 2


def test_outside_hours_is_refused_unless_asked(org, styling, hours, associate_a, customer_a, morning):
    evening = wall_clock(date(2026, 6, 10), time(20), NY)
    with pytest.raises(ValidationError, match="outside the store's opening hours"):
        book(org=org, customer=customer_a, associate=associate_a, kind=styling, at=evening)
    book(org=org, customer=customer_a, associate=associate_a, kind=styling, at=evening, within_hours=False)


def test_a_customer_of_another_company_or_an_associate_elsewhere_is_refused(
        org, styling, hours, associate_a, associate_b, customer_b, customer_a, morning):
    with pytest.raises(ValidationError):
        book(org=org, customer=customer_b, associate=associate_a, kind=styling, at=ONE)
    with pytest.raises(ValidationError):
        book(org=org, customer=customer_a, associate=associate_b, kind=styling, at=ONE)
    assert not Appointment.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's")
def test_the_database_refuses_what_the_service_check_would_miss(org, styling, hours, associate_a, customer_a,
                                                                morning):
    first = book(org=org, customer=customer_a, associate=associate_a, kind=styling, at=ONE)
    # A row written past the service (as a second process that checked before the first committed would).
    clash = Appointment(customer=customer_a, store=org["store_a"], associate=associate_a,
                        appointment_type=styling,
                        starts_at=ONE + timedelta(minutes=30), ends_at=ONE + timedelta(minutes=90),
                        blocked_until=ONE + timedelta(minutes=90))
    with pytest.raises(IntegrityError, match="appointment_no_overlap"), transaction.atomic():
        clash.save()
    # Touching ranges do not overlap ([) bounds), and a cancelled appointment does not count.
    Appointment.objects.create(customer=customer_a, store=org["store_a"], associate=associate_a,
                               appointment_type=styling, starts_at=clash.blocked_until,
                               ends_at=clash.blocked_until + timedelta(minutes=60),
                               blocked_until=clash.blocked_until + timedelta(minutes=60))
    Appointment.objects.filter(pk=first.pk).update(status=Appointment.Status.CANCELLED)
    clash.save()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's")
def test_the_constraint_refusal_reads_as_the_service_message(org, styling, hours, associate_a, customer_a,
                                                             morning, monkeypatch):
    book(org=org, customer=customer_a, associate=associate_a, kind=styling, at=ONE)
    # The service's own check is skipped, as when two bookings check at once: the constraint answers.
    monkeypatch.setattr("appointments.services.booking.slot_free", lambda **kwargs: True)
    with pytest.raises(ValidationError) as refused:
        book(org=org, customer=customer_a, associate=associate_a, kind=styling,
             at=ONE + timedelta(minutes=15))
    assert services.double_booked_message() in refused.value.messages
    assert Appointment.objects.count() == 1


def test_move_keeps_one_appointment_and_frees_the_old_time(org, styling, hours, associate_a, customer_a,
                                                           morning):
    appointment = book(org=org, customer=customer_a, associate=associate_a, kind=styling, at=ONE)
    later = ONE + timedelta(hours=2)
    services.appointment_move(appointment=appointment, starts_at=later, by=associate_a)
    appointment.refresh_from_db()
    assert appointment.starts_at == later and appointment.blocked_until == later + timedelta(minutes=75)
    # Moving into its own old slot's neighbourhood is fine: it does not block itself.
    services.appointment_move(appointment=appointment, starts_at=later + timedelta(minutes=15),
                              by=associate_a)
    book(org=org, customer=customer_a, associate=associate_a, kind=styling, at=ONE)
    with pytest.raises(ValidationError):
        services.appointment_move(appointment=appointment, starts_at=ONE + timedelta(minutes=30),
                                  by=associate_a)


def test_cancel_once_and_mark_held_or_no_show_after_start(org, styling, hours, associate_a, customer_a,
                                                          morning):
    appointment = book(org=org, customer=customer_a, associate=associate_a, kind=styling, at=ONE)
    with pytest.raises(ValidationError, match="once it has started"):
        services.appointment_mark(appointment=appointment, status=Appointment.Status.NO_SHOW, by=associate_a)
    morning.move_to(ONE + timedelta(minutes=20))
    assert services.appointment_mark(appointment=appointment, status=Appointment.Status.NO_SHOW,
                                     by=associate_a)
    assert Appointment.objects.get(pk=appointment.pk).status == Appointment.Status.NO_SHOW
    no_show = Activity.objects.get(customer=customer_a, activity_type__slug="appointment-no-show")
    assert no_show.occurred_at == ONE and not no_show.activity_type.counts_as_contact
    # Corrected to held: a contact at the appointment's time.
    assert services.appointment_mark(appointment=appointment, status=Appointment.Status.HELD, by=associate_a)
    assert Activity.objects.filter(customer=customer_a, activity_type__slug="appointment",
                                   occurred_at=ONE).exists()
    assert not services.appointment_cancel(appointment=appointment, by=associate_a)  # no longer booked
    with pytest.raises(ValidationError):
        services.appointment_mark(appointment=appointment, status="cancelled", by=associate_a)


def test_cancel_frees_the_time_and_goes_in_the_timeline(org, styling, hours, associate_a, customer_a,
                                                        morning):
    appointment = book(org=org, customer=customer_a, associate=associate_a, kind=styling, at=ONE)
    assert services.appointment_cancel(appointment=appointment, by=associate_a)
    assert not services.appointment_cancel(appointment=appointment, by=associate_a)
    assert Activity.objects.filter(customer=customer_a,
                                   activity_type__slug="appointment-cancelled").count() == 1
    book(org=org, customer=customer_a, associate=associate_a, kind=styling, at=ONE)


def test_timeline_lines_are_written_once_and_read_in_each_readers_language(
        org, styling, hours, associate_a, customer_a, morning):
    from django.utils import translation

    from clienteling.selectors.profile import customer_timeline

    appointment = book(org=org, customer=customer_a, associate=associate_a, kind=styling, at=ONE)
    services.appointment_move(appointment=appointment, starts_at=ONE + timedelta(hours=2), by=associate_a)
    services.appointment_cancel(appointment=appointment, by=None)

    def lines(language):
        with translation.override(language):
            shown = customer_timeline(customer=customer_a, tz=NY, today=date(2026, 6, 9))
            return [(e["label"], e["summary"]) for day in shown["days"] for e in day["entries"]]

    # Stored once, in the site's language (search, the admin); the 13:00 of New York, whoever writes it.
    booked = Activity.objects.get(customer=customer_a, text_key="appointment-booked")
    assert booked.summary.startswith("Appointment booked: Styling session on")
    assert booked.text_params["tz"] == "America/New_York"
    english = lines("en")
    later = _en(ONE + timedelta(hours=2))
    assert ("Appointment cancelled", f"Appointment on {later} cancelled by the customer") in english
    assert ("Appointment", f"Appointment moved from {_en(ONE)} to {_en(ONE + timedelta(hours=2))}") in english
    french = lines("fr")
    assert ("Rendez-vous", "Rendez-vous réservé : Styling session le 10 juin 2026 13:00") in french
    assert all(not summary.startswith("Appointment") for _label, summary in french)
    # An admin's own name for the type is shown as written, in every language.
    Activity.objects.get(pk=booked.pk).activity_type.__class__.objects.filter(slug="appointment").update(
        name="Rendez-vous privé")
    assert ("Rendez-vous privé", booked.summary) in lines("en")


def _en(moment) -> str:
    local = moment.astimezone(NY)
    from django.utils.formats import date_format

    return f"{date_format(local, 'DATE_FORMAT')} {date_format(local, 'TIME_FORMAT')}"
