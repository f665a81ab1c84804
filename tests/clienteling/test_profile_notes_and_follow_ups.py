"""Notes and follow-ups on the customer profile."""

import json
from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from clienteling import services
from clienteling.models import (
    Note,
    StaffProfile,
    Task,
)
from tests.clienteling.profile_helpers import HTMX, NOON_IN_NEW_YORK, profile_url, section, toast, url
from tests.factories import (
    CustomerFactory,
    NoteFactory,
    TaskFactory,
    make_staff,
)

pytestmark = pytest.mark.django_db


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
