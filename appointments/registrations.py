"""What appointments adds to the apps below it: menu item, module switch, role rights, the
customer profile's "Appointments" section, the thread's "Booking link" action and the admin
tables watched for cached reads. Imported once, by AppointmentsConfig.ready()."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clienteling.registry import (
    ModuleSwitch,
    NavItem,
    ProfileSectionKind,
    RolePermissions,
    activity_kinds,
    module_switches,
    nav_items,
    profile_sections,
    role_permissions,
    timeline_texts,
)
from conversations.registry import ThreadAction, thread_actions

from . import selectors, timeline
from .access import appointments_available

RIGHTS = frozenset({"appointments.view_appointment", "appointments.add_appointment",
                    "appointments.change_appointment"})

nav_items.register(NavItem("appointments", _("Appointments"), "calendar-check", "appointments:calendar",
                           available=appointments_available, short_label=_("Calendar")))
module_switches.register(ModuleSwitch("appointments", _("Appointments"),
                                      _("Appointments booked by associates and by customers online.")))
role_permissions.register(RolePermissions("appointments", associate=RIGHTS, store_manager=RIGHTS))
for text in timeline.TEXTS:
    timeline_texts.register(text)
for kind in timeline.KINDS:
    activity_kinds.register(kind)


def _appointments_section(*, user, customer, section) -> dict:
    if not appointments_available(user):
        return {"appointments_disabled": True}
    return selectors.customer_appointments(user=user, customer=customer)


profile_sections.register(ProfileSectionKind(
    "appointments", _("Appointments"), "appointments/sections/appointments.html",
    context=_appointments_section, permission="appointments.view_appointment",
))

thread_actions.register(ThreadAction(
    "booking_link", _("Booking link"), "calendar-check",
    url=lambda conversation: reverse("appointments:booking_link_compose", args=[conversation.pk]),
    available=appointments_available, method="post",
))
