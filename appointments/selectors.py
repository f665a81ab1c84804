"""Reads of the appointments screens, already scoped to the user."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from clienteling.access import is_company_admin, managed_stores_for, staff_profile, stores_for
from clienteling.models import Customer, StaffProfile, Store
from clienteling.selectors.navigation import home_store_for

from .access import appointments_for, can_book_for_others
from .availability import wall_clock
from .models import Appointment, AppointmentType

SCOPES = ("mine", "store")
VIEWS = ("day", "week")


@dataclass
class CalendarDay:
    day: date
    is_today: bool
    appointments: list


def calendar_stores(*, user) -> QuerySet[Store]:
    """Stores whose whole calendar the user may open (managed ones; every store for admins)."""
    return managed_stores_for(user).order_by("name")


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def calendar(*, user, scope: str, store: Store | None, day: date, view: str, tz) -> dict:
    """The days shown (one, or Monday to Sunday) with their appointments in `tz`, in order.

    Two queries whatever the number of appointments: the appointments with their customer,
    type, store and associate; `tz` is the store's (or the user's home store's) zone.
    """
    first = day if view == "day" else week_start(day)
    days = 1 if view == "day" else 7
    start = wall_clock(first, time.min, tz)
    end = wall_clock(first + timedelta(days=days), time.min, tz)
    rows = appointments_for(user).filter(starts_at__gte=start, starts_at__lt=end)
    if scope == "store" and store is not None:
        rows = rows.filter(store=store)
    else:
        rows = rows.filter(associate=user)
    rows = rows.select_related("customer", "appointment_type", "store", "associate").order_by("starts_at",
                                                                                              "pk")
    today = timezone.now().astimezone(tz).date()
    by_day = {first + timedelta(days=i): CalendarDay(first + timedelta(days=i),
                                                   first + timedelta(days=i) == today, [])
              for i in range(days)}
    for appointment in rows:
        local_day = appointment.starts_at.astimezone(tz).date()
        if local_day in by_day:
            by_day[local_day].appointments.append(appointment)
    return {"days": list(by_day.values()), "first": first, "last": first + timedelta(days=days - 1),
            "previous": first - timedelta(days=days), "next": first + timedelta(days=days),
            "count": sum(len(d.appointments) for d in by_day.values())}


def default_store(*, user) -> Store | None:
    return home_store_for(user) or stores_for(user).order_by("name").first()


def appointment_types_for(*, store: Store, customers_only: bool = False) -> QuerySet[AppointmentType]:
    types = AppointmentType.objects.filter(legal_entity_id=store.legal_entity_id, active=True)
    if customers_only:
        types = types.filter(bookable_by_customers=True)
    return types.order_by("position", "name")


def bookable_associates(*, user, store: Store) -> list:
    """Whom the user may book with in this store: anyone working there for managers and admins,
    themselves for associates."""
    User = get_user_model()
    staff = (User.objects.filter(is_active=True, staff_profile__active=True, staff_profile__stores=store)
             .order_by("first_name", "last_name", "username"))
    if not can_book_for_others(user, store):
        staff = staff.filter(pk=user.pk)
    return list(staff)


def customer_appointments(*, user, customer: Customer, limit: int = 5) -> dict:
    """The profile section: the customer's next appointments and the last few. One query.

    The customer is already in the user's scope; every appointment of theirs is listed (as
    their purchases are), and opens for its associate, managers and admins.
    """
    now = timezone.now()
    rows = list(Appointment.objects.filter(customer=customer)
                .select_related("appointment_type", "store", "associate").order_by("-starts_at")[:100])
    profile = staff_profile(user)
    opens_all = is_company_admin(user) or bool(profile and profile.role == StaffProfile.Role.STORE_MANAGER)
    for row in rows:
        row.openable = opens_all or row.associate_id == user.pk
    upcoming = sorted((r for r in rows if r.starts_at >= now and r.status == Appointment.Status.BOOKED),
                      key=lambda r: r.starts_at)[:limit]
    past = [r for r in rows if r.starts_at < now][:limit]
    return {"upcoming": upcoming, "past": past}


def may_see_store_calendar(*, user, store: Store) -> bool:
    return is_company_admin(user) or managed_stores_for(user).filter(pk=store.pk).exists()


def local_datetime(value: str, tz) -> datetime | None:
    """A posted slot ("2026-03-08T10:30" in the store's zone, or an ISO time with offset) as UTC."""
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)
