"""Template lifecycle: email/SMS published on save, WhatsApp checked against WhatsApp's rules,
submitted to Twilio's Content API (real SDK, loopback fake) and synced by the beat task."""

import importlib
import json

import pytest

from clienteling.models import Channel
from conversations import services, tasks
from conversations.models import MessageTemplate, TemplateVariable
from conversations.templating import whatsapp_rule_problems

pytestmark = pytest.mark.django_db
Status = MessageTemplate.Status
migration = importlib.import_module("conversations.migrations.0008_template_message_types")


def template(*, channel=Channel.WHATSAPP, body="Hello {{1}}, your order is ready at {{2}}.",
             variables=(("customer_first_name", "Claire"), ("store_name", "New York")), **fields):
    made = MessageTemplate.objects.create(
        channel=channel, name=fields.pop("name", f"order_ready_{MessageTemplate.objects.count()}"),
        body=body, category=fields.pop("category", MessageTemplate.Category.UTILITY), **fields)
    for position, (source, sample) in enumerate(variables, start=1):
        TemplateVariable.objects.create(template=made, position=position, source=source, sample=sample)
    return made


def problems(**fields):
    made = template(**fields)
    return whatsapp_rule_problems(made, {v.position: v.sample for v in made.variables.all()})


# --- WhatsApp's rules ------------------------------------------------------------------


def test_a_well_formed_utility_template_passes_the_rules():
    assert problems() == []


@pytest.mark.parametrize(("body", "words"), [
    ("Hello {{2}}, your order is ready at {{1}}.", "in the order they appear"),
    ("Hello {{1}}, your order is ready at {{3}}.", "without gaps"),
    ("{{1}}, your order is ready at {{2}}.", "start or end"),
    ("Hello {{1}}, your order is ready at {{2}}", "start or end"),
    ("Hello {{1}} {{2}}, your order is ready.", "next to each other"),
    ("Hello {{1}}, " + "x" * 1020 + " at {{2}}.", "WhatsApp allows 1024"),
])
def test_rule_breaks_are_named(body, words):
    found = problems(body=body)
    assert any(words in problem for problem in found), found


def test_every_variable_needs_a_sample():
    found = problems(variables=(("customer_first_name", "Claire"), ("store_name", "")))
    assert found == ["Give a sample value for {{2}}: WhatsApp reviews the template with them."]


def test_the_header_has_at_most_60_characters():
    assert any("header" in p for p in problems(subject="H" * 61))
    assert problems(subject="H" * 60) == []


def test_button_titles_have_at_most_20_characters():
    found = problems(message_type="quick_reply", buttons=["Yes please", "A title of 21 chars.."])
    assert found == ["A button title has at most 20 characters: “A title of 21 chars..”."]


@pytest.mark.parametrize("words", ["20% off your next visit", "Our summer sale starts", "A special offer",
                                   "Use this discount code"])
def test_promotional_wording_in_a_utility_template_is_marketing(words):
    found = problems(body=f"Hello {{{{1}}}}, {words} at {{{{2}}}}.")
    assert len(found) == 1 and "marketing, not utility" in found[0]
    assert problems(body=f"Hello {{{{1}}}}, {words} at {{{{2}}}}.", category="marketing") == []


# --- publishing without Twilio (demo): the rule check decides --------------------------


@pytest.mark.parametrize("channel", [Channel.SMS, Channel.EMAIL])
def test_email_and_sms_templates_are_approved_when_published(channel, twilio):
    # Even with Twilio configured: only WhatsApp templates need WhatsApp's approval.
    made = services.template_publish(template=template(channel=channel, body="Hi {{1}}",
                                                       variables=(("customer_first_name", ""),)))
    assert (made.status, made.rejection_reason) == (Status.APPROVED, "")
    assert twilio.fake.content_requests == []


def test_a_placeholder_without_a_data_source_rejects_the_template():
    made = template(channel=Channel.SMS, body="Hi {{1}}, see {{2}}", variables=(("customer_first_name", ""),))
    made = services.template_publish(template=made)
    assert made.status == Status.REJECTED
    assert made.rejection_reason == "Link a data source to {{2}}."


def test_demo_whatsapp_template_is_approved_by_the_rules_alone(demo_provider):
    made = services.template_publish(template=template())
    assert (made.status, made.content_sid) == (Status.APPROVED, "")


def test_demo_whatsapp_template_breaking_a_rule_is_rejected_with_the_reason(demo_provider):
    made = services.template_publish(template=template(body="Big sale for {{1}} at {{2}}"))
    assert made.status == Status.REJECTED
    assert "may not start or end with a variable" in made.rejection_reason
    assert "“sale” is promotional wording" in made.rejection_reason


# --- with Twilio: content, approval request, sync --------------------------------------


def test_whatsapp_template_goes_to_twilio_and_the_beat_task_syncs_the_verdict(twilio):
    made = services.template_publish(template=template())
    assert (made.status, made.content_sid, made.submitted_at) == (Status.RECEIVED, "", None)

    # Beat's first run creates the content and asks for WhatsApp's approval.
    assert tasks.templates_approval_sync() == {"submitted": 1, "approved": 0, "rejected": 0, "waiting": 1,
                                               "errors": 0}
    made.refresh_from_db()
    assert made.content_sid.startswith("HX") and made.submitted_at is not None
    create, approval = twilio.fake.content_requests
    assert (create.method, create.path) == ("POST", "/v1/Content")
    assert create.form["friendly_name"] == made.name
    assert create.form["variables"] == {"1": "Claire", "2": "New York"}
    assert create.form["types"]["twilio/text"] == {"body": "Hello {{1}}, your order is ready at {{2}}."}
    assert approval.path == f"/v1/Content/{made.content_sid}/ApprovalRequests/whatsapp"
    assert approval.form["category"] == "UTILITY"
    assert approval.form["name"].startswith(made.name)

    # Still waiting: nothing changes, nothing is submitted twice.
    tasks.templates_approval_sync()
    made.refresh_from_db()
    assert made.status == Status.RECEIVED
    assert [r.path for r in twilio.fake.content_requests[2:]] == [
        f"/v1/Content/{made.content_sid}/ApprovalRequests"]

    twilio.fake.approval_verdict(made.content_sid, "approved")
    assert tasks.templates_approval_sync()["approved"] == 1
    made.refresh_from_db()
    assert (made.status, made.rejection_reason) == (Status.APPROVED, "")
    # Settled: the next runs leave it alone.
    calls = len(twilio.fake.content_requests)
    tasks.templates_approval_sync()
    assert len(twilio.fake.content_requests) == calls


def test_whatsapps_rejection_and_its_reason_come_back(twilio):
    made = services.template_publish(template=template(category="marketing"))
    tasks.templates_approval_sync()
    made.refresh_from_db()
    twilio.fake.approval_verdict(made.content_sid, "rejected", "INVALID_FORMAT: the sample is not valid")
    assert tasks.templates_approval_sync()["rejected"] == 1
    made.refresh_from_db()
    assert made.status == Status.REJECTED
    assert made.rejection_reason == "INVALID_FORMAT: the sample is not valid"
    assert json.loads(json.dumps(twilio.fake.content_requests[1].form))["category"] == "MARKETING"


def test_a_rule_break_is_rejected_before_twilio_is_asked(twilio):
    made = services.template_publish(template=template(body="Hello {{1}} {{2}} there."))
    assert made.status == Status.REJECTED
    tasks.templates_approval_sync()
    assert twilio.fake.content_requests == []


def test_twilio_unreachable_leaves_the_template_waiting_for_the_next_run(twilio):
    made = services.template_publish(template=template())
    twilio.fake.inject("500", on="content_create")
    assert tasks.templates_approval_sync()["errors"] == 1
    made.refresh_from_db()
    assert (made.status, made.content_sid) == (Status.RECEIVED, "")
    assert tasks.templates_approval_sync()["submitted"] == 1


def test_a_failed_approval_request_is_retried_on_the_same_content(twilio):
    made = services.template_publish(template=template())
    twilio.fake.inject("500", on="approval_create")
    tasks.templates_approval_sync()
    made.refresh_from_db()
    first_sid = made.content_sid
    assert first_sid and made.submitted_at is None
    tasks.templates_approval_sync()
    made.refresh_from_db()
    assert made.content_sid == first_sid and made.submitted_at is not None
    assert len(twilio.fake.contents) == 1


def test_content_twilio_refuses_rejects_the_template_with_twilios_words(twilio):
    made = template(message_type="quick_reply", buttons=["Yes"])
    made = services.template_publish(template=made)
    MessageTemplate.objects.filter(pk=made.pk).update(buttons=["x" * 30])  # past our own check
    tasks.templates_approval_sync()
    made.refresh_from_db()
    assert made.status == Status.REJECTED
    assert made.rejection_reason.startswith("Twilio refused the template: ")
    assert "titles of 1 to 20 characters" in made.rejection_reason


def test_editing_an_approved_whatsapp_template_submits_new_content(twilio):
    made = services.template_publish(template=template())
    tasks.templates_approval_sync()
    made.refresh_from_db()
    twilio.fake.approval_verdict(made.content_sid, "approved")
    tasks.templates_approval_sync()
    old_sid = made.content_sid
    MessageTemplate.objects.filter(pk=made.pk).update(body="Hello {{1}}, your parcel is ready at {{2}}.")
    made = services.template_publish(template=made)
    assert (made.status, made.content_sid) == (Status.RECEIVED, "")
    tasks.templates_approval_sync()
    made.refresh_from_db()
    assert made.content_sid not in ("", old_sid)


def test_the_sync_does_nothing_without_twilio(demo_provider):
    made = template()
    assert tasks.templates_approval_sync() == {"submitted": 0, "approved": 0, "rejected": 0, "waiting": 0,
                                               "errors": 0}
    made.refresh_from_db()
    assert made.status == Status.RECEIVED


# --- existing data ---------------------------------------------------------------------


@pytest.mark.parametrize(("value", "channel", "expected"), [
    ("text", "sms", "text"), ("Image", "whatsapp", "media"), ("MMS picture", "sms", "media"),
    ("quick reply buttons", "whatsapp", "quick_reply"), ("buttons", "sms", "text"),
    ("interactive", "email", "text"), ("", "sms", "text"), ("template", "whatsapp", "text"),
])
def test_free_text_message_types_migrate_to_the_nearest_choice(value, channel, expected):
    assert migration.nearest_type(value, channel) == expected
