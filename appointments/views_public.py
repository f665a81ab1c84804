"""The customers' booking pages (public, no sign-in): /b/<token>/ of a store or of one associate,
and /b/m/<token>/ where a customer sees, moves, cancels or downloads their appointment.

Plain forms and links: every step works without JavaScript. The page's token is unguessable;
the manage token is signed (appointments.tokens). Bookings are held to a rate per address and
per contact (email or phone) in the shared cache: past it the customer gets a friendly 429.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.views import public_headers, render_for_customer
from clienteling.forms.profile import default_phone_region

from . import selectors, services
from .availability import free_slots
from .forms import MoveForm, PublicBookForm
from .ics import appointment_ics
from .models import Appointment, AppointmentType, BookingPage
from .tokens import appointment_for_manage_token, manage_token

# Bookings (and booking attempts that reach the service) per address or contact: settings.BOOKINGS_PER_HOUR.
RATE_WINDOW_SECONDS = 3600
DAYS_SHOWN = 7
DAYS_AHEAD = 90


def _address(request) -> str:
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR") or "unknown"


def _over_rate(*keys: str) -> bool:
    """Counts one booking against each key; True when any is past the hour's allowance."""
    over = False
    for key in keys:
        cache_key = f"booking:rate:{key}"
        cache.add(cache_key, 0, RATE_WINDOW_SECONDS)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr: the first of a new window
            cache.set(cache_key, 1, RATE_WINDOW_SECONDS)
            count = 1
        over = over or count > settings.BOOKINGS_PER_HOUR
    return over


def _limited(request, page: BookingPage | None):
    response = render_for_customer(request, "appointments/public/limited.html",
                                   {"store": page.store if page else None}, status=429)
    response["Retry-After"] = str(RATE_WINDOW_SECONDS)
    return response


def _page_for(token: str) -> BookingPage:
    page = (BookingPage.objects.select_related("store__legal_entity", "associate")
            .filter(token=token, active=True, store__active=True).first())
    if page is None:
        raise Http404
    return page


def _type_for(page: BookingPage, type_id: int) -> AppointmentType:
    kind = selectors.appointment_types_for(store=page.store, customers_only=True).filter(pk=type_id).first()
    if kind is None:
        raise Http404
    return kind


def _base(page: BookingPage) -> dict:
    return {"page": page, "store": page.store, "associate": page.associate, "tz": page.store.tzinfo}


@require_GET
def page(request, token: str):
    """Step 1: what would you like to book?"""
    booking_page = _page_for(token)
    types = list(selectors.appointment_types_for(store=booking_page.store, customers_only=True))
    return render_for_customer(request, "appointments/public/page.html", {**_base(booking_page),
                                                                          "types": types})


def _week(page: BookingPage, kind: AppointmentType, first: date, *, exclude_id=None) -> list[dict]:
    slots = free_slots(store=page.store, appointment_type=kind, first_day=first, days=DAYS_SHOWN,
                       associate_id=page.associate_id, earliest=timezone.now() + kind.notice,
                       exclude_appointment_id=exclude_id)
    # On a phone a week of slots is metres long: each day folds, the first with free times open.
    first_free = next((day for day, day_slots in slots.items() if day_slots), None)
    return [{"day": day, "slots": day_slots, "open": day == first_free} for day, day_slots in slots.items()]


def _first_day(request, tz) -> tuple[date, date]:
    today = timezone.now().astimezone(tz).date()
    try:
        first = date.fromisoformat(request.GET.get("from", "")) if request.GET.get("from") else today
    except ValueError:
        first = today
    return min(max(first, today), today + timedelta(days=DAYS_AHEAD)), today


@require_GET
def slots(request, token: str, type_id: int):
    """Step 2: a free time this week (in the store's time zone), with links to the next and last."""
    booking_page = _page_for(token)
    kind = _type_for(booking_page, type_id)
    first, today = _first_day(request, booking_page.store.tzinfo)
    return render_for_customer(request, "appointments/public/slots.html", {
        **_base(booking_page), "kind": kind, "week": _week(booking_page, kind, first), "first": first,
        "previous": first - timedelta(days=DAYS_SHOWN) if first > today else None,
        "next": first + timedelta(days=DAYS_SHOWN) if first + timedelta(days=DAYS_SHOWN) <= today + timedelta(
            days=DAYS_AHEAD) else None})


@require_http_methods(["GET", "POST"])
def book(request, token: str, type_id: int):
    """Step 3: your name and contact, consent, and book."""
    booking_page = _page_for(token)
    kind = _type_for(booking_page, type_id)
    store = booking_page.store
    tz = store.tzinfo
    form = PublicBookForm(request.POST or None, tz=tz, region=default_phone_region(store),
                          initial={"starts_at": request.GET.get("at", "")})
    starts_at = selectors.local_datetime(request.POST.get("starts_at") or request.GET.get("at", ""), tz)
    if starts_at is None:
        return redirect("booking:slots", token, kind.pk)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            contact_keys = [f"email:{data['email'].lower()}" if data["email"] else "",
                            f"phone:{data['phone']}" if data["phone"] else ""]
            if _over_rate(f"ip:{_address(request)}", *[key for key in contact_keys if key]):
                return _limited(request, booking_page)
            try:
                appointment = services.public_booking_create(
                    page=booking_page, appointment_type=kind, starts_at=data["starts_at"],
                    first_name=data["first_name"], last_name=data["last_name"], email=data["email"],
                    phone=str(data["phone"] or ""), reminder_channel=data["reminder_channel"],
                    consent=data["consent"], notes=data["notes"])
            except ValidationError as error:
                for field, errors in getattr(error, "message_dict", {None: error.messages}).items():
                    form.add_error(field if field in form.fields and field != "starts_at" else None, errors)
            else:
                response = redirect("booking:manage", manage_token(appointment))
                return public_headers(response)
        status = 400
    return render_for_customer(request, "appointments/public/book.html", {
        **_base(booking_page), "kind": kind, "form": form, "starts_at": starts_at,
        }, status=status)


# --- the customer's own appointment ---------------------------------------------------------


def _appointment_for(token: str) -> Appointment:
    appointment = appointment_for_manage_token(token)
    if appointment is None:
        raise Http404
    return appointment


@require_GET
def manage(request, token: str):
    """The confirmation page, and later where the customer moves or cancels: the link in every email."""
    appointment = _appointment_for(token)
    return render_for_customer(request, "appointments/public/manage.html", {
        "appointment": appointment, "store": appointment.store, "tz": appointment.store.tzinfo,
        "token": token, "open": appointment.status == Appointment.Status.BOOKED
        and appointment.starts_at > timezone.now()}, language=appointment.customer.language)


@require_GET
def ics(request, token: str):
    appointment = _appointment_for(token)
    from .ics import manage_url_for

    response = HttpResponse(appointment_ics(appointment, manage_url=manage_url_for(appointment)),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    return public_headers(response)


@require_POST
def cancel(request, token: str):
    appointment = _appointment_for(token)
    if _over_rate(f"manage:{_address(request)}"):
        return _limited(request, None)
    if appointment.starts_at <= timezone.now():
        return render_for_customer(request, "appointments/public/manage.html", {
            "appointment": appointment, "store": appointment.store, "tz": appointment.store.tzinfo,
            "token": token, "open": False, "error": _("This appointment has already started.")}, status=400)
    services.appointment_cancel(appointment=appointment, by=None)
    return render_for_customer(request, "appointments/public/manage.html", {
        "appointment": appointment, "store": appointment.store, "tz": appointment.store.tzinfo,
        "token": "", "open": False, "cancelled_now": True}, language=appointment.customer.language)


@require_http_methods(["GET", "POST"])
def move(request, token: str):
    """The customer picks another free time of the same type, with the same associate."""
    appointment = _appointment_for(token)
    store = appointment.store
    if appointment.status != Appointment.Status.BOOKED or appointment.starts_at <= timezone.now():
        return redirect("booking:manage", token)
    # The associate's own page: the customer keeps their associate.
    page_view = BookingPage(store=store, associate=appointment.associate)
    form = MoveForm(request.POST or None, tz=store.tzinfo)
    status = 200
    if request.method == "POST":
        if _over_rate(f"manage:{_address(request)}"):
            return _limited(request, None)
        if form.is_valid():
            try:
                services.public_booking_move(appointment=appointment,
                                             starts_at=form.cleaned_data["starts_at"])
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                return public_headers(redirect("booking:manage", token))
        status = 400
    first, today = _first_day(request, store.tzinfo)
    return render_for_customer(request, "appointments/public/move.html", {
        "appointment": appointment, "store": store, "tz": store.tzinfo, "token": token, "form": form,
        "week": _week(page_view, appointment.appointment_type, first, exclude_id=appointment.pk),
        "first": first, "previous": first - timedelta(days=DAYS_SHOWN) if first > today else None,
        "next": first + timedelta(days=DAYS_SHOWN)}, status=status, language=appointment.customer.language)
