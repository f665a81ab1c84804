"""The public booking pages end to end (plain forms, no JavaScript): pick a type and a time,
give name and contact, confirmation with its manage link; moving, cancelling, the .ics; a
prospect made or a customer matched; the rate limit per address and per contact."""

from datetime import date, time, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from icalendar import Calendar

from appointments import services
from appointments.availability import wall_clock
from appointments.models import Appointment
from appointments.tokens import manage_token
from clienteling.models import Activity, ConsentState, Customer, CustomerConsent

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")
SLOT = wall_clock(date(2026, 6, 11), time(11), NY)  # Thursday 11:00 in New York


@pytest.fixture
def page(org):
    return services.booking_page_get_or_create(store=org["store_a"])


def details(**extra):
    return {"starts_at": SLOT.isoformat(), "first_name": "Nora", "last_name": "Blum",
            "email": "nora@example.com", "phone": "", "reminder_channel": "email", "consent": "on", **extra}


def test_the_whole_journey(client, org, page, styling, hours, associate_a, manager, morning, mailoutbox,
                           django_capture_on_commit_callbacks):
    start = client.get(reverse("booking:page", args=[page.token]))
    assert start.status_code == 200
    assert styling.name in start.text and "New York" in start.text
    week = client.get(reverse("booking:slots", args=[page.token, styling.pk]))
    assert week.status_code == 200
    book_url = reverse("booking:book", args=[page.token, styling.pk])
    assert f"{book_url}?at={quote(SLOT.isoformat(), safe='')}" in week.text.replace("&amp;", "&")
    assert "America/New_York" in week.text
    form = client.get(book_url, {"at": SLOT.isoformat()})
    assert form.status_code == 200 and "Thursday 11 June 2026, 11 a.m." in form.text
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(book_url, details())
    assert done.status_code == 302
    appointment = Appointment.objects.get()
    assert done["Location"] == reverse("booking:manage", args=[manage_token(appointment)])
    assert appointment.source == Appointment.Source.CUSTOMER and appointment.starts_at == SLOT
    customer = appointment.customer
    assert customer.is_prospect and customer.email == "nora@example.com" and customer.first_name == "Nora"
    assert CustomerConsent.objects.get(customer=customer, channel="email").state == ConsentState.OPTED_IN
    assert Activity.objects.filter(customer=customer, activity_type__slug="appointment").exists()
    # The confirmation email carries the invitation.
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["nora@example.com"] and "booked" in email.subject
    name, content, mimetype = email.attachments[0]
    assert name == "appointment.ics" and mimetype.startswith("text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == SLOT
    confirmation = client.get(done["Location"])
    assert confirmation.status_code == 200
    assert "Your appointment is booked" in confirmation.text and "11 a.m." in confirmation.text
    assert confirmation["X-Robots-Tag"] == "noindex, nofollow"


def test_an_existing_customer_is_matched_by_email_or_phone(client, org, page, styling, hours, customer_a,
                                                           morning):
    url = reverse("booking:book", args=[page.token, styling.pk])
    response = client.post(url, details(email="CLAIRE@example.com", first_name="Someone", last_name="Else"))
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.customer == customer_a
    customer_a.refresh_from_db()
    assert customer_a.first_name == "Claire"  # a public form never rewrites an existing customer
    # The customer's own associate takes it when free.
    assert appointment.associate == customer_a.primary_salesperson


def test_a_customer_of_another_company_is_not_matched(client, org, page, styling, hours, customer_b, morning):
    client.post(reverse("booking:book", args=[page.token, styling.pk]), details(email="jean@example.fr"))
    appointment = Appointment.objects.get()
    assert appointment.customer != customer_b
    assert appointment.customer.legal_entity == org["entity"]


def test_bad_input_is_a_form_error_and_writes_nothing(client, org, page, styling, hours, morning):
    url = reverse("booking:book", args=[page.token, styling.pk])
    no_consent = details()
    del no_consent["consent"]
    assert client.post(url, no_consent).status_code == 400
    no_contact = client.post(url, details(email="", reminder_channel=""))
    assert no_contact.status_code == 400 and "email address or a mobile number" in no_contact.text
    bad_time = client.post(url, details(starts_at="2026-06-11T03:00:00+00:00"))
    assert bad_time.status_code == 400 and "just been taken" in bad_time.text
    assert client.post(url, details(phone="not a number", reminder_channel="sms")).status_code == 400
    assert client.get(url, {"at": "nonsense"}).status_code == 302
    assert not Appointment.objects.exists() and not Customer.objects.filter(email="nora@example.com").exists()


def test_a_taken_time_is_refused_kindly(client, org, page, styling, associate_a, morning):
    from .conftest import open_store, work

    open_store(org["store_a"])
    work(associate_a, org["store_a"])  # one associate only
    url = reverse("booking:book", args=[page.token, styling.pk])
    assert client.post(url, details()).status_code == 302
    again = client.post(url, details(email="second@example.com"))
    assert again.status_code == 400 and "just been taken" in again.text
    assert Appointment.objects.count() == 1


def test_an_associates_page_books_with_them(client, org, styling, hours, associate_a, manager, morning):
    page = services.booking_page_get_or_create(store=org["store_a"], associate=manager)
    client.post(reverse("booking:book", args=[page.token, styling.pk]), details())
    assert Appointment.objects.get().associate == manager


def test_unknown_pages_and_types_are_404(client, org, page, styling, hours, morning):
    from appointments.models import AppointmentType

    assert client.get(reverse("booking:page", args=["nope"])).status_code == 404
    private = AppointmentType.objects.create(legal_entity=org["entity"], name="Private",
                                             bookable_by_customers=False)
    assert client.get(reverse("booking:slots", args=[page.token, private.pk])).status_code == 404
    other = AppointmentType.objects.create(legal_entity=org["other_entity"], name="Elsewhere")
    assert client.get(reverse("booking:slots", args=[page.token, other.pk])).status_code == 404
    assert client.get(reverse("booking:manage", args=["forged:token"])).status_code == 404


def test_move_and_cancel_from_the_manage_link(client, org, page, styling, hours, morning, mailoutbox,
                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("booking:book", args=[page.token, styling.pk]), details())
    appointment = Appointment.objects.get()
    token = manage_token(appointment)
    move_page = client.get(reverse("booking:move", args=[token]))
    assert move_page.status_code == 200
    later = SLOT + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        moved = client.post(reverse("booking:move", args=[token]), {"starts_at": later.isoformat()})
    assert moved.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == later
    assert "moved" in mailoutbox[-1].subject
    assert client.post(reverse("booking:move", args=[token]), {"starts_at": "bad"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = client.post(reverse("booking:cancel", args=[token]))
    assert cancelled.status_code == 200 and "cancelled" in cancelled.text
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    event = Calendar.from_ical(mailoutbox[-1].attachments[0][1]).walk("VEVENT")[0]
    assert str(event["status"]) == "CANCELLED"
    # The link still shows what happened; it offers no more changes.
    after = client.get(reverse("booking:manage", args=[token]))
    assert after.status_code == 200 and "was cancelled" in after.text
    assert client.get(reverse("booking:move", args=[token])).status_code == 302


def test_ics_download(client, org, page, styling, hours, morning):
    client.post(reverse("booking:book", args=[page.token, styling.pk]), details())
    appointment = Appointment.objects.get()
    response = client.get(reverse("booking:ics", args=[manage_token(appointment)]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["version"]) == "2.0"
    event = calendar.walk("VEVENT")[0]
    assert str(event["uid"]) == f"appointment-{appointment.pk}@atelier"
    assert event.decoded("dtstart") == SLOT and event.decoded("dtend") == SLOT + timedelta(minutes=60)
    assert "Styling session" in str(event["summary"]) and org["store_a"].name in str(event["summary"])
    assert str(event["status"]) == "CONFIRMED"
    assert reverse("booking:manage", args=[manage_token(appointment)]) in str(event["description"])


def test_rate_limit_per_address(client, org, page, styling, hours, morning):
    url = reverse("booking:book", args=[page.token, styling.pk])
    for n in range(5):
        slot = SLOT + timedelta(hours=n)
        response = client.post(url, details(email=f"person{n}@example.com", starts_at=slot.isoformat()))
        assert response.status_code == 302, n
    limited = client.post(url, details(email="sixth@example.com",
                                       starts_at=(SLOT + timedelta(hours=5)).isoformat()))
    assert limited.status_code == 429
    assert "try again" in limited.text.lower() and limited["Retry-After"] == "3600"
    assert Appointment.objects.count() == 5
    # Another address may still book.
    other = client.post(url, details(email="other@example.com",
                                     starts_at=(SLOT + timedelta(hours=6)).isoformat()),
                        REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_rate_limit_per_contact(client, org, page, styling, hours, morning):
    url = reverse("booking:book", args=[page.token, styling.pk])
    for n in range(5):
        client.post(url, details(starts_at=(SLOT + timedelta(hours=n)).isoformat()),
                    REMOTE_ADDR=f"10.0.1.{n}")
    limited = client.post(url, details(starts_at=(SLOT + timedelta(hours=6)).isoformat()),
                          REMOTE_ADDR="10.0.2.1")
    assert limited.status_code == 429


def test_the_types_notice_is_kept_on_the_page_and_by_the_service(client, page, styling, hours, morning):
    # 08:00 in New York; the store opens at 10:00. Three hours' notice: 11:00 is the first time.
    styling.notice_minutes = 180
    styling.save()
    too_soon = wall_clock(date(2026, 6, 10), time(10), NY)
    first = wall_clock(date(2026, 6, 10), time(11), NY)
    week = client.get(reverse("booking:slots", args=[page.token, styling.pk])).text.replace("&amp;", "&")
    assert quote(too_soon.isoformat(), safe="") not in week
    assert quote(first.isoformat(), safe="") in week
    url = reverse("booking:book", args=[page.token, styling.pk])
    refused = client.post(url, details(starts_at=too_soon.isoformat()))
    assert refused.status_code == 400
    assert "too soon to book online" in refused.text and "3 hours" in refused.text
    assert not Appointment.objects.exists()
    assert client.post(url, details(starts_at=first.isoformat())).status_code == 302
    # The customer's own move keeps the notice too.
    with pytest.raises(ValidationError, match="too soon"):
        services.public_booking_move(appointment=Appointment.objects.get(), starts_at=too_soon)


def test_duration_text_says_a_span_as_people_do():
    from clienteling.dates import duration_text

    assert [duration_text(m) for m in (0, 45, 60, 90, 24 * 60, 25 * 60 + 5)] == [
        "0 minutes", "45 minutes", "1 hour", "1 hour 30 minutes", "1 day", "1 day 1 hour 5 minutes"]
