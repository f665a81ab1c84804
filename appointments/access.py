"""Who may see and change which appointment. Else 404.

Associates: their own appointments, booked for customers they may see. Store managers: their
own and every appointment of the stores they manage. Company admins: every store's.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from clienteling.access import (
    customers_available,
    is_company_admin,
    managed_stores_for,
    module_view,
    stores_for,
)
from clienteling.models import ModuleSettings

from .models import Appointment

PERMISSION = "appointments.view_appointment"
BOOK = "appointments.add_appointment"


def appointments_enabled() -> bool:
    return ModuleSettings.load().enabled("appointments")


def appointments_available(user) -> bool:
    """require_appointments as a yes/no, for menus and buttons."""
    return appointments_enabled() and customers_available(user) and user.has_perm(PERMISSION)


def require_appointments(user) -> None:
    """Appointments switched off (or the customer module) make the console's URLs 404."""
    if not appointments_enabled() or not ModuleSettings.load().customers_enabled:
        raise Http404
    if not user.has_perm("clienteling.view_customer_profile") or not user.has_perm(PERMISSION):
        raise PermissionDenied


def appointments_for(user) -> QuerySet[Appointment]:
    """Every appointment the user may open."""
    if is_company_admin(user):
        return Appointment.objects.filter(store__in=stores_for(user))
    return Appointment.objects.filter(
        Q(associate=user, store__in=stores_for(user)) | Q(store__in=managed_stores_for(user)))


def can_book_for_others(user, store) -> bool:
    """Managers (of that store) and company admins choose the associate; associates book themselves."""
    return is_company_admin(user) or managed_stores_for(user).filter(pk=store.pk).exists()


def access_appointment(user, appointment_id) -> Appointment:
    try:
        appointment_id = int(appointment_id)
    except (TypeError, ValueError):
        raise Http404 from None
    appointment = (appointments_for(user)
                   .select_related("customer", "store", "associate", "appointment_type")
                   .filter(pk=appointment_id).first())
    if appointment is None:
        raise Http404
    return appointment


appointments_view = module_view(require_appointments)
