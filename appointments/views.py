"""The associates' appointment screens: calendar, booking for a customer, moving, cancelling,
marking held or no-show, and the booking link put into a conversation. Thin: parse, call a
selector or service, render. Every change is a POST answered with a redirect (toast via
messages), so each screen works without JavaScript; htmx swaps the calendar and the free times.
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.links import public_url
from clienteling.access import access_customer, access_store, stores_for
from clienteling.htmx import bad_request, form_errors_text
from conversations.access import access_conversation
from conversations.drafts import composer_draft_set
from conversations.selectors import composer_state

from . import selectors, services
from .access import BOOK, access_appointment, appointments_view
from .availability import free_slots
from .forms import BookForm, MarkForm, MoveForm, SlotPickForm
from .models import Appointment, AppointmentType

CHANGE = "appointments.change_appointment"


def _day(value, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


# --- calendar --------------------------------------------------------------------------------


@appointments_view
@require_GET
def calendar(request):
    """My appointments, or a store's (managers and admins), by day or by week in the store's zone."""
    user = request.user
    view = request.GET.get("view") if request.GET.get("view") in selectors.VIEWS else "week"
    stores = list(selectors.calendar_stores(user=user))
    store = None
    scope = "mine"
    if request.GET.get("scope") == "store" and stores:
        scope = "store"
        wanted = request.GET.get("store")
        store = next((s for s in stores if str(s.pk) == wanted), None) or stores[0]
    home = store or selectors.default_store(user=user)
    tz = home.tzinfo if home else timezone.get_current_timezone()
    today = timezone.now().astimezone(tz).date()
    day = _day(request.GET.get("date"), today)
    context = {"view": view, "scope": scope, "store": store, "stores": stores, "day": day, "today": today,
               "tz": tz, **selectors.calendar(user=user, scope=scope, store=store, day=day, view=view, tz=tz)}
    template = "appointments/calendar.html#calendar" if request.htmx and not request.htmx.boosted \
        else "appointments/calendar.html"
    return render(request, template, context)


# --- booking for a customer ------------------------------------------------------------------


def _pick(request, customer, data):
    """The pick form (store, type, associate, day) bound to `data`, with defaults filled in."""
    user = request.user
    stores = stores_for(user).filter(legal_entity_id=customer.legal_entity_id).order_by("name")
    store = stores.filter(pk=data.get("store")).first() if str(data.get("store", "")).isdigit() else None
    store = store or stores.filter(pk=customer.home_store_id).first() or stores.first()
    if store is None:
        raise Http404  # the user works in none of this customer's company's stores
    types = selectors.appointment_types_for(store=store)
    associates = selectors.bookable_associates(user=user, store=store)
    tz = store.tzinfo
    defaults = {
        "store": store.pk,
        "appointment_type": data.get("appointment_type") or (types.first().pk if types.exists() else ""),
        "associate": data.get("associate") or (user.pk if any(a.pk == user.pk for a in associates)
                                               else associates[0].pk if associates else ""),
        "date": data.get("date") or timezone.now().astimezone(tz).date().isoformat(),
    }
    ids = [a.pk for a in associates]
    form = SlotPickForm(defaults, stores=stores, types=types,
                        associates=get_user_model().objects.filter(pk__in=ids))
    return form, store


def _slots(form, store, *, exclude_id=None):
    if not form.is_valid():
        return []
    data = form.cleaned_data
    day = data["date"]
    return free_slots(store=store, appointment_type=data["appointment_type"], first_day=day, days=1,
                      associate_id=data["associate"].pk, exclude_appointment_id=exclude_id)[day]


@appointments_view(permission=BOOK)
@require_http_methods(["GET", "POST"])
def book(request, customer_id: int):
    """Book the customer: pick store, type, associate and day, then one of the free times."""
    customer = access_customer(request.user, customer_id)
    data = request.POST if request.method == "POST" else request.GET
    pick, store = _pick(request, customer, data)
    form = BookForm(request.POST or None, tz=store.tzinfo, initial={
        "location_kind": "in_store", "reminder_channel": "email" if customer.email else ""})
    if request.method == "POST":
        if pick.is_valid() and form.is_valid():
            picked = pick.cleaned_data
            try:
                appointment = services.appointment_book(
                    store=store, appointment_type=picked["appointment_type"], customer=customer,
                    associate=picked["associate"], starts_at=form.cleaned_data["starts_at"],
                    created_by=request.user, notes=form.cleaned_data["notes"],
                    location_kind=form.cleaned_data["location_kind"],
                    video_link=form.cleaned_data["video_link"],
                    reminder_channel=form.cleaned_data["reminder_channel"])
            except ValidationError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Appointment booked for %(name)s.") % {"name": customer})
                return redirect("appointments:detail", appointment.pk)
        if request.htmx:
            return bad_request(form_errors_text(form) or form_errors_text(pick))
    context = {"customer": customer, "pick": pick, "form": form, "store": store,
               "slots": _slots(pick, store), "tz": store.tzinfo}
    if request.htmx and request.method == "GET" and not request.htmx.boosted:
        return render(request, "appointments/book.html#slots", context)
    return render(request, "appointments/book.html", context, status=400 if request.method == "POST" else 200)


def _form_error(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- one appointment -------------------------------------------------------------------------


@appointments_view
@require_GET
def detail(request, appointment_id: int):
    appointment = access_appointment(request.user, appointment_id)
    return render(request, "appointments/detail.html", {
        "appointment": appointment, "tz": appointment.store.tzinfo,
        "started": appointment.starts_at <= timezone.now(),
        "can_change": request.user.has_perm(CHANGE)})


@appointments_view(permission=CHANGE)
@require_http_methods(["GET", "POST"])
def move(request, appointment_id: int):
    """A new time for a booked appointment, from the same associate's free times (or another's)."""
    appointment = access_appointment(request.user, appointment_id)
    if appointment.status != Appointment.Status.BOOKED:
        messages.error(request, _("Only a booked appointment can be moved."))
        return redirect("appointments:detail", appointment.pk)
    store = appointment.store
    data = request.POST if request.method == "POST" else request.GET
    associates = selectors.bookable_associates(user=request.user, store=store)
    if appointment.associate_id not in [a.pk for a in associates]:
        associates = [appointment.associate, *associates]
    pick = SlotPickForm({
        "store": store.pk, "appointment_type": appointment.appointment_type_id,
        "associate": data.get("associate") or appointment.associate_id,
        "date": data.get("date") or appointment.starts_at.astimezone(store.tzinfo).date().isoformat(),
    }, stores=stores_for(request.user).filter(pk=store.pk),
        types=AppointmentType.objects.filter(pk=appointment.appointment_type_id),
        associates=get_user_model().objects.filter(pk__in=[a.pk for a in associates]))
    form = MoveForm(request.POST or None, tz=store.tzinfo)
    if request.method == "POST":
        if pick.is_valid() and form.is_valid():
            try:
                services.appointment_move(appointment=appointment, starts_at=form.cleaned_data["starts_at"],
                                          by=request.user, associate=pick.cleaned_data["associate"])
            except ValidationError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Appointment moved."))
                return redirect("appointments:detail", appointment.pk)
        if request.htmx:
            return bad_request(form_errors_text(form) or form_errors_text(pick))
    context = {"appointment": appointment, "pick": pick, "form": form, "store": store, "tz": store.tzinfo,
               "slots": _slots(pick, store, exclude_id=appointment.pk)}
    if request.htmx and request.method == "GET" and not request.htmx.boosted:
        return render(request, "appointments/move.html#slots", context)
    return render(request, "appointments/move.html", context, status=400 if request.method == "POST" else 200)


@appointments_view(permission=CHANGE)
@require_POST
def cancel(request, appointment_id: int):
    appointment = access_appointment(request.user, appointment_id)
    if services.appointment_cancel(appointment=appointment, by=request.user):
        messages.success(request, _("Appointment cancelled."))
    else:
        messages.error(request, _("This appointment was not booked any more."))
    return redirect("appointments:detail", appointment.pk)


@appointments_view(permission=CHANGE)
@require_POST
def mark(request, appointment_id: int):
    """Held or no-show, once it has started."""
    appointment = access_appointment(request.user, appointment_id)
    form = MarkForm(request.POST)
    if not form.is_valid():
        return bad_request(form_errors_text(form))
    try:
        changed = services.appointment_mark(appointment=appointment, status=form.cleaned_data["status"],
                                            by=request.user)
    except ValidationError as error:
        return bad_request(" ".join(error.messages))
    if changed:
        messages.success(request, _("Marked as %(status)s.") % {"status": appointment.get_status_display()})
    return redirect("appointments:detail", appointment.pk)


# --- booking links ---------------------------------------------------------------------------


def _link_for(page) -> str:
    return public_url(reverse("booking:page", args=[page.token]))


@appointments_view
@require_GET
def booking_links(request):
    """The public booking pages the user can share: theirs and their stores'."""
    rows = []
    for store in stores_for(request.user).order_by("name"):
        rows.append({"store": store,
                     "mine": _link_for(services.booking_page_get_or_create(store=store,
                                                                           associate=request.user)),
                     "store_link": _link_for(services.booking_page_get_or_create(store=store))})
    return render(request, "appointments/links.html", {"rows": rows})


@appointments_view
@require_POST
def booking_link_compose(request, conversation_id: int):
    """From a thread: the associate's booking link in the composer, to review and send."""
    conversation = access_conversation(request.user, conversation_id)
    store = access_store(request.user, conversation.store_id)
    page = services.booking_page_get_or_create(store=store, associate=request.user)
    body = _("Book a time with me at %(store)s: %(link)s") % {"store": store.name, "link": _link_for(page)}
    state = composer_state(conversation=conversation)
    if not state.can_send_text:
        messages.error(request, state.blocked_reason)
        return redirect("conversations:detail", conversation.pk)
    composer_draft_set(request, conversation_id=conversation.pk, body=body)
    messages.success(request, _("Booking link added to your message: review it and send."))
    return redirect("conversations:detail", conversation.pk)
