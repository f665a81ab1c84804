"""Free slots: a store's opening hours ∩ each associate's working hours, minus their appointments.

Hours are wall-clock times in the store's time zone. Each day's intervals are turned into aware
datetimes for that day (so a 10:00 opening is 10:00 local on both sides of a DST change) and
slots are counted in real minutes from there: a slot never lasts an hour more or less because
the clocks moved.

Three queries for any number of days and associates (hours, closed days, busy appointments),
plus one for the working hours.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.utils import timezone

from clienteling.models import Store

from .models import Appointment, AppointmentType, ClosedDay, OpeningHours, WorkingHours

SLOT_STEP_MINUTES = 15
UTC = ZoneInfo("UTC")


@dataclass
class Slot:
    starts_at: datetime  # UTC
    ends_at: datetime
    associate_ids: list[int] = field(default_factory=list)

    def local(self, tz) -> datetime:
        return self.starts_at.astimezone(tz)


def wall_clock(day: date, at: time, tz) -> datetime:
    """`day` at `at` in `tz`, as UTC. A time inside the spring gap moves forward by the gap
    (02:30 becomes 03:30, as the clocks did); an ambiguous one (autumn) is its first occurrence."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def _intersect(a: list[tuple[datetime, datetime]], b: list[tuple[datetime, datetime]]):
    out = []
    for a_start, a_end in a:
        for b_start, b_end in b:
            start, end = max(a_start, b_start), min(a_end, b_end)
            if start < end:
                out.append((start, end))
    return sorted(out)


def _overlaps(start: datetime, end: datetime, busy: list[tuple[datetime, datetime]]) -> bool:
    return any(start < b_end and b_start < end for b_start, b_end in busy)


def busy_intervals(*, associate_ids, start: datetime, end: datetime,
                   exclude_id: int | None = None) -> dict[int, list[tuple[datetime, datetime]]]:
    """Each associate's appointments (not cancelled) that touch [start, end), buffers included."""
    rows = (Appointment.objects.filter(associate_id__in=list(associate_ids), starts_at__lt=end,
                                       blocked_until__gt=start)
            .exclude(status=Appointment.Status.CANCELLED))
    if exclude_id is not None:
        rows = rows.exclude(pk=exclude_id)
    busy = defaultdict(list)
    for associate_id, starts_at, blocked_until in rows.values_list("associate_id", "starts_at",
                                                                   "blocked_until"):
        busy[associate_id].append((starts_at, blocked_until))
    return busy


def bookable_staff_ids(store: Store) -> set[int]:
    """Active staff members who work in the store (working hours alone do not make one)."""
    User = get_user_model()
    return set(User.objects.filter(is_active=True, staff_profile__active=True)
               .filter(staff_profile__stores=store).values_list("pk", flat=True))


def free_slots(*, store: Store, appointment_type: AppointmentType, first_day: date, days: int = 7,
               associate_id: int | None = None, earliest: datetime | None = None,
               exclude_appointment_id: int | None = None,
               step_minutes: int = SLOT_STEP_MINUTES) -> dict[date, list[Slot]]:
    """Free slots per local day from `first_day` for `days` days, each with the associates free then.

    `earliest` (UTC): nothing starts before it (now, plus any notice the caller asks for).
    `exclude_appointment_id`: an appointment being moved does not block its own new time.
    """
    tz = store.tzinfo
    last_day = first_day + timedelta(days=days - 1)
    earliest = earliest or timezone.now()
    duration = timedelta(minutes=appointment_type.duration_minutes)
    buffer = timedelta(minutes=appointment_type.buffer_minutes)
    step = timedelta(minutes=step_minutes)

    opening = defaultdict(list)
    for weekday, opens, closes in OpeningHours.objects.filter(store=store).values_list(
            "weekday", "opens", "closes"):
        opening[weekday].append((opens, closes))
    closed = set(ClosedDay.objects.filter(store=store, date__range=(first_day, last_day))
                 .values_list("date", flat=True))
    hours = WorkingHours.objects.filter(store=store)
    if associate_id is not None:
        hours = hours.filter(staff_id=associate_id)
    staff_ids = bookable_staff_ids(store)
    working = defaultdict(lambda: defaultdict(list))
    for staff_id, weekday, starts, ends in hours.values_list("staff_id", "weekday", "starts", "ends"):
        if staff_id in staff_ids:
            working[staff_id][weekday].append((starts, ends))

    range_start = wall_clock(first_day, time.min, tz)
    range_end = wall_clock(last_day + timedelta(days=1), time.min, tz)
    busy = busy_intervals(associate_ids=working.keys(), start=range_start - timedelta(days=1),
                          end=range_end + timedelta(days=1), exclude_id=exclude_appointment_id)

    result: dict[date, list[Slot]] = {}
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        slots: dict[datetime, Slot] = {}
        if day not in closed and opening.get(day.weekday()):
            open_intervals = [(wall_clock(day, o, tz), wall_clock(day, c, tz))
                              for o, c in opening[day.weekday()]]
            for staff_id, by_day in working.items():
                work = [(wall_clock(day, s, tz), wall_clock(day, e, tz)) for s,
                        e in by_day.get(day.weekday(), ())]
                for start, end in _intersect(open_intervals, work):
                    at = start
                    while at + duration <= end:
                        if at >= earliest and not _overlaps(at, at + duration + buffer, busy[staff_id]):
                            slot = slots.setdefault(at, Slot(at, at + duration))
                            slot.associate_ids.append(staff_id)
                        at += step
        result[day] = [slots[at] for at in sorted(slots)]
    return result


def slot_free(*, store: Store, appointment_type: AppointmentType, starts_at: datetime, associate_id: int,
              exclude_appointment_id: int | None = None, earliest: datetime | None = None,
              within_hours: bool = True) -> bool:
    """Whether this associate can take this type at exactly `starts_at`.

    `within_hours=False` (an associate booking by hand, e.g. after closing for a private
    viewing) only checks that no other appointment of theirs overlaps.
    """
    ends_at = starts_at + timedelta(minutes=appointment_type.duration_minutes)
    blocked_until = ends_at + timedelta(minutes=appointment_type.buffer_minutes)
    if not within_hours:
        busy = busy_intervals(associate_ids=[associate_id], start=starts_at, end=blocked_until,
                              exclude_id=exclude_appointment_id)
        return not _overlaps(starts_at, blocked_until, busy[associate_id])
    day = starts_at.astimezone(store.tzinfo).date()
    slots = free_slots(store=store, appointment_type=appointment_type, first_day=day, days=1,
                       associate_id=associate_id, earliest=earliest or starts_at,
                       exclude_appointment_id=exclude_appointment_id, step_minutes=1)
    return any(slot.starts_at == starts_at for slot in slots[day])
