"""The demo's appointments: types, hours and booking pages for every store, appointments once."""

import pytest

from appointments.models import Appointment, AppointmentType, BookingPage, OpeningHours, WorkingHours
from demo.appointments import seed_appointments
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_seed_appointments_is_idempotent(org, associate_a, manager, associate_b):
    CustomerFactory.create_batch(5, legal_entity=org["entity"], home_store=org["store_a"])
    stores = [org["store_a"], org["store_b"]]
    first = seed_appointments(stores=stores)
    assert first["types"] == 8 and first["appointments"] > 0
    assert OpeningHours.objects.filter(store=org["store_a"]).count() == 7
    assert WorkingHours.objects.filter(staff=associate_a).count() == 5
    assert BookingPage.objects.filter(store=org["store_a"], associate__isnull=True).exists()
    statuses = set(Appointment.objects.values_list("status", flat=True))
    assert "booked" in statuses and statuses & {"held", "no_show"}  # past ones are closed
    again = seed_appointments(stores=stores)
    assert again["appointments"] == 0
    assert AppointmentType.objects.count() == 8 and Appointment.objects.count() == first["appointments"]
