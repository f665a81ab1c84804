"""Every appointments and booking URL against every kind of visitor, as tests/test_access_matrix.py
does for the apps below: anonymous, a company admin, a store manager and an associate of store A,
an associate of another store of the same legal entity, and an associate of another legal entity.
Objects belong to store A. Out-of-scope objects answer 404. A URL without a row fails the test.
Each request runs in a savepoint that is rolled back, with the rate limits' counts cleared."""

import fnmatch
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from appointments import services
from appointments.availability import wall_clock
from appointments.tokens import manage_token
from clienteling.models import Channel, StaffProfile
from conversations import services as conversation_services
from tests.factories import make_staff
from tests.test_access_matrix import URL_NAMES

from .conftest import book

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")
VISITORS = ("anonymous", "admin", "manager", "associate", "other_store", "other_entity")
LOGIN = "login"
SLOT = wall_clock(date(2026, 6, 10), time(13), NY)
LATER = SLOT + timedelta(hours=2)
PUBLIC = (200,) * 6
IN_SCOPE = ("login", 200, 200, 200, 404, 404)  # the associate's own appointment in store A


@pytest.fixture
def visitors(company_admin, manager, associate_a, associate_b, org):
    other_store = make_staff(StaffProfile.Role.ASSOCIATE, org["store_a2"], username="associate.a2")
    return {"anonymous": None, "admin": company_admin, "manager": manager, "associate": associate_a,
            "other_store": other_store, "other_entity": associate_b}


@pytest.fixture
def world(org, styling, hours, associate_a, customer_a, morning):
    appointment = book(org=org, customer=customer_a, associate=associate_a, kind=styling, at=SLOT)
    thread = conversation_services.conversation_get_or_create(customer=customer_a, store=org["store_a"],
                                                              channel=Channel.SMS, user=associate_a)
    page = services.booking_page_get_or_create(store=org["store_a"])
    return {"appointment": appointment, "customer": customer_a, "thread": thread, "page": page,
            "type": styling, "token": manage_token(appointment), "associate": associate_a}


def public_details(w):
    return {"starts_at": LATER.isoformat(), "first_name": "Nora", "last_name": "Blum",
            "email": "nora@example.com",
            "reminder_channel": "email", "consent": "on"}


def appointment(w):
    return [w["appointment"].pk]


# url name -> [(method, args(world), data(world), expected per visitor)]
REQUESTS = {
    "appointments:calendar": [("get", lambda w: [], lambda w: {}, (LOGIN, 200, 200, 200, 200, 200)),
                              ("get", lambda w: [], lambda w: {"scope": "store", "view": "day",
                                                               "date": "2026-06-10"},
                               (LOGIN, 200, 200, 200, 200, 200))],
    "appointments:booking_links": [("get", lambda w: [], lambda w: {}, (LOGIN, 200, 200, 200, 200, 200))],
    "appointments:book": [
        ("get", lambda w: [w["customer"].pk], lambda w: {}, (LOGIN, 200, 200, 200, 200, 404)),
        # Managers and admins book for another associate; an associate of store A2 may not (form error).
        ("post", lambda w: [w["customer"].pk],
         lambda w: {"store": w["appointment"].store_id, "appointment_type": w["type"].pk,
                    "associate": w["associate"].pk, "date": "2026-06-10", "starts_at": LATER.isoformat(),
                    "location_kind": "in_store", "reminder_channel": ""},
         (LOGIN, "→/appointments/*/", "→/appointments/*/", "→/appointments/*/", 400, 404)),
    ],
    "appointments:detail": [("get", appointment, lambda w: {}, IN_SCOPE)],
    "appointments:move": [
        ("get", appointment, lambda w: {}, IN_SCOPE),
        ("post", appointment, lambda w: {"starts_at": LATER.isoformat(), "date": "2026-06-10"},
         (LOGIN, "→/appointments/{appointment}/", "→/appointments/{appointment}/",
          "→/appointments/{appointment}/", 404, 404)),
    ],
    "appointments:cancel": [("post", appointment, lambda w: {},
                             (LOGIN, "→/appointments/{appointment}/", "→/appointments/{appointment}/",
                              "→/appointments/{appointment}/", 404, 404))],
    # Not started yet: a 400 saying so, for those who may see it.
    "appointments:mark": [("post", appointment, lambda w: {"status": "held"}, (LOGIN, 400, 400, 400, 404,
                                                                               404))],
    "appointments:booking_link_compose": [
        ("post", lambda w: [w["thread"].pk], lambda w: {},
         (LOGIN, "→/conversations/{thread}/", "→/conversations/{thread}/", "→/conversations/{thread}/",
          404, 404)),
    ],
    "booking:page": [("get", lambda w: [w["page"].token], lambda w: {}, PUBLIC)],
    "booking:slots": [("get", lambda w: [w["page"].token, w["type"].pk], lambda w: {}, PUBLIC)],
    "booking:book": [
        ("get", lambda w: [w["page"].token, w["type"].pk], lambda w: {"at": LATER.isoformat()}, PUBLIC),
        ("post", lambda w: [w["page"].token, w["type"].pk], public_details, ("→/b/m/*/",) * 6),
    ],
    "booking:manage": [("get", lambda w: [w["token"]], lambda w: {}, PUBLIC)],
    "booking:ics": [("get", lambda w: [w["token"]], lambda w: {}, PUBLIC)],
    "booking:cancel": [("post", lambda w: [w["token"]], lambda w: {}, PUBLIC)],
    "booking:move": [("get", lambda w: [w["token"]], lambda w: {}, PUBLIC),
                     ("post", lambda w: [w["token"]], lambda w: {"starts_at": LATER.isoformat()},
                      ("→/b/m/*/",) * 6)],
}


def outcome(response) -> str:
    if response.status_code == 302:
        location = response["Location"]
        return LOGIN if location.startswith("/login/") else f"→{location}"
    return str(response.status_code)


def visit(client, user, method: str, url: str, data: dict):
    client.logout()
    cache.clear()
    if user is not None:
        client.force_login(user)
    with transaction.atomic():
        response = getattr(client, method)(url, data)
        transaction.set_rollback(True)
    return response


def test_every_url_has_a_row():
    ours = [name for name in URL_NAMES if name.split(":")[0] in ("appointments", "booking")]
    assert ours and sorted(ours) == sorted(REQUESTS)


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_each_visitor_gets_what_the_table_says(client, visitors, world, name):
    ids = {"appointment": world["appointment"].pk, "thread": world["thread"].pk}
    wrong = []
    for method, args, data, expected_row in REQUESTS[name]:
        url = reverse(name, args=args(world))
        for visitor, expected in zip(VISITORS, expected_row, strict=True):
            found = outcome(visit(client, visitors[visitor], method, url, data(world)))
            want = str(expected).format(**ids)
            if not fnmatch.fnmatchcase(found, want):
                wrong.append(f"{method.upper()} {url} as {visitor}: {found}, expected {want}")
    assert wrong == []


def test_switched_off_the_module_answers_404(client, visitors, world):
    from clienteling.models import ModuleSettings

    settings_row = ModuleSettings.load()
    settings_row.switches = {**settings_row.switches, "appointments": False}
    settings_row.save()
    client.force_login(visitors["associate"])
    assert client.get(reverse("appointments:calendar")).status_code == 404
    assert client.get(reverse("appointments:detail", args=[world["appointment"].pk])).status_code == 404
