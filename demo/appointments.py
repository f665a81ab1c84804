"""Seeds appointments: types per legal entity, opening and working hours of the demo stores,
each store's public booking page, and a few appointments (past ones held or missed, the next
days' booked). Idempotent: hours and types are upserted; appointments only into a store that
has none yet."""

import random
from datetime import date, time, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from appointments import services
from appointments.availability import free_slots
from appointments.models import Appointment, AppointmentType, ClosedDay, OpeningHours, WorkingHours
from clienteling.models import Customer, StaffProfile, Store

TYPES = [
    # name, minutes, buffer, where, bookable by customers, description
    ("Styling session", 60, 15, "in_store", True, "An hour with your stylist, pieces set aside for you."),
    ("Private viewing", 90, 30, "in_store", True, "The new collection before it reaches the floor."),
    ("Video consultation", 30, 0, "video", True, "Half an hour on video, from wherever you are."),
    ("Alterations fitting", 30, 10, "in_store", False, ""),
]
OPENING = {**{day: (time(10), time(19)) for day in range(6)}, 6: (time(12), time(17))}
APPOINTMENTS_PER_STORE = 8


def seed_appointments(*, stores: list[Store], seed: int = 7) -> dict:
    rng = random.Random(seed)
    types = {}
    for entity_id in {store.legal_entity_id for store in stores}:
        for position, (name, minutes, buffer, where, public, description) in enumerate(TYPES):
            types[(entity_id, name)], _created = AppointmentType.objects.update_or_create(
                legal_entity_id=entity_id, name=name,
                defaults={"duration_minutes": minutes, "buffer_minutes": buffer, "location_kind": where,
                          "bookable_by_customers": public, "description": description, "position": position})
    made = 0
    User = get_user_model()
    for store in stores:
        christmas = date(timezone.now().year, 12, 25)
        ClosedDay.objects.get_or_create(store=store, date=christmas, defaults={"reason": "Christmas Day"})
        for weekday, (opens, closes) in OPENING.items():
            OpeningHours.objects.update_or_create(store=store, weekday=weekday, opens=opens,
                                                  defaults={"closes": closes})
        staff = list(User.objects.filter(staff_profile__stores=store, staff_profile__active=True,
                                         is_active=True)
                     .exclude(staff_profile__role=StaffProfile.Role.COMPANY_ADMIN).order_by("pk"))
        for n, user in enumerate(staff):
            # Five days each, the rest days staggered so the store is covered all week.
            for weekday in range(7):
                if (weekday + n) % 7 in (5, 6):
                    continue
                WorkingHours.objects.update_or_create(
                    staff=user, store=store, weekday=weekday, starts=time(10),
                    defaults={"ends": time(19) if weekday != 6 else time(17)})
        services.booking_page_get_or_create(store=store)
        for user in staff:
            services.booking_page_get_or_create(store=store, associate=user)
        if not staff or Appointment.objects.filter(store=store).exists():
            continue
        made += _appointments(store, staff, [kind for (entity, _n), kind in types.items()
                                            if entity == store.legal_entity_id], rng)
    return {"types": len(types), "appointments": made}


def _appointments(store: Store, staff: list, kinds: list, rng: random.Random) -> int:
    customers = list(Customer.objects.filter(home_store=store, erased_at__isnull=True).order_by("pk")
                     [:APPOINTMENTS_PER_STORE * 3])
    if not customers:
        return 0
    today = timezone.now().astimezone(store.tzinfo).date()
    made = 0
    for offset in (-6, -3, -1, 1, 2, 3, 5, 8):
        day = today + timedelta(days=offset)
        kind = rng.choice(kinds)
        associate = rng.choice(staff)
        slots = free_slots(store=store, appointment_type=kind, first_day=day, days=1,
                           associate_id=associate.pk,
                           earliest=timezone.now() - timedelta(days=30))[day]
        if not slots:
            continue
        slot = rng.choice(slots)
        customer = customers[made % len(customers)]
        try:
            appointment = services.appointment_book(
                store=store, appointment_type=kind, customer=customer, associate=associate,
                starts_at=slot.starts_at, created_by=associate, within_hours=False,
                video_link="https://meet.example.com/atelier-demo" if kind.location_kind == "video" else "",
                reminder_channel="email" if customer.email else "")
        except ValidationError:
            continue
        if offset < 0:
            missed = offset == -3
            services.appointment_mark(appointment=appointment, by=associate,
                                      status=Appointment.Status.NO_SHOW if missed
                                      else Appointment.Status.HELD)
        made += 1
    return made
