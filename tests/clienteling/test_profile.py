"""The customer profile: sections, editing, notes, follow-ups, activities, client book."""

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from clienteling import services
from clienteling.models import (
    Activity,
    ActivityType,
    AttributeOption,
    ClientBookEntry,
    CustomerAttribute,
    CustomerAttributeValue,
    ModuleSettings,
    Note,
    ProfileSection,
    ProfileSectionAttribute,
    StaffProfile,
    Task,
)
from clienteling.selectors.profile import customer_timeline
from tests.factories import (
    ActivityFactory,
    AttributeFactory,
    CustomerFactory,
    NoteFactory,
    TagFactory,
    TaskFactory,
    make_staff,
)

pytestmark = pytest.mark.django_db
DataType = CustomerAttribute.DataType
HTMX = {"HX-Request": "true"}
# 15 January 2026, 17:00 UTC = noon in New York (store A's zone).
NOON_IN_NEW_YORK = datetime(2026, 1, 15, 17, 0, tzinfo=UTC)


def profile_url(customer):
    return reverse("clienteling:customer_detail", args=[customer.pk])


def url(name, customer, *args):
    return reverse(f"clienteling:{name}", args=[customer.pk, *args])


def toast(response) -> str:
    return json.loads(response.headers["HX-Trigger"])["toast"]


def section(kind) -> ProfileSection:
    return ProfileSection.objects.get(kind=kind)


@pytest.fixture
def attributes_section():
    """The "Preferences" section showing one attribute of every type."""
    preferences = section("attributes")
    made = {}
    for position, (key, data_type, extra) in enumerate([
        ("text", DataType.TEXT, {}),
        ("number", DataType.NUMBER, {}),
        ("decimal", DataType.DECIMAL, {}),
        ("boolean", DataType.BOOLEAN, {"customer_editable": True}),
        ("date", DataType.DATE, {}),
        ("single", DataType.SINGLE_CHOICE, {}),
        ("multiple", DataType.MULTIPLE_CHOICE, {}),
    ]):
        attribute = AttributeFactory(name=f"Pref {key}", data_type=data_type, **extra)
        ProfileSectionAttribute.objects.create(section=preferences, attribute=attribute,
                                               position=position)
        made[key] = attribute
    for attribute, options in ((made["single"], ["silk", "wool"]),
                               (made["multiple"], ["red", "blue", "green"])):
        for position, value in enumerate(options):
            AttributeOption.objects.create(attribute=attribute, value=value, label=value.title(),
                                           position=position)
    return {"section": preferences, **made}


def field(attribute) -> str:
    return f"attribute_{attribute.pk}"


# The page ------------------------------------------------------------------------------------

def test_sections_follow_the_admins_order_and_skip_disabled_ones(client, manager, customer_a):
    ProfileSection.objects.filter(kind="notes").update(position=0, title="Notes first")
    ProfileSection.objects.filter(kind="contact").update(position=50)
    ProfileSection.objects.filter(kind="wishlist").update(enabled=False)
    client.force_login(manager)

    body = client.get(profile_url(customer_a)).content.decode()

    assert body.index("Notes first") < body.index("Preferences") < body.index("Contact details")
    assert "Wishlist" not in body


def test_attributes_section_shows_its_attributes_in_the_admins_order(client, manager, customer_a,
                                                                    attributes_section):
    services.attribute_values_set(customer=customer_a, attribute=attributes_section["decimal"],
                                  raw_values="38.5")
    services.attribute_values_set(customer=customer_a, attribute=attributes_section["multiple"],
                                  raw_values=["blue", "red"])
    client.force_login(manager)

    body = client.get(profile_url(customer_a)).content.decode()

    assert body.index("Pref text") < body.index("Pref decimal") < body.index("Pref multiple")
    assert "38.5<" in body
    assert "Red, Blue" in body


def test_profile_page_runs_the_same_queries_for_a_long_history(client, manager, associate_a, org,
                                                                customer_a, attributes_section,
                                                                django_assert_num_queries):
    def fill(customer, n):
        for i in range(n):
            ActivityFactory(customer=customer, actor=associate_a,
                            occurred_at=timezone.now() - timedelta(hours=i))
            NoteFactory(customer=customer, author=associate_a if i % 2 else manager)
            TaskFactory(customer=customer, assignee=associate_a, created_by=manager,
                        completed_at=timezone.now() if i % 3 == 0 else None)
            services.sale_record(
                customer=customer, store=org["store_a"], salesperson=associate_a,
                sold_at=timezone.now() - timedelta(days=i),
                lines=[{"title": f"Scarf {i}", "amount": Decimal("100.00")},
                       {"title": f"Belt {i}", "amount": Decimal("50.00")}],
            )
        services.attribute_values_set(customer=customer, attribute=attributes_section["multiple"],
                                      raw_values=["red", "blue"])
        customer.tags.add(TagFactory(), TagFactory())

    small = CustomerFactory(legal_entity=org["entity"], home_store=org["store_a"],
                            primary_salesperson=associate_a)
    fill(small, 1)
    fill(customer_a, 20)
    client.force_login(manager)
    client.get(profile_url(small))  # warm caches (content types, permissions)

    # The same for one row of each kind as for twenty: the sections, the consent section's
    # two (current and history) and the audit line a manager's unmasked view writes.
    expected = 29
    with django_assert_num_queries(expected):
        client.get(profile_url(small))
    with django_assert_num_queries(expected):
        response = client.get(profile_url(customer_a))

    assert response.status_code == 200
    assert response.content.decode().count("Scarf ") == 20


def test_purchase_history_groups_lines_by_sale(client, manager, associate_a, org, customer_a):
    services.sale_record(
        customer=customer_a, store=org["store_a"], salesperson=associate_a,
        sold_at=datetime(2025, 12, 1, 15, 0, tzinfo=UTC), external_id="R-1001",
        lines=[{"title": "Silk scarf", "amount": Decimal("250.00")},
               {"title": "Leather belt", "amount": Decimal("1200.50")}],
    )
    client.force_login(manager)

    body = client.get(profile_url(customer_a)).content.decode()

    receipt = body[body.index("#R-1001") - 600:]
    assert "New York" in receipt and "Alex Associate" in receipt
    assert "$1,450.50" in receipt
    assert receipt.index("Silk scarf") < receipt.index("Leather belt")
    assert "$250.00" in receipt


# Scope and permissions -----------------------------------------------------------------------

PROFILE_URLS = [
    ("GET", "profile_section", "section"), ("GET", "profile_timeline", None),
    ("GET", "profile_note_create", None), ("POST", "profile_note_create", None),
    ("GET", "profile_note_edit", "note"), ("POST", "profile_note_edit", "note"),
    ("POST", "profile_note_pin", "note"),
    ("GET", "profile_task_create", None), ("POST", "profile_task_create", None),
    ("POST", "profile_task_done", "task"),
    ("GET", "profile_activity_create", None), ("POST", "profile_activity_create", None),
    ("GET", "profile_contact_edit", None), ("POST", "profile_contact_edit", None),
    ("GET", "profile_attributes_edit", "attributes"), ("POST", "profile_attributes_edit", "attributes"),
    ("GET", "profile_tags", None), ("GET", "profile_tags_edit", None), ("POST", "profile_tags_edit", None),
    ("POST", "profile_client_book_add", None), ("POST", "profile_client_book_remove", None),
]


def _profile_url_args(kind, customer, associate):
    return {
        None: [],
        "section": [section("notes").pk],
        "attributes": [section("attributes").pk],
        "note": [NoteFactory(customer=customer, author=associate).pk],
        "task": [TaskFactory(customer=customer, assignee=associate).pk],
    }[kind]


@pytest.mark.parametrize(("method", "name", "kind"), PROFILE_URLS)
def test_another_legal_entitys_associate_gets_404_everywhere(client, associate_a, associate_b,
                                                             customer_a, method, name, kind):
    target = url(name, customer_a, *_profile_url_args(kind, customer_a, associate_a))
    client.force_login(associate_b)

    response = getattr(client, method.lower())(target, {"body": "x", "pinned": "1", "done": "1"},
                                               headers=HTMX)

    assert response.status_code == 404
    assert Note.objects.filter(body="x").count() == 0


@pytest.mark.parametrize(("method", "name", "kind"), PROFILE_URLS)
def test_signed_out_visitors_are_sent_to_login(client, associate_a, customer_a, method, name, kind):
    target = url(name, customer_a, *_profile_url_args(kind, customer_a, associate_a))

    response = getattr(client, method.lower())(target)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_profile_urls_answer_404_when_the_customer_module_is_off(client, associate_a, customer_a):
    ModuleSettings.objects.update_or_create(pk=1, defaults={"customers_enabled": False})
    client.force_login(associate_a)

    assert client.get(url("profile_note_create", customer_a)).status_code == 404
    assert client.post(url("profile_note_create", customer_a), {"body": "x"}).status_code == 404


# Notes ---------------------------------------------------------------------------------------

def test_associate_adds_a_note_and_gets_the_notes_section_back(client, associate_a, customer_a):
    client.force_login(associate_a)

    response = client.post(url("profile_note_create", customer_a), {"body": "Loves green silk"},
                           headers=HTMX)

    assert response.status_code == 200
    note = Note.objects.get(customer=customer_a)
    assert (note.body, note.author, note.store.code) == ("Loves green silk", associate_a, "nyc")
    assert "Loves green silk" in response.content.decode()
    assert "<html" not in response.content.decode()
    triggers = json.loads(response.headers["HX-Trigger"])
    assert triggers["toast"] == "Note added."
    assert "timelineChanged" in triggers


def test_note_posted_without_htmx_redirects_to_the_profile_with_a_message(client, associate_a,
                                                                           customer_a):
    client.force_login(associate_a)

    response = client.post(url("profile_note_create", customer_a), {"body": "Size 38"}, follow=True)

    assert response.redirect_chain[0][0].startswith(profile_url(customer_a))
    body = response.content.decode()
    assert "Note added." in body and "Size 38" in body


def test_an_empty_note_is_refused_with_the_forms_error(client, associate_a, customer_a):
    client.force_login(associate_a)

    htmx = client.post(url("profile_note_create", customer_a), {"body": "   "}, headers=HTMX)
    plain = client.post(url("profile_note_create", customer_a), {"body": ""})

    assert htmx.status_code == 400
    assert htmx.headers["HX-Retarget"] == "this"
    assert "is-invalid" in htmx.content.decode()
    assert plain.status_code == 400
    assert "This field is required." in plain.content.decode()
    assert not Note.objects.exists()


def test_note_shows_in_the_timeline(client, associate_a, customer_a):
    client.force_login(associate_a)
    client.post(url("profile_note_create", customer_a), {"body": "Asked about the spring line"})

    timeline = client.get(url("profile_section", customer_a, section("activities").pk), headers=HTMX)

    assert "Asked about the spring line" in timeline.content.decode()


def test_author_edits_their_note(client, associate_a, customer_a):
    note = NoteFactory(customer=customer_a, author=associate_a, body="Size 38")
    client.force_login(associate_a)

    form = client.get(url("profile_note_edit", customer_a, note.pk), headers=HTMX)
    response = client.post(url("profile_note_edit", customer_a, note.pk), {"body": "Size 40"},
                           headers=HTMX)

    assert "Size 38" in form.content.decode()
    assert response.status_code == 200
    note.refresh_from_db()
    assert note.body == "Size 40"
    assert toast(response) == "Note saved."


@pytest.mark.parametrize("method", ["get", "post"])
def test_editing_someone_elses_note_answers_404(client, manager, associate_a, customer_a, method):
    note = NoteFactory(customer=customer_a, author=manager, body="VIP, handle with care")
    client.force_login(associate_a)

    response = getattr(client, method)(url("profile_note_edit", customer_a, note.pk),
                                       {"body": "changed"})

    assert response.status_code == 404
    note.refresh_from_db()
    assert note.body == "VIP, handle with care"


def test_someone_elses_note_is_read_only_on_the_profile(client, manager, associate_a, customer_a):
    own = NoteFactory(customer=customer_a, author=associate_a)
    theirs = NoteFactory(customer=customer_a, author=manager)
    client.force_login(associate_a)

    body = client.get(profile_url(customer_a)).content.decode()

    assert url("profile_note_edit", customer_a, own.pk) in body
    assert url("profile_note_edit", customer_a, theirs.pk) not in body
    assert url("profile_note_pin", customer_a, theirs.pk) not in body


def test_a_note_of_another_customer_cannot_be_reached_through_this_one(client, associate_a, org,
                                                                       customer_a):
    other = CustomerFactory(legal_entity=org["entity"])
    note = NoteFactory(customer=other, author=associate_a, body="Other customer")
    client.force_login(associate_a)

    response = client.post(url("profile_note_edit", customer_a, note.pk), {"body": "moved"})

    assert response.status_code == 404


def test_author_pins_and_unpins_a_note_and_pinned_notes_come_first(client, associate_a,
                                                                    customer_a):
    older = NoteFactory(customer=customer_a, author=associate_a, body="Older note")
    NoteFactory(customer=customer_a, author=associate_a, body="Newer note")
    client.force_login(associate_a)

    pinned = client.post(url("profile_note_pin", customer_a, older.pk), {"pinned": "1"},
                         headers=HTMX)

    body = pinned.content.decode()
    assert body.index("Older note") < body.index("Newer note")
    older.refresh_from_db()
    assert older.pinned
    assert toast(pinned) == "Note pinned."

    client.post(url("profile_note_pin", customer_a, older.pk), {"pinned": "0"}, headers=HTMX)
    older.refresh_from_db()
    assert not older.pinned


def test_pinning_someone_elses_note_answers_404(client, manager, associate_a, customer_a):
    note = NoteFactory(customer=customer_a, author=manager)
    client.force_login(associate_a)

    response = client.post(url("profile_note_pin", customer_a, note.pk), {"pinned": "1"})

    assert response.status_code == 404
    note.refresh_from_db()
    assert not note.pinned


def test_pin_without_a_clear_answer_is_a_bad_request(client, associate_a, customer_a):
    note = NoteFactory(customer=customer_a, author=associate_a)
    client.force_login(associate_a)

    response = client.post(url("profile_note_pin", customer_a, note.pk), {"pinned": "maybe"})

    assert response.status_code == 400


# Follow-ups ----------------------------------------------------------------------------------

def test_follow_up_form_assigns_to_me_by_default_and_offers_store_colleagues(
        client, associate_a, manager, associate_b, customer_a):
    client.force_login(associate_a)

    body = client.get(url("profile_task_create", customer_a), headers=HTMX).content.decode()

    assert f'<option value="{associate_a.pk}" selected>' in body
    assert "Mia Manager" in body
    assert "Bea Other" not in body  # another legal entity's store


def test_inactive_staff_are_not_offered_as_assignees(client, associate_a, org, customer_a):
    leaver = make_staff(StaffProfile.Role.ASSOCIATE, org["store_a"], username="leaver",
                        first_name="Lee", last_name="Leaver")
    StaffProfile.objects.filter(user=leaver).update(active=False)
    client.force_login(associate_a)

    body = client.get(url("profile_task_create", customer_a), headers=HTMX).content.decode()

    assert "Lee Leaver" not in body


def test_associate_adds_a_follow_up_for_a_colleague(client, associate_a, manager, customer_a):
    client.force_login(associate_a)
    due = timezone.localdate() + timedelta(days=3)

    response = client.post(
        url("profile_task_create", customer_a),
        {"title": "Call about alterations", "due_on": due.isoformat(), "assignee": manager.pk},
        headers=HTMX,
    )

    assert response.status_code == 200
    task = Task.objects.get(customer=customer_a)
    assert (task.title, task.due_on, task.assignee, task.created_by) == (
        "Call about alterations", due, manager, associate_a)
    assert "Call about alterations" in response.content.decode()
    assert toast(response) == "Follow-up added."


def test_a_follow_up_cannot_go_to_staff_outside_the_stores(client, associate_a, associate_b,
                                                           customer_a):
    client.force_login(associate_a)

    response = client.post(url("profile_task_create", customer_a), {
        "title": "Call", "due_on": timezone.localdate().isoformat(), "assignee": associate_b.pk,
    })

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Task.objects.exists()


@time_machine.travel(NOON_IN_NEW_YORK, tick=False)
def test_a_follow_up_cannot_be_due_in_the_past(client, associate_a, customer_a):
    client.force_login(associate_a)

    response = client.post(url("profile_task_create", customer_a), {
        "title": "Call", "due_on": "2026-01-14", "assignee": associate_a.pk,
    }, headers=HTMX)

    assert "cannot be due in the past" in response.content.decode()
    assert not Task.objects.exists()


def test_completing_and_reopening_a_follow_up(client, associate_a, manager, customer_a):
    task = TaskFactory(customer=customer_a, assignee=manager, title="Send the lookbook")
    client.force_login(associate_a)

    done = client.post(url("profile_task_done", customer_a, task.pk), {"done": "1"}, headers=HTMX)
    task.refresh_from_db()
    assert task.is_done and task.completed_by == associate_a
    assert toast(done) == "Follow-up completed."
    assert "text-decoration-line-through" in done.content.decode()

    client.post(url("profile_task_done", customer_a, task.pk), {"done": "0"}, headers=HTMX)
    task.refresh_from_db()
    assert not task.is_done and task.completed_by is None


def test_completing_twice_keeps_the_first_completion(associate_a, customer_a):
    task = TaskFactory(customer=customer_a, assignee=associate_a)
    first = services.task_set_done(task=task, done=True, changed_by=associate_a)
    completed_at = task.completed_at

    second = services.task_set_done(task=task, done=True, changed_by=associate_a)

    assert (first, second) == (True, False)
    assert task.completed_at == completed_at


def test_a_follow_up_of_another_customer_answers_404(client, associate_a, org, customer_a):
    task = TaskFactory(customer=CustomerFactory(legal_entity=org["entity"]), assignee=associate_a)
    client.force_login(associate_a)

    response = client.post(url("profile_task_done", customer_a, task.pk), {"done": "1"})

    assert response.status_code == 404


@time_machine.travel(NOON_IN_NEW_YORK, tick=False)
def test_overdue_follow_ups_are_shown_in_red(client, associate_a, customer_a):
    TaskFactory(customer=customer_a, assignee=associate_a, title="Late call", due_on=date(2026, 1, 14))
    TaskFactory(customer=customer_a, assignee=associate_a, title="Call today", due_on=date(2026, 1, 15))
    client.force_login(associate_a)

    body = client.get(url("profile_section", customer_a, section("tasks").pk), headers=HTMX)

    text = body.content.decode()
    late = text[text.index("Late call"):text.index("Call today")]
    assert "text-danger" in late and "Overdue" in late
    assert "text-danger" not in text[text.index("Call today"):]
    assert "Due today" in text


# Activities and the timeline -----------------------------------------------------------------

@time_machine.travel(NOON_IN_NEW_YORK, tick=False)
def test_activity_form_defaults_to_now_in_the_store_zone(client, associate_a, customer_a):
    client.force_login(associate_a)

    body = client.get(url("profile_activity_create", customer_a), headers=HTMX).content.decode()

    assert 'value="2026-01-15T12:00"' in body
    assert "Store visit" in body


@time_machine.travel(NOON_IN_NEW_YORK, tick=False)
def test_associate_logs_an_activity_at_a_time_read_in_the_store_zone(client, associate_a,
                                                                      customer_a):
    phone_call = ActivityType.objects.get(slug="phone-call")
    client.force_login(associate_a)

    response = client.post(url("profile_activity_create", customer_a), {
        "activity_type": phone_call.pk, "occurred_at": "2026-01-15T09:30",
        "summary": "Called about the fitting", "details": "Prefers mornings",
    }, headers=HTMX)

    assert response.status_code == 200
    activity = Activity.objects.get(customer=customer_a)
    assert activity.occurred_at == datetime(2026, 1, 15, 14, 30, tzinfo=UTC)
    assert (activity.activity_type, activity.actor) == (phone_call, associate_a)
    assert "Called about the fitting" in response.content.decode()
    assert toast(response) == "Activity logged."


def test_an_activity_needs_a_known_type_and_a_summary(client, associate_a, customer_a):
    client.force_login(associate_a)

    response = client.post(url("profile_activity_create", customer_a), {
        "activity_type": "999999", "occurred_at": "not a date", "summary": "",
    })

    assert response.status_code == 400
    body = response.content.decode()
    assert body.count("invalid-feedback") == 3
    assert not Activity.objects.exists()


def test_inactive_activity_types_are_not_offered(client, associate_a, customer_a):
    ActivityType.objects.filter(slug="gift-sent").update(active=False)
    client.force_login(associate_a)

    body = client.get(url("profile_activity_create", customer_a), headers=HTMX).content.decode()

    assert "Gift sent" not in body


@time_machine.travel(NOON_IN_NEW_YORK, tick=False)
def test_timeline_is_newest_first_and_grouped_by_day_in_the_store_zone(associate_a, customer_a):
    # 03:00 UTC on the 15th is still the evening of the 14th in New York.
    ActivityFactory(customer=customer_a, actor=associate_a, summary="Late visit",
                    occurred_at=datetime(2026, 1, 15, 3, 0, tzinfo=UTC))
    ActivityFactory(customer=customer_a, actor=associate_a, summary="Morning call",
                    occurred_at=datetime(2026, 1, 15, 14, 0, tzinfo=UTC))
    ActivityFactory(customer=customer_a, actor=associate_a, summary="Last week",
                    occurred_at=datetime(2026, 1, 8, 18, 0, tzinfo=UTC))
    new_york = associate_a.staff_profile.home_store.tzinfo

    timeline = customer_timeline(customer=customer_a, tz=new_york, today=date(2026, 1, 15))

    assert [day["day"] for day in timeline["days"]] == [
        date(2026, 1, 15), date(2026, 1, 14), date(2026, 1, 8)]
    assert [[e["summary"] for e in day["entries"]] for day in timeline["days"]] == [
        ["Morning call"], ["Late visit"], ["Last week"]]
    assert timeline["days"][0]["is_today"] and timeline["days"][1]["is_yesterday"]


@time_machine.travel(NOON_IN_NEW_YORK, tick=False)
def test_timeline_shows_day_headings_and_local_times(client, associate_a, customer_a):
    ActivityFactory(customer=customer_a, actor=associate_a, summary="Late visit",
                    occurred_at=datetime(2026, 1, 15, 3, 0, tzinfo=UTC))
    ActivityFactory(customer=customer_a, actor=associate_a, summary="Morning call",
                    occurred_at=datetime(2026, 1, 15, 14, 0, tzinfo=UTC))
    client.force_login(associate_a)

    body = client.get(profile_url(customer_a)).content.decode()

    assert body.index("Today") < body.index("Morning call") < body.index("Yesterday") < body.index(
        "Late visit")
    assert "9 a.m." in body and "10 p.m." in body


def test_older_timeline_entries_load_page_by_page(client, associate_a, customer_a):
    for hours in range(35):
        ActivityFactory(customer=customer_a, actor=associate_a, summary=f"Visit {hours:02d}",
                        occurred_at=timezone.now() - timedelta(hours=hours))
    client.force_login(associate_a)

    first = client.get(url("profile_section", customer_a, section("activities").pk), headers=HTMX)
    before = first.content.decode().split("?before=")[1].split('"')[0]
    older = client.get(url("profile_timeline", customer_a) + "?before=" + before, headers=HTMX)

    assert "Visit 29" in first.content.decode() and "Visit 30" not in first.content.decode()
    assert "Visit 30" in older.content.decode() and "Visit 34" in older.content.decode()
    assert "Visit 29" not in older.content.decode()


def test_a_malformed_timeline_cursor_is_a_bad_request(client, associate_a, customer_a):
    client.force_login(associate_a)

    assert client.get(url("profile_timeline", customer_a), {"before": "yesterday"}).status_code == 400


# Contact details -----------------------------------------------------------------------------

def test_associate_sees_masked_contact_details_and_a_form_without_them(client, associate_a,
                                                                       customer_a):
    client.force_login(associate_a)

    profile = client.get(profile_url(customer_a)).content.decode()
    form = client.get(url("profile_contact_edit", customer_a), headers=HTMX).content.decode()

    assert "claire@example.com" not in profile and "c•••@e•••" in profile
    assert "claire@example.com" not in form and "555" not in form
    assert 'name="email"' not in form and 'name="phone"' not in form
    assert 'name="birth_date"' not in form and 'name="address_line1"' not in form
    assert 'name="first_name"' in form


def test_associate_changes_the_name_but_not_sensitive_fields(client, associate_a, customer_a):
    client.force_login(associate_a)

    response = client.post(url("profile_contact_edit", customer_a), {
        "first_name": "Claire-Marie", "last_name": "Dupont", "can_receive_texts": "on",
        "email": "attacker@example.com", "phone": "+12125559999", "birth_date": "2000-01-01",
        "city": "Nowhere",
    }, headers=HTMX)

    assert response.status_code == 200
    customer_a.refresh_from_db()
    assert customer_a.first_name == "Claire-Marie"
    assert customer_a.email == "claire@example.com"
    assert str(customer_a.phone) == "+12125550123"
    assert customer_a.birth_date == date(1985, 6, 15) and customer_a.city == ""
    body = response.content.decode()
    assert 'id="customer-name" hx-swap-oob="true">Claire-Marie Dupont' in body
    assert "attacker@example.com" not in body


def test_the_contact_service_refuses_sensitive_changes_without_permission(customer_a,
                                                                          associate_a):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.customer_update_contact(customer=customer_a, changes={"email": "x@example.com"},
                                         updated_by=associate_a, sensitive_allowed=False)


def test_manager_edits_sensitive_details_with_a_local_phone_number(client, manager, customer_a):
    client.force_login(manager)

    response = client.post(url("profile_contact_edit", customer_a), {
        "first_name": "Claire", "last_name": "Dupont", "can_receive_texts": "on",
        "email": "Claire.D@Example.com", "phone": "(212) 555-0199", "birth_date": "1986-02-28",
        "anniversary": "", "partner_name": "Paul", "partner_birth_date": "1984-07-01",
        "address_line1": "1 Fifth Avenue", "city": "New York", "state": "NY", "zip_code": "10003",
        "country": "us",
    }, headers=HTMX)

    assert response.status_code == 200
    customer_a.refresh_from_db()
    assert str(customer_a.phone) == "+12125550199"
    assert customer_a.email == "claire.d@example.com"
    assert (customer_a.birth_date, customer_a.birthday_key) == (date(1986, 2, 28), 228)
    assert (customer_a.partner_name, customer_a.country) == ("Paul", "US")
    assert toast(response) == "Contact details saved."


def test_manager_clears_the_phone_and_a_date(client, manager, customer_a):
    client.force_login(manager)

    client.post(url("profile_contact_edit", customer_a), {
        "first_name": "Claire", "last_name": "Dupont", "email": "claire@example.com",
        "phone": "", "birth_date": "",
    }, headers=HTMX)

    customer_a.refresh_from_db()
    assert not customer_a.phone
    assert customer_a.birth_date is None and customer_a.birthday_key is None


def test_local_phone_numbers_are_read_in_the_customers_store_country(client, org, customer_b):
    paris_manager = make_staff(StaffProfile.Role.STORE_MANAGER, org["store_b"], username="gerant")
    client.force_login(paris_manager)

    client.post(url("profile_contact_edit", customer_b), {
        "first_name": "Jean", "last_name": "Martin", "phone": "01 42 68 12 34",
        "email": "jean@example.fr",
    })

    customer_b.refresh_from_db()
    assert str(customer_b.phone) == "+33142681234"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("phone", "555", "Enter a valid phone number"),
    ("email", "not-an-email", "Enter a valid email address."),
    ("birth_date", "31/02/1990", "Enter a valid date."),
    ("country", "U1", "two-letter country code"),
    ("country", "USA", "at most 2 characters"),
])
def test_bad_contact_details_are_explained_and_nothing_is_saved(client, manager, customer_a, name,
                                                                value, message):
    client.force_login(manager)
    data = {"first_name": "Changed", "last_name": "Dupont", "email": "claire@example.com",
            "phone": "+12125550123", name: value}

    htmx = client.post(url("profile_contact_edit", customer_a), data, headers=HTMX)
    plain = client.post(url("profile_contact_edit", customer_a), data)

    assert htmx.status_code == 400 and message in htmx.content.decode()
    assert plain.status_code == 400 and message in plain.content.decode()
    customer_a.refresh_from_db()
    assert customer_a.first_name == "Claire"


def test_manager_sees_real_values_in_the_contact_form(client, manager, customer_a):
    client.force_login(manager)

    body = client.get(url("profile_contact_edit", customer_a)).content.decode()

    assert 'value="claire@example.com"' in body
    assert 'value="(212) 555-0123"' in body
    assert 'type="date" name="birth_date" value="1985-06-15"' in body


# Attributes ----------------------------------------------------------------------------------

def test_attribute_form_has_a_widget_fitting_each_type(client, associate_a, customer_a,
                                                       attributes_section):
    a = attributes_section
    client.force_login(associate_a)

    body = client.get(url("profile_attributes_edit", customer_a, a["section"].pk),
                      headers=HTMX).content.decode()

    assert f'type="number" name="{field(a["number"])}"' in body
    assert f'type="number" name="{field(a["decimal"])}"' in body
    assert f'type="date" name="{field(a["date"])}"' in body
    assert f'<select name="{field(a["boolean"])}"' in body and '<option value="yes">' in body
    assert f'<select name="{field(a["single"])}"' in body and '<option value="silk">' in body
    assert body.count(f'type="checkbox" name="{field(a["multiple"])}"') == 3
    assert body.count("customer can edit") == 1


def test_associate_saves_attribute_values_of_every_type(client, associate_a, customer_a,
                                                       attributes_section):
    a = attributes_section
    client.force_login(associate_a)

    response = client.post(url("profile_attributes_edit", customer_a, a["section"].pk), {
        field(a["text"]): "Likes silk", field(a["number"]): "42", field(a["decimal"]): "38.5",
        field(a["boolean"]): "yes", field(a["date"]): "2026-02-28", field(a["single"]): "wool",
        field(a["multiple"]): ["red", "green"],
    }, headers=HTMX)

    assert response.status_code == 200
    values = {v.attribute_id: v for v in CustomerAttributeValue.objects.filter(customer=customer_a)}
    assert values[a["number"].pk].value_int == 42
    assert values[a["decimal"].pk].value_decimal == Decimal("38.5")
    assert values[a["boolean"].pk].value_bool is True
    assert values[a["date"].pk].value_date == date(2026, 2, 28)
    assert values[a["single"].pk].option.value == "wool"
    assert sorted(v.option.value for v in CustomerAttributeValue.objects.filter(
        customer=customer_a, attribute=a["multiple"])) == ["green", "red"]
    assert "Likes silk" in response.content.decode()
    assert toast(response) == "Preferences saved."


def test_bad_attribute_values_are_explained_next_to_the_field_and_nothing_is_saved(
        client, associate_a, customer_a, attributes_section):
    a = attributes_section
    client.force_login(associate_a)

    response = client.post(url("profile_attributes_edit", customer_a, a["section"].pk), {
        field(a["text"]): "Likes silk", field(a["number"]): "4.5", field(a["single"]): "velvet",
    })

    assert response.status_code == 400
    body = response.content.decode()
    assert "Pref number: “4.5” is not a whole number." in body
    assert "Pref single: “velvet” is not one of the options." in body
    assert not CustomerAttributeValue.objects.filter(customer=customer_a).exists()


def test_clearing_an_attribute_removes_its_value(client, associate_a, customer_a,
                                                 attributes_section):
    a = attributes_section
    services.attribute_values_set(customer=customer_a, attribute=a["number"], raw_values="7")
    client.force_login(associate_a)

    client.post(url("profile_attributes_edit", customer_a, a["section"].pk),
                {field(a["number"]): ""}, headers=HTMX)

    assert not CustomerAttributeValue.objects.filter(customer=customer_a,
                                                     attribute=a["number"]).exists()


def test_attributes_outside_the_section_cannot_be_set_through_it(client, associate_a, customer_a,
                                                                 attributes_section):
    hidden = AttributeFactory(name="Credit score", data_type=DataType.NUMBER)
    client.force_login(associate_a)

    client.post(url("profile_attributes_edit", customer_a, attributes_section["section"].pk),
                {field(hidden): "900"})

    assert not CustomerAttributeValue.objects.filter(attribute=hidden).exists()


def test_attributes_edit_of_a_section_without_attributes_answers_404(client, associate_a,
                                                                     customer_a):
    client.force_login(associate_a)

    response = client.get(url("profile_attributes_edit", customer_a, section("notes").pk))

    assert response.status_code == 404


# Tags ----------------------------------------------------------------------------------------

def test_associate_adds_and_removes_tags_from_the_offered_ones(client, associate_a, org,
                                                              customer_a):
    vip, gifts = TagFactory(name="VIP"), TagFactory(name="Gifts", store=org["store_a"])
    boston = TagFactory(name="Boston event", store=org["store_a2"])
    paris = TagFactory(name="Paris event", store=org["store_b"])
    TagFactory(name="Retired", active=False)
    customer_a.tags.add(vip, boston)
    client.force_login(associate_a)

    form = client.get(url("profile_tags_edit", customer_a), headers=HTMX).content.decode()
    response = client.post(url("profile_tags_edit", customer_a), {"tags": [gifts.pk]},
                           headers=HTMX)

    assert "VIP" in form and "Gifts" in form
    assert "Paris event" not in form and "Retired" not in form and "Boston event" not in form
    assert set(customer_a.tags.all()) == {gifts, boston}  # Boston's tag was not offered: kept
    assert "Gifts" in response.content.decode()
    assert toast(response) == "Tags saved."
    assert paris not in customer_a.tags.all()


def test_a_tag_that_was_not_offered_is_refused(client, associate_a, org, customer_a):
    paris = TagFactory(name="Paris event", store=org["store_b"])
    client.force_login(associate_a)

    response = client.post(url("profile_tags_edit", customer_a), {"tags": [paris.pk]})

    assert response.status_code == 400
    assert not customer_a.tags.exists()


# Client book ---------------------------------------------------------------------------------

def test_associate_adds_the_customer_to_their_client_book(client, associate_a, customer_a):
    client.force_login(associate_a)
    assert "Add to my client book" in client.get(profile_url(customer_a)).content.decode()

    response = client.post(url("profile_client_book_add", customer_a), headers=HTMX)

    assert ClientBookEntry.objects.filter(book__owner=associate_a, customer=customer_a).exists()
    body = response.content.decode()
    assert "In my client book" in body
    assert "Remove" not in body  # associates may not remove
    assert toast(response) == "Added to your client book."
    assert "In my client book" in client.get(profile_url(customer_a)).content.decode()


def test_an_associate_may_not_remove_from_their_client_book(client, associate_a, customer_a):
    book = services.client_book_get_or_create(owner=associate_a, legal_entity=customer_a.legal_entity)
    services.client_book_add(book=book, customer=customer_a, added_by=associate_a)
    client.force_login(associate_a)

    response = client.post(url("profile_client_book_remove", customer_a))

    assert response.status_code == 403
    assert ClientBookEntry.objects.filter(book=book, customer=customer_a).exists()


def test_manager_removes_the_customer_from_their_client_book(client, manager, customer_a):
    book = services.client_book_get_or_create(owner=manager, legal_entity=customer_a.legal_entity)
    services.client_book_add(book=book, customer=customer_a, added_by=manager)
    client.force_login(manager)
    assert "Remove" in client.get(profile_url(customer_a)).content.decode()

    response = client.post(url("profile_client_book_remove", customer_a), follow=True)

    assert not ClientBookEntry.objects.filter(book=book, customer=customer_a).exists()
    assert "Removed from your client book." in response.content.decode()
    assert "Add to my client book" in response.content.decode()
