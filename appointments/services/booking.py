"""Booking, moving, cancelling and closing appointments; the customer a public booking is for.

Every entry point owns its transaction. A double booking is refused twice over: the service
checks the associate's other appointments (on every database), and on PostgreSQL the
exclusion constraint `appointment_no_overlap` refuses what two simultaneous bookings let
through; both answer with the same message.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from catalog.db import fit
from clienteling import services as clienteling_services
from clienteling.dates import duration_text
from clienteling.models import (
    Activity,
    ActivityType,
    Channel,
    ConsentState,
    Customer,
    CustomerConsent,
    LegalEntity,
    Store,
)
from clienteling.registry import timeline_texts

from .. import timeline
from ..availability import bookable_staff_ids, slot_free
from ..models import Appointment, AppointmentType, BookingPage, LocationKind
from ..tokens import manage_secret_new

DOUBLE_BOOKED = "appointment_no_overlap"


def double_booked_message() -> str:
    return _("This time is no longer free for this associate: another appointment overlaps it. "
             "Choose another time.")


def _activity_type(slug: str) -> ActivityType:
    name, icon, counts = timeline.ACTIVITY_TYPES[slug]
    with override("en"):  # created with the English name, shown in the reader's (ActivityType.shown_name)
        name = str(name)
    kind, _created = ActivityType.objects.get_or_create(
        slug=slug, defaults={"name": name, "icon": icon, "counts_as_contact": counts, "position": 900})
    return kind


def _timeline(appointment: Appointment, *, slug: str, text_key: str, params: dict, actor,
              at: datetime | None = None) -> None:
    """A line in the customer's timeline (an Activity, which counts as contact when its type does),
    shown in each reader's language (appointments.timeline)."""
    kind = _activity_type(slug)
    if not kind.active:  # an admin retired it: the timeline stays quiet
        return
    with override(None):
        summary = timeline_texts.get(text_key).render(params)
    clienteling_services.activity_create(
        customer=appointment.customer, activity_type=kind, actor=actor if getattr(actor, "pk",
                                                                                  None) else None,
        summary=fit(Activity, "summary", summary), text_key=text_key, text_params=params,
        occurred_at=at or timezone.now(), store=appointment.store,
        details=appointment.notes if slug == "appointment" else "",
    )


def _check(*, store: Store, appointment_type: AppointmentType, customer: Customer, associate,
           starts_at: datetime) -> None:
    errors = {}
    if timezone.is_naive(starts_at):
        raise ValueError("starts_at must be aware")
    if appointment_type.legal_entity_id != store.legal_entity_id or not appointment_type.active:
        errors["appointment_type"] = _("This appointment type is not offered in this store.")
    if customer.legal_entity_id != store.legal_entity_id or customer.erased_at:
        errors["customer"] = _("This customer belongs to another company.")
    if associate.pk not in bookable_staff_ids(store):
        errors["associate"] = _("This associate does not work in this store.")
    if errors:
        raise ValidationError(errors)


def _save_refusing_overlap(appointment: Appointment, *, fields: list[str] | None = None) -> None:
    try:
        with transaction.atomic():  # a savepoint: the constraint's refusal leaves the outer one usable
            if fields is None:
                appointment.save()
            else:
                appointment.save(update_fields=fields)
    except IntegrityError as exc:
        if DOUBLE_BOOKED in str(exc):
            raise ValidationError({"starts_at": double_booked_message()}) from exc
        raise


def _refuse_unless_free(*, store, appointment_type, starts_at, associate, within_hours: bool,
                        exclude_id: int | None = None) -> None:
    """ValidationError saying why when the associate cannot take this type at this time."""
    if not slot_free(store=store, appointment_type=appointment_type, starts_at=starts_at,
                     associate_id=associate.pk, exclude_appointment_id=exclude_id, within_hours=False):
        raise ValidationError({"starts_at": double_booked_message()})
    if within_hours and not slot_free(store=store, appointment_type=appointment_type, starts_at=starts_at,
                                      associate_id=associate.pk, exclude_appointment_id=exclude_id):
        raise ValidationError({"starts_at": _(
            "This time is outside the store's opening hours or the associate's working hours.")})


def appointment_book(*, store: Store, appointment_type: AppointmentType, customer: Customer, associate,
                     starts_at: datetime, source: str = Appointment.Source.ASSOCIATE, created_by=None,
                     notes: str = "", location_kind: str = "", video_link: str = "",
                     reminder_channel: str = "", within_hours: bool = True) -> Appointment:
    """Book `customer` with `associate`; ValidationError (nothing written) when the time is not free.

    Customers' bookings always fall within opening and working hours; an associate may book
    outside them (`within_hours=False`) but never over another appointment.
    """
    _check(store=store, appointment_type=appointment_type, customer=customer, associate=associate,
           starts_at=starts_at)
    if source == Appointment.Source.CUSTOMER and not appointment_type.bookable_by_customers:
        raise ValidationError({"appointment_type": _(
            "This appointment type is booked through an associate.")})
    location_kind = location_kind or appointment_type.location_kind
    if location_kind not in LocationKind.values:
        raise ValidationError({"location_kind": _("Choose in store or video call.")})
    ends_at = starts_at + timedelta(minutes=appointment_type.duration_minutes)
    appointment = Appointment(
        customer=customer, store=store, associate=associate, appointment_type=appointment_type,
        starts_at=starts_at, ends_at=ends_at,
        blocked_until=ends_at + timedelta(minutes=appointment_type.buffer_minutes),
        location_kind=location_kind, video_link=video_link if location_kind == LocationKind.VIDEO else "",
        notes=(notes or "").strip(), source=source, reminder_channel=reminder_channel,
        manage_token_hash=manage_secret_new(), created_by=created_by if getattr(created_by, "pk",
                                                                                None) else None,
    )
    appointment.full_clean(exclude=["customer", "store", "associate", "appointment_type", "created_by"])
    with transaction.atomic():
        # One booking at a time per associate: the row lock orders simultaneous bookings, so the
        # check below sees the first one's appointment (PostgreSQL's constraint backs it up).
        type(associate).objects.select_for_update().filter(pk=associate.pk).first()
        _refuse_unless_free(store=store, appointment_type=appointment_type, starts_at=starts_at,
                            associate=associate, within_hours=within_hours)
        _save_refusing_overlap(appointment)
        _timeline(appointment, slug="appointment", actor=created_by, text_key=timeline.BOOKED,
                  params=timeline.params_for(appointment))
        from ..tasks import appointment_confirmation_send  # tasks import services: late import

        if appointment.reminder_channel == Channel.EMAIL and customer.email:
            appointment_confirmation_send.delay_on_commit(appointment.pk, "booked")
    return appointment


def appointment_move(*, appointment: Appointment, starts_at: datetime, by=None,
                     associate=None, within_hours: bool = True) -> Appointment:
    """A new time (and perhaps associate) for a booked appointment; its reminders go again."""
    associate = associate or appointment.associate
    if appointment.status != Appointment.Status.BOOKED:
        raise ValidationError(_("Only a booked appointment can be moved."))
    _check(store=appointment.store, appointment_type=appointment.appointment_type,
           customer=appointment.customer, associate=associate, starts_at=starts_at)
    kind = appointment.appointment_type
    with transaction.atomic():
        type(associate).objects.select_for_update().filter(pk=associate.pk).first()
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if current.status != Appointment.Status.BOOKED:
            raise ValidationError(_("Only a booked appointment can be moved."))
        _refuse_unless_free(store=current.store, appointment_type=kind, starts_at=starts_at,
                            associate=associate, within_hours=within_hours, exclude_id=current.pk)
        old = current.starts_at
        current.starts_at = starts_at
        current.ends_at = starts_at + timedelta(minutes=kind.duration_minutes)
        current.blocked_until = current.ends_at + timedelta(minutes=kind.buffer_minutes)
        current.associate = associate
        _save_refusing_overlap(current, fields=["starts_at", "ends_at", "blocked_until", "associate",
                                                "updated_at"])
        current.reminders.all().delete()  # the new time gets its own reminders
        _timeline(current, slug="appointment", actor=by, text_key=timeline.MOVED,
                  params=timeline.params_for(current, **{"from": old.isoformat()}))
        from ..tasks import appointment_confirmation_send

        if current.reminder_channel == Channel.EMAIL and current.customer.email:
            appointment_confirmation_send.delay_on_commit(current.pk, "moved")
    return current


def _transition(appointment: Appointment, *, to: str, expected: tuple[str, ...], **extra) -> bool:
    now = timezone.now()
    changed = Appointment.objects.filter(pk=appointment.pk, status__in=expected).update(
        status=to, status_changed_at=now, updated_at=now, **extra)
    if changed:
        appointment.status = to
        appointment.status_changed_at = now
    return bool(changed)


def appointment_cancel(*, appointment: Appointment, by=None) -> bool:
    """Cancel a booked appointment (the customer's link or an associate); False when it was not booked."""
    with transaction.atomic():
        changed = _transition(appointment, to=Appointment.Status.CANCELLED,
                              expected=(Appointment.Status.BOOKED,))
        if changed:
            appointment.refresh_from_db()  # its time as it is now, whatever the caller last read
            who = "" if by is None else by.get_full_name() or by.get_username()
            _timeline(appointment, slug="appointment-cancelled", actor=by, text_key=timeline.CANCELLED,
                      params=timeline.params_for(appointment, by=who))
            if appointment.reminder_channel == Channel.EMAIL and appointment.customer.email:
                from ..tasks import appointment_confirmation_send

                appointment_confirmation_send.delay_on_commit(appointment.pk, "cancelled")
    return changed


def appointment_mark(*, appointment: Appointment, status: str, by) -> bool:
    """Held or no-show, once the appointment has started; either can be corrected to the other."""
    if status not in (Appointment.Status.HELD, Appointment.Status.NO_SHOW):
        raise ValidationError(_("Mark an appointment as held or as a no-show."))
    if appointment.starts_at > timezone.now():
        raise ValidationError(_("An appointment can be marked once it has started."))
    expected = tuple(s for s in (Appointment.Status.BOOKED, Appointment.Status.HELD,
                                 Appointment.Status.NO_SHOW) if s != status)
    with transaction.atomic():
        changed = _transition(appointment, to=status, expected=expected)
        if changed:
            if status == Appointment.Status.HELD:
                _timeline(appointment, slug="appointment", actor=by, at=appointment.starts_at,
                          text_key=timeline.HELD, params=timeline.params_for(appointment))
            else:
                _timeline(appointment, slug="appointment-no-show", actor=by, at=appointment.starts_at,
                          text_key=timeline.NO_SHOW, params=timeline.params_for(appointment))
    return changed


# --- Public bookings ---------------------------------------------------------------------------


def booking_page_get_or_create(*, store: Store, associate=None) -> BookingPage:
    """The store's public booking page, or one associate's in it (made on first need)."""
    page, _created = BookingPage.objects.get_or_create(store=store, associate=associate)
    return page


def booking_customer_match_or_create(*, legal_entity: LegalEntity, store: Store, first_name: str,
                                     last_name: str, email: str, phone: str) -> Customer:
    """The customer with this email or phone in the legal entity, else a new prospect.

    An existing customer's details are never overwritten from a public form; a new one is a
    prospect (is_prospect) until an associate qualifies them.
    """
    email = (email or "").strip().lower()
    phone = (phone or "").strip()
    match = Q()
    if email:
        match |= Q(email__iexact=email)
    if phone:
        match |= Q(phone=phone)
    if not match:
        raise ValidationError(_("Give an email address or a mobile number."))
    existing = (Customer.objects.filter(match, legal_entity=legal_entity, erased_at__isnull=True)
                .order_by("is_prospect", "pk").first())
    if existing is not None:
        return existing
    customer = clienteling_services.customer_prospect_for_phone(
        legal_entity=legal_entity, store=store, phone=phone)
    clienteling_services.customer_update_contact(
        customer=customer, changes={"first_name": first_name.strip(), "last_name": last_name.strip(),
                                    "email": email},
        updated_by=None, sensitive_allowed=True)
    return customer


def _refuse_short_notice(appointment_type: AppointmentType, starts_at: datetime) -> None:
    """Customers book (and move) with the type's notice; the page offers no earlier slot, and a
    form posted by hand or left open past it is told so."""
    if starts_at < timezone.now() + appointment_type.notice:
        raise ValidationError({"starts_at": _(
            "This time is too soon to book online: choose a time at least %(notice)s from now, or "
            "call the store.") % {"notice": duration_text(appointment_type.notice_minutes)}})


def public_booking_create(*, page: BookingPage, appointment_type: AppointmentType, starts_at: datetime,
                          first_name: str, last_name: str, email: str, phone: str, reminder_channel: str,
                          consent: bool, notes: str = "") -> Appointment:
    """A customer books from a public page: matched or new customer, an associate free then, the
    customer's consent to reminders on the channel they chose. ValidationError when taken."""
    store = page.store
    if not consent:
        raise ValidationError({"consent": _("Tick the box to agree, so we can keep your booking.")})
    if reminder_channel in (Channel.SMS, Channel.WHATSAPP) and not phone:
        raise ValidationError({"phone": _("Give a mobile number for reminders by text.")})
    if reminder_channel == Channel.EMAIL and not email:
        raise ValidationError({"email": _("Give an email address for reminders by email.")})
    _refuse_short_notice(appointment_type, starts_at)
    day = starts_at.astimezone(store.tzinfo).date()
    from ..availability import free_slots

    slots = free_slots(store=store, appointment_type=appointment_type, first_day=day, days=1,
                       associate_id=page.associate_id, earliest=timezone.now() + appointment_type.notice)
    slot = next((s for s in slots[day] if s.starts_at == starts_at), None)
    if slot is None:
        raise ValidationError({"starts_at": _("This time has just been taken. Please choose another.")})
    with transaction.atomic():
        customer = booking_customer_match_or_create(
            legal_entity=store.legal_entity, store=store, first_name=first_name, last_name=last_name,
            email=email, phone=phone)
        if reminder_channel in (Channel.SMS, Channel.WHATSAPP, Channel.EMAIL):
            current = CustomerConsent.objects.filter(customer=customer, channel=reminder_channel).first()
            if current is None or current.state != ConsentState.OPTED_IN:
                clienteling_services.customer_consent_set(
                    customer=customer, channel=reminder_channel, state=ConsentState.OPTED_IN,
                    source=CustomerConsent.Source.WEB, detail="Appointment booking page")
        associate_ids = slot.associate_ids
        if page.associate_id is None and customer.primary_salesperson_id in associate_ids:
            associate_ids = [customer.primary_salesperson_id]  # their own associate when free
        from django.contrib.auth import get_user_model

        associate = get_user_model().objects.get(pk=associate_ids[0])
        return appointment_book(store=store, appointment_type=appointment_type, customer=customer,
                                associate=associate, starts_at=starts_at, source=Appointment.Source.CUSTOMER,
                                notes=notes, reminder_channel=reminder_channel)


def public_booking_move(*, appointment: Appointment, starts_at: datetime) -> Appointment:
    """The customer moves their own booking from their manage link (within hours, with the type's notice)."""
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("Choose a time in the future.")})
    _refuse_short_notice(appointment.appointment_type, starts_at)
    return appointment_move(appointment=appointment, starts_at=starts_at, by=None)
