"""The customer's timeline lines an appointment writes, rendered in the reader's language.

Stored as a key and plain parameters (Activity.text_key, text_params): the times as ISO
datetimes with the store's zone, shown in the reader's date and time formats in that zone.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clienteling.registry import ActivityKind, TimelineText

BOOKED = "appointment-booked"
MOVED = "appointment-moved"
CANCELLED = "appointment-cancelled"
HELD = "appointment-held"
NO_SHOW = "appointment-no-show"

# The activity types appointments creates: slug -> (name as created, icon, counts as contact).
ACTIVITY_TYPES = {
    "appointment": (gettext_lazy("Appointment"), "calendar-check", True),
    "appointment-no-show": (gettext_lazy("Appointment no-show"), "x-circle", False),
    "appointment-cancelled": (gettext_lazy("Appointment cancelled"), "x-circle", False),
}


def params_for(appointment, **extra) -> dict:
    return {"type": appointment.appointment_type.name, "at": appointment.starts_at.isoformat(),
            "tz": appointment.store.timezone, **extra}


def _when(params: dict, key: str = "at") -> str:
    local = datetime.fromisoformat(params[key]).astimezone(ZoneInfo(params["tz"]))
    return f"{date_format(local, 'DATE_FORMAT')} {date_format(local, 'TIME_FORMAT')}"


def _booked(params: dict) -> str:
    return _("Appointment booked: %(type)s on %(when)s") % {"type": params["type"], "when": _when(params)}


def _moved(params: dict) -> str:
    return _("Appointment moved from %(old)s to %(new)s") % {"old": _when(params, "from"),
                                                             "new": _when(params)}


def _cancelled(params: dict) -> str:
    if params.get("by"):
        return _("Appointment on %(when)s cancelled by %(name)s") % {"when": _when(params),
                                                                     "name": params["by"]}
    return _("Appointment on %(when)s cancelled by the customer") % {"when": _when(params)}


def _held(params: dict) -> str:
    return _("Appointment held: %(type)s") % {"type": params["type"]}


def _no_show(params: dict) -> str:
    return _("No-show: %(type)s on %(when)s") % {"type": params["type"], "when": _when(params)}


TEXTS = [TimelineText(BOOKED, _booked), TimelineText(MOVED, _moved), TimelineText(CANCELLED, _cancelled),
         TimelineText(HELD, _held), TimelineText(NO_SHOW, _no_show)]
# "appointment" is one of clienteling's own default types (its migration creates it).
KINDS = [ActivityKind(slug, name) for slug, (name, _icon, _counts) in ACTIVITY_TYPES.items()
         if slug != "appointment"]
