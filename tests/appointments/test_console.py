"""The associates' screens: calendar (no query per appointment), booking from the profile, the
profile section, the booking link put into a thread's composer."""

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from appointments.availability import wall_clock
from appointments.models import Appointment
from clienteling.models import Channel
from conversations import services as conversation_services
from tests.conversations.conftest import opt_in
from tests.factories import CustomerFactory

from .conftest import book

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")
DAY = date(2026, 6, 10)


def fill_week(org, styling, associate, count):
    customers = CustomerFactory.create_batch(count, legal_entity=org["entity"], home_store=org["store_a"])
    for n, customer in enumerate(customers):
        at = wall_clock(DAY + timedelta(days=n % 3), time(10), NY) + timedelta(minutes=75 * (n // 3))
        book(org=org, customer=customer, associate=associate, kind=styling, at=at)


@pytest.mark.parametrize("count", [3, 15])
def test_week_calendar_costs_the_same_queries_for_3_or_15_appointments(
        client, org, styling, hours, associate_a, morning, count, django_assert_num_queries):
    fill_week(org, styling, associate_a, count)
    client.force_login(associate_a)
    url = reverse("appointments:calendar")
    client.get(url)  # warm the per-process caches (module settings)
    # session, user, the user's and their groups' permissions (2), staff profile, managed stores
    # (the store tabs), and the week's appointments with customer, type, store and associate joined.
    with django_assert_num_queries(QUERIES):
        response = client.get(url, {"date": "2026-06-10"})
    assert response.status_code == 200
    assert response.text.count("data-appointment=") == count


QUERIES = 7


def test_calendar_day_view_and_store_scope_for_managers(client, org, styling, hours, associate_a, manager,
                                                        customer_a, morning):
    book(org=org, customer=customer_a, associate=associate_a, kind=styling, at=wall_clock(DAY, time(13), NY))
    client.force_login(manager)
    mine = client.get(reverse("appointments:calendar"), {"view": "day", "date": "2026-06-10"})
    assert "data-appointment=" not in mine.text  # not the manager's own
    store = client.get(reverse("appointments:calendar"), {"scope": "store", "store": org["store_a"].pk,
                                                         "view": "day", "date": "2026-06-10"})
    assert store.text.count("data-appointment=") == 1 and "Claire Dupont" in store.text
    assert "1 p.m." in store.text  # in the store's time zone
    client.force_login(associate_a)
    associate_view = client.get(reverse("appointments:calendar"), {"scope": "store", "date": "2026-06-10"})
    assert associate_view.text.count("data-appointment=") == 1  # their own, not a store view


def test_book_from_the_profile(client, org, styling, hours, associate_a, customer_a, morning):
    client.force_login(associate_a)
    profile = client.get(reverse("clienteling:customer_detail", args=[customer_a.pk]))
    assert reverse("appointments:book", args=[customer_a.pk]) in profile.text
    page = client.get(reverse("appointments:book", args=[customer_a.pk]), {"date": "2026-06-10"})
    assert page.status_code == 200
    slot = wall_clock(DAY, time(14, 30), NY)
    assert slot.isoformat() in page.text
    # htmx asks for the free times of another day: the fragment only.
    fragment = client.get(reverse("appointments:book", args=[customer_a.pk]), {"date": "2026-06-11"},
                          HTTP_HX_REQUEST="true")
    assert fragment.text.lstrip().startswith("<div id=\"slots-block\">")
    response = client.post(reverse("appointments:book", args=[customer_a.pk]), {
        "store": org["store_a"].pk, "appointment_type": styling.pk, "associate": associate_a.pk,
        "date": "2026-06-10", "starts_at": slot.isoformat(), "location_kind": "in_store", "notes": "Coats",
        "reminder_channel": "email"})
    appointment = Appointment.objects.get()
    assert response["Location"] == reverse("appointments:detail", args=[appointment.pk])
    assert (appointment.starts_at, appointment.notes, appointment.created_by) == (slot, "Coats", associate_a)
    # The same time again is a form error, not a 500.
    again = client.post(reverse("appointments:book", args=[customer_a.pk]), {
        "store": org["store_a"].pk, "appointment_type": styling.pk, "associate": associate_a.pk,
        "date": "2026-06-10", "starts_at": slot.isoformat(), "location_kind": "in_store"})
    assert again.status_code == 400 and "another appointment overlaps" in again.text
    video = client.post(reverse("appointments:book", args=[customer_a.pk]), {
        "store": org["store_a"].pk, "appointment_type": styling.pk, "associate": associate_a.pk,
        "date": "2026-06-10", "starts_at": (slot + timedelta(hours=2)).isoformat(), "location_kind": "video"})
    assert video.status_code == 400 and "video call&#x27;s link" in video.text
    profile = client.get(reverse("clienteling:customer_detail", args=[customer_a.pk]))
    assert reverse("appointments:detail", args=[appointment.pk]) in profile.text
    assert "Appointment booked: Styling session" in profile.text  # the timeline


def test_detail_move_cancel_and_mark(client, org, styling, hours, associate_a, customer_a, morning):
    appointment = book(org=org, customer=customer_a, associate=associate_a, kind=styling,
                       at=wall_clock(DAY, time(13), NY))
    client.force_login(associate_a)
    detail = client.get(reverse("appointments:detail", args=[appointment.pk]))
    assert "Move" in detail.text and "Mark as held" not in detail.text
    later = wall_clock(DAY, time(16), NY)
    moved = client.post(reverse("appointments:move", args=[appointment.pk]),
                        {"starts_at": later.isoformat(), "date": "2026-06-10"})
    assert moved.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == later
    morning.move_to(later + timedelta(minutes=5))
    detail = client.get(reverse("appointments:detail", args=[appointment.pk]))
    assert "Mark as held" in detail.text and "Mark as no-show" in detail.text
    client.post(reverse("appointments:mark", args=[appointment.pk]), {"status": "no_show"})
    assert Appointment.objects.get(pk=appointment.pk).status == "no_show"
    assert client.post(reverse("appointments:mark", args=[appointment.pk]),
                       {"status": "bogus"}).status_code == 400


def test_booking_link_goes_into_the_composer(client, org, associate_a, customer_a):
    opt_in(customer_a)
    thread = conversation_services.conversation_get_or_create(customer=customer_a, store=org["store_a"],
                                                              channel=Channel.SMS, user=associate_a)
    client.force_login(associate_a)
    page = client.get(reverse("conversations:detail", args=[thread.pk]))
    action = reverse("appointments:booking_link_compose", args=[thread.pk])
    assert action in page.text and 'data-thread-action="booking_link"' in page.text
    response = client.post(action)
    assert response["Location"] == reverse("conversations:detail", args=[thread.pk])
    page = client.get(response["Location"])
    assert "Book a time with me at New York: http" in page.text and "/b/" in page.text
