"""Free slots: opening hours ∩ working hours − appointments and buffers, in the store's zone, DST included."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from appointments.availability import free_slots, slot_free, wall_clock
from appointments.models import Appointment, ClosedDay

from .conftest import book, open_store, work

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")


def local_times(slots):
    return [slot.starts_at.astimezone(NY).strftime("%H:%M") for slot in slots]


def test_slots_are_opening_hours_within_working_hours(org, styling, associate_a, morning):
    open_store(org["store_a"])
    work(associate_a, org["store_a"], starts=time(12), ends=time(16))
    day = date(2026, 6, 10)
    slots = free_slots(store=org["store_a"], appointment_type=styling, first_day=day, days=1)[day]
    # 60-minute sessions between 12:00 and 16:00, every 15 minutes: the last starts at 15:00.
    assert local_times(slots)[0] == "12:00"
    assert local_times(slots)[-1] == "15:00"
    assert len(slots) == 13
    assert all(slot.associate_ids == [associate_a.pk] for slot in slots)


def test_an_appointment_and_its_buffer_block_the_associate(org, styling, hours, associate_a, customer_a,
                                                          morning):
    day = date(2026, 6, 10)
    at = wall_clock(day, time(13), NY)
    book(org=org, customer=customer_a, associate=associate_a, kind=styling, at=at)
    slots = free_slots(store=org["store_a"], appointment_type=styling, first_day=day, days=1,
                       associate_id=associate_a.pk)[day]
    times = local_times(slots)
    # Busy 13:00–14:15 (60 minutes + 15 buffer); a new session of 60 + 15 must end by 13:00.
    assert "11:45" in times and "12:00" not in times and "13:30" not in times
    assert "14:15" in times and "14:00" not in times


def test_closed_days_and_closed_weekdays_have_no_slots(org, styling, hours, morning):
    ClosedDay.objects.create(store=org["store_a"], date=date(2026, 6, 11), reason="Inventory")
    slots = free_slots(store=org["store_a"], appointment_type=styling, first_day=date(2026, 6, 10), days=5)
    assert slots[date(2026, 6, 10)]
    assert slots[date(2026, 6, 11)] == []  # closed day
    assert slots[date(2026, 6, 14)] == []  # Sunday: no opening hours
    assert slots[date(2026, 6, 12)]


def test_nothing_before_now(org, styling, hours):
    import time_machine

    with time_machine.travel(datetime(2026, 6, 10, 17, 5, tzinfo=UTC), tick=False):  # 13:05 in New York
        day = date(2026, 6, 10)
        times = local_times(free_slots(store=org["store_a"], appointment_type=styling, first_day=day,
                                       days=1)[day])
    assert times[0] == "13:15"


@pytest.mark.parametrize("day, offset", [
    (date(2026, 3, 7), -5),   # Saturday before the spring change: EST
    (date(2026, 3, 8), -4),   # the change happens at 02:00 that Sunday: EDT all day in store hours
    (date(2026, 11, 1), -5),  # autumn change Sunday: back to EST
])
def test_store_hours_are_wall_clock_across_dst(org, styling, associate_a, day, offset):
    import time_machine

    open_store(org["store_a"], days=range(7))
    work(associate_a, org["store_a"])
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=UTC), tick=False):
        slots = free_slots(store=org["store_a"], appointment_type=styling, first_day=day, days=1)[day]
    first = slots[0].starts_at
    assert first.astimezone(NY).strftime("%H:%M") == "10:00"
    assert first.utcoffset() == timedelta(0)
    assert first == datetime(day.year, day.month, day.day, 10 - offset, tzinfo=UTC)
    # Eight hours of opening, 60-minute sessions every 15 minutes: 29 starts, on either side of a change.
    assert len(slots) == 29


def test_week_across_spring_change_keeps_local_times(org, styling, associate_a):
    import time_machine

    open_store(org["store_a"], days=range(7))
    work(associate_a, org["store_a"])
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=UTC), tick=False):
        week = free_slots(store=org["store_a"], appointment_type=styling, first_day=date(2026, 3, 5), days=7)
    firsts = {day: slots[0].starts_at.astimezone(NY).strftime("%H:%M") for day, slots in week.items()}
    assert set(firsts.values()) == {"10:00"}
    utc_hours = {day: slots[0].starts_at.hour for day, slots in week.items()}
    assert utc_hours[date(2026, 3, 7)] == 15 and utc_hours[date(2026, 3, 9)] == 14


def test_a_store_in_another_zone(org, associate_b):
    import time_machine

    from appointments.models import AppointmentType

    paris = org["store_b"]
    kind = AppointmentType.objects.create(legal_entity=org["other_entity"], name="Fitting",
                                          duration_minutes=30)
    open_store(paris, days=range(7), opens=time(10), closes=time(11))
    work(associate_b, paris)
    with time_machine.travel(datetime(2026, 3, 1, tzinfo=UTC), tick=False):
        # Europe changes on 29 March 2026: 10:00 is 09:00 UTC before, 08:00 UTC after.
        before = free_slots(store=paris, appointment_type=kind, first_day=date(2026, 3, 28), days=1)
        after = free_slots(store=paris, appointment_type=kind, first_day=date(2026, 3, 30), days=1)
    assert before[date(2026, 3, 28)][0].starts_at.hour == 9
    assert after[date(2026, 3, 30)][0].starts_at.hour == 8


def test_slot_free_outside_hours_checks_only_overlaps(org, styling, hours, associate_a, customer_a, morning):
    evening = wall_clock(date(2026, 6, 10), time(20), NY)
    assert not slot_free(store=org["store_a"], appointment_type=styling, starts_at=evening,
                         associate_id=associate_a.pk)
    assert slot_free(store=org["store_a"], appointment_type=styling, starts_at=evening,
                     associate_id=associate_a.pk, within_hours=False)


def test_cancelled_appointments_free_their_time(org, styling, hours, associate_a, customer_a, morning):
    day = date(2026, 6, 10)
    at = wall_clock(day, time(13), NY)
    appointment = book(org=org, customer=customer_a, associate=associate_a, kind=styling, at=at)
    assert not slot_free(store=org["store_a"], appointment_type=styling, starts_at=at,
                         associate_id=associate_a.pk)
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.CANCELLED)
    assert slot_free(store=org["store_a"], appointment_type=styling, starts_at=at,
                     associate_id=associate_a.pk)


def test_staff_who_left_the_store_offer_nothing(org, styling, hours, associate_a, morning):
    associate_a.staff_profile.stores.clear()
    day = date(2026, 6, 10)
    slots = free_slots(store=org["store_a"], appointment_type=styling, first_day=day, days=1,
                       associate_id=associate_a.pk)[day]
    assert slots == []
