"""Appointments fixtures: a type, opening hours Monday to Saturday 10:00–18:00 and the
associates' working hours in store A (New York)."""

from datetime import UTC, datetime, time

import pytest

from appointments import services
from appointments.models import AppointmentType, OpeningHours, WorkingHours
from tests.conversations.conftest import fake_twilio, messaging, twilio  # noqa: F401  fixtures

# Wednesday 10 June 2026, 08:00 in New York (EDT, UTC-4): before opening.
MORNING_NY = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


def open_store(store, *, days=range(6), opens=time(10), closes=time(18)):
    OpeningHours.objects.bulk_create([OpeningHours(store=store, weekday=d, opens=opens, closes=closes)
                                      for d in days])


def work(user, store, *, days=range(7), starts=time(9), ends=time(19)):
    WorkingHours.objects.bulk_create([WorkingHours(staff=user, store=store, weekday=d, starts=starts,
                                                   ends=ends)
                                      for d in days])


@pytest.fixture
def styling(org):
    return AppointmentType.objects.create(legal_entity=org["entity"], name="Styling session",
                                          duration_minutes=60, buffer_minutes=15)


@pytest.fixture
def video_type(org):
    return AppointmentType.objects.create(legal_entity=org["entity"], name="Video consultation",
                                          duration_minutes=30, location_kind="video")


@pytest.fixture
def hours(org, associate_a, manager):
    open_store(org["store_a"])
    work(associate_a, org["store_a"])
    work(manager, org["store_a"])


@pytest.fixture
def morning():
    import time_machine

    with time_machine.travel(MORNING_NY, tick=False) as traveller:
        yield traveller


def book(*, org, customer, associate, kind, at, **extra):
    return services.appointment_book(store=org["store_a"], appointment_type=kind, customer=customer,
                                     associate=associate, starts_at=at, created_by=associate, **extra)
