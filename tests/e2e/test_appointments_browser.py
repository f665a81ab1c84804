"""Appointments in Chromium at 390 and 1366 px: axe finds nothing serious on the console's
calendar, booking, appointment, move and booking-link screens, nor on the customer's booking
pages; a customer books on a phone with plain forms (JavaScript off) and lands on the
confirmation. Set ATELIER_SCREENSHOTS=/some/dir to keep every screen."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments import services
from appointments.availability import free_slots
from appointments.models import Appointment
from appointments.tokens import manage_token
from tests.appointments.conftest import open_store, work
from tests.e2e.axe import axe_context, findings
from tests.e2e.browser import DESKTOP, PHONE, requires_chromium, screenshot, settled, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]


@pytest.fixture
def booked(org, manager, associate_a, customer_a):
    from appointments.models import AppointmentType

    kind = AppointmentType.objects.create(legal_entity=org["entity"], name="Styling session",
                                          duration_minutes=60, buffer_minutes=15)
    AppointmentType.objects.create(legal_entity=org["entity"], name="Video consultation",
                                   duration_minutes=30, location_kind="video")
    open_store(org["store_a"], days=range(7))
    work(associate_a, org["store_a"])
    work(manager, org["store_a"])
    day = (timezone.now() + timedelta(days=2)).astimezone(org["store_a"].tzinfo).date()
    slot = free_slots(store=org["store_a"], appointment_type=kind, first_day=day, days=1,
                      associate_id=associate_a.pk)[day][4]
    appointment = services.appointment_book(
        store=org["store_a"], appointment_type=kind, customer=customer_a, associate=associate_a,
        starts_at=slot.starts_at, created_by=associate_a, notes="Winter coats, size 38")
    page = services.booking_page_get_or_create(store=org["store_a"], associate=associate_a)
    return {"appointment": appointment, "kind": kind, "page": page, "customer": customer_a, "day": day}


def check(page, url: str, name: str) -> dict[str, list[str]]:
    found = {}
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.mouse.move(0, 0)
        page.wait_for_timeout(150)
        lines = findings(page)
        if lines:
            found[f"{name} @ {size['width']}px"] = lines
        screenshot(page, f"appointments-{name}", sizes=None)
    return found


def report(found) -> str:
    return "\n".join(f"{where}: {line}" for where, lines in found.items() for line in lines)


def test_console_screens(live_server, browser, manager, booked):
    base = live_server.url
    appointment = booked["appointment"]
    context = axe_context(browser, PHONE, has_touch=True)
    page = context.new_page()
    sign_in(page, base, manager)
    found = {}
    day = booked["day"].isoformat()
    for name, url in (
        ("calendar-week", reverse("appointments:calendar") + f"?date={day}"),
        ("calendar-store-day", reverse("appointments:calendar") + f"?scope=store&view=day&date={day}"),
        ("book", reverse("appointments:book", args=[booked["customer"].pk]) + f"?date={day}"),
        ("detail", reverse("appointments:detail", args=[appointment.pk])),
        ("move", reverse("appointments:move", args=[appointment.pk])),
        ("links", reverse("appointments:booking_links")),
        ("profile", reverse("clienteling:customer_detail", args=[booked["customer"].pk])),
    ):
        found |= check(page, base + url, name)
    context.close()
    assert found == {}, report(found)


def test_book_from_the_console_with_htmx(live_server, browser, manager, booked):
    base = live_server.url
    context = axe_context(browser, PHONE, has_touch=True)
    page = context.new_page()
    sign_in(page, base, manager)
    page.goto(base + reverse("appointments:book", args=[booked["customer"].pk]))
    page.fill("#id_date", booked["day"].isoformat())
    with page.expect_response(lambda response: "date=" in response.url):
        page.locator("#id_date").dispatch_event("change")
    settled(page)
    page.locator("#slots-block label.slot").nth(8).click()
    page.get_by_role("button", name="Book", exact=True).click()
    page.wait_for_url("**/appointments/*/")
    assert "Appointment booked" in page.content()
    assert Appointment.objects.filter(customer=booked["customer"]).count() == 2
    context.close()


def test_customer_books_on_a_phone_without_javascript(live_server, browser, booked):
    base = live_server.url
    context = axe_context(browser, PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(base + reverse("booking:page", args=[booked["page"].token]))
    page.get_by_role("link", name="Styling session").click()
    page.locator("a.slot").first.click()
    page.fill("#id_first_name", "Nora")
    page.fill("#id_last_name", "Blum")
    page.fill("#id_email", "nora@example.com")
    page.check("#id_consent")
    page.get_by_role("button", name="Book", exact=True).click()
    assert "Your appointment is booked" in page.content()
    mine = Appointment.objects.get(customer__email="nora@example.com")
    assert mine.associate_id == booked["page"].associate_id
    context.close()


def test_customer_pages(live_server, browser, booked):
    base = live_server.url
    token, kind = booked["page"].token, booked["kind"]
    slot = free_slots(store=booked["page"].store, appointment_type=kind, first_day=booked["day"], days=1,
                      associate_id=booked["page"].associate_id)[booked["day"]][0]
    manage = manage_token(booked["appointment"])
    context = axe_context(browser, PHONE)
    page = context.new_page()
    found = {}
    for name, url in (
        ("public-page", reverse("booking:page", args=[token])),
        ("public-slots", reverse("booking:slots", args=[token, kind.pk])),
        ("public-book", reverse("booking:book", args=[token, kind.pk]) + "?at="
         + slot.starts_at.isoformat().replace("+", "%2B")),
        ("public-manage", reverse("booking:manage", args=[manage])),
        ("public-move", reverse("booking:move", args=[manage])),
    ):
        found |= check(page, base + url, name)
    # A form sent with errors, and the rate limit's page.
    page.set_viewport_size(PHONE)
    page.goto(base + reverse("booking:book", args=[token, kind.pk]) + "?at="
              + slot.starts_at.isoformat().replace("+", "%2B"))
    page.get_by_role("button", name="Book", exact=True).click()
    lines = findings(page)
    if lines:
        found["public-book-errors"] = lines
    screenshot(page, "appointments-public-book-errors")
    context.close()
    assert found == {}, report(found)
