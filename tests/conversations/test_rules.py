"""Every rule a message must pass, on every path: composer, bulk, scheduled, HELP."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from clienteling.models import Channel, ConsentState, CustomerConsent, CustomerContactHistory
from conversations import selectors, services
from conversations.models import Conversation, Message
from tests.factories import CustomerFactory

from .conftest import NOON_NY, STORE_A_SMS, mapped_template, opt_in, reply, set_consent

pytestmark = pytest.mark.django_db


def blocked(**kwargs) -> str:
    with pytest.raises(services.SendBlocked) as caught:
        services.message_send(**kwargs)
    return caught.value.reason_code


def stop(thread, word="STOP", sid="SMstop"):
    return services.inbound_receive(store=thread.store, from_number=str(thread.customer.phone),
                                    to_number=STORE_A_SMS, channel=thread.channel, body=word,
                                    media_urls=[], provider_sid=sid, received_at=timezone.now())


# --- opted out -------------------------------------------------------------------------


def test_opted_out_customer_gets_no_marketing_message(sms_thread, associate_a, customer_a, at_noon):
    set_consent(customer_a, Channel.SMS, ConsentState.OPTED_OUT)
    reason = blocked(conversation=sms_thread, sender=associate_a, body="Sale!", is_marketing=True)
    assert reason == "opted_out"
    assert not Message.objects.exists()  # nothing written


def test_customer_who_texted_stop_gets_nothing_at_all_on_that_channel(sms_thread, associate_a,
                                                                      customer_a):
    stop(sms_thread)
    assert blocked(conversation=sms_thread, sender=associate_a, body="Just checking") == "opted_out"
    assert Message.objects.filter(direction=Message.Direction.OUTBOUND).count() == 0


def test_stop_on_sms_leaves_email_open(org, sms_thread, associate_a, customer_a, demo_provider):
    stop(sms_thread)
    email = services.conversation_get_or_create(customer=customer_a, store=org["store_a"],
                                                channel=Channel.EMAIL)
    assert services.message_send(conversation=email, sender=associate_a, body="Hello").status == "queued"


def test_associate_recorded_opt_out_still_allows_a_reply_when_the_customer_writes(
        sms_thread, associate_a, customer_a, demo_provider):
    set_consent(customer_a, Channel.SMS, ConsentState.OPTED_OUT, CustomerConsent.Source.ASSOCIATE)
    assert blocked(conversation=sms_thread, sender=associate_a, body="Hello") == "not_opted_in"
    reply(sms_thread, "Is my order ready?")
    message = services.message_send(conversation=sms_thread, sender=associate_a, body="Your order")
    assert message.status == Message.Status.QUEUED


def test_opted_out_customer_is_skipped_by_a_bulk_send(sms_thread, associate_a, customer_a, at_noon):
    set_consent(customer_a, Channel.SMS, ConsentState.OPTED_OUT, CustomerConsent.Source.KEYWORD)
    template = mapped_template()
    assert blocked(conversation=sms_thread, sender=associate_a, template=template, is_marketing=True,
                   bulk_job_id=7) == "opted_out"
    report = services.message_send_bulk(customer_ids=[customer_a.pk], store=sms_thread.store,
                                        channel=Channel.SMS, sender=associate_a, template=template,
                                        bulk_job_id=7)
    assert (report.queued, dict(report.skipped)) == (0, {"opted_out": 1})


def test_bulk_marketing_needs_an_opt_in(new_sms_thread, associate_a, customer_a, at_noon):
    template = mapped_template()
    assert blocked(conversation=new_sms_thread, sender=associate_a, template=template, is_marketing=True,
                   bulk_job_id=7) == "no_consent"


def test_scheduled_message_is_not_sent_if_the_customer_opted_out_meanwhile(
        sms_thread, associate_a, customer_a, demo_provider, django_capture_on_commit_callbacks):
    later = timezone.now() + timedelta(hours=3)
    message = services.message_send(conversation=sms_thread, sender=associate_a, body="See you",
                                    scheduled_for=later)
    assert (message.status, message.schedule_reason) == (Message.Status.SCHEDULED, "requested")
    assert CustomerContactHistory.objects.get(customer=customer_a).next_scheduled_text_at == later
    stop(sms_thread)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.scheduled_messages_send_due(now=later + timedelta(minutes=1)) == 1
    message.refresh_from_db()
    assert (message.status, message.error_code) == (Message.Status.BLOCKED, "opted_out")
    assert demo_provider == []
    assert CustomerContactHistory.objects.get(customer=customer_a).next_scheduled_text_at is None


def test_scheduled_message_is_sent_when_due(sms_thread, associate_a, customer_a, demo_provider,
                                            django_capture_on_commit_callbacks):
    later = timezone.now() + timedelta(hours=3)
    message = services.message_send(conversation=sms_thread, sender=associate_a, body="See you",
                                    scheduled_for=later)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.scheduled_messages_send_due(now=later - timedelta(seconds=1)) == 0
        assert services.scheduled_messages_send_due(now=later) == 1
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED
    assert [r.body for r in demo_provider] == ["See you"]


def test_help_is_answered_even_after_stop(sms_thread, customer_a, messaging, demo_provider,
                                          django_capture_on_commit_callbacks):
    messaging["store_a"].help_text = "New York store: 212 555 0100."
    messaging["store_a"].save()
    stop(sms_thread)
    with django_capture_on_commit_callbacks(execute=True):
        stop(sms_thread, word="  help ", sid="SMhelp")
    reply = Message.objects.get(direction=Message.Direction.OUTBOUND)
    assert (reply.kind, reply.body) == (Message.Kind.SYSTEM, "New York store: 212 555 0100.")
    assert reply.status == Message.Status.DELIVERED


# --- addresses -------------------------------------------------------------------------


def test_customer_without_a_phone_cannot_be_texted(org, associate_a):
    customer = CustomerFactory(legal_entity=org["entity"], phone="")
    thread = services.conversation_get_or_create(customer=customer, store=org["store_a"], channel=Channel.SMS)
    assert blocked(conversation=thread, sender=associate_a, body="Hi") == "no_phone"


def test_customer_without_an_email_cannot_be_emailed(org, associate_a):
    customer = CustomerFactory(legal_entity=org["entity"], email="")
    thread = services.conversation_get_or_create(customer=customer, store=org["store_a"],
                                                 channel=Channel.EMAIL)
    assert blocked(conversation=thread, sender=associate_a, body="Hi") == "no_email"


def test_empty_message_is_refused(sms_thread, associate_a):
    assert blocked(conversation=sms_thread, sender=associate_a, body="   ") == "empty"


def test_images_by_text_only_where_the_store_allows_mms(sms_thread, associate_a, messaging):
    messaging["store_a"].mms_enabled = False
    messaging["store_a"].save()
    assert blocked(conversation=sms_thread, sender=associate_a, body="Look",
                   media_urls=["https://cdn.example.com/a.jpg"]) == "mms_unavailable"


# --- WhatsApp window -------------------------------------------------------------------


def test_whatsapp_window_is_closed_until_the_customer_writes(whatsapp_thread, associate_a):
    assert blocked(conversation=whatsapp_thread, sender=associate_a, body="Hi") == "window_closed"
    state = selectors.composer_state(conversation=whatsapp_thread)
    assert (state.can_send_text, state.templates_only, state.window_closes_at) == (False, True, None)
    assert "24-hour" in state.blocked_reason


def test_our_own_message_does_not_open_the_window(whatsapp_thread, associate_a, demo_provider):
    services.message_send(conversation=whatsapp_thread, sender=associate_a,
                          template=mapped_template(channel=Channel.WHATSAPP))
    assert blocked(conversation=whatsapp_thread, sender=associate_a, body="Hi") == "window_closed"


def test_a_customer_message_opens_the_window_for_24_hours(whatsapp_thread, associate_a, demo_provider):
    wrote_at = datetime(2026, 6, 10, 14, 0, tzinfo=UTC)
    with time_machine.travel(wrote_at, tick=False):
        services.inbound_receive(store=whatsapp_thread.store, from_number="whatsapp:+12125550123",
                                 to_number="whatsapp:+12125550101", channel=Channel.WHATSAPP,
                                 body="Is the bag in stock?", media_urls=[], provider_sid="SMwa1",
                                 received_at=wrote_at)
    whatsapp_thread.refresh_from_db()
    with time_machine.travel(wrote_at + timedelta(hours=23, minutes=59, seconds=59), tick=False):
        state = selectors.composer_state(conversation=whatsapp_thread)
        assert (state.can_send_text, state.window_closes_at) == (True, wrote_at + timedelta(hours=24))
        assert services.message_send(conversation=whatsapp_thread, sender=associate_a, body="Yes!")
    with time_machine.travel(wrote_at + timedelta(hours=24), tick=False):
        assert blocked(conversation=whatsapp_thread, sender=associate_a, body="Still?") == "window_closed"
        template = mapped_template(channel=Channel.WHATSAPP)
        message = services.message_send(conversation=whatsapp_thread, sender=associate_a, template=template)
        assert message.content_sid == template.content_sid


def test_only_a_mapped_template_may_be_sent(whatsapp_thread, associate_a):
    template = mapped_template(channel=Channel.WHATSAPP)
    template.status = template.Status.RECEIVED  # still waiting for WhatsApp's approval
    template.save()
    reason = blocked(conversation=whatsapp_thread, sender=associate_a, template=template)
    assert reason == "not_mapped"


# --- quiet hours -----------------------------------------------------------------------


def test_marketing_after_hours_waits_for_the_next_morning_in_the_store_time_zone(sms_thread, associate_a,
                                                                               demo_provider):
    # 22:30 in New York (EDT, UTC-4) -> 08:00 the next morning there.
    with time_machine.travel(datetime(2026, 6, 11, 2, 30, tzinfo=UTC), tick=False):
        message = services.message_send(conversation=sms_thread, sender=associate_a, body="Sale",
                                        is_marketing=True)
    assert (message.status, message.schedule_reason) == (Message.Status.SCHEDULED, "quiet_hours")
    assert message.scheduled_for == datetime(2026, 6, 11, 12, 0, tzinfo=UTC)
    assert demo_provider == []


def test_marketing_before_opening_waits_until_the_same_morning(sms_thread, associate_a):
    with time_machine.travel(datetime(2026, 6, 10, 11, 59, tzinfo=UTC), tick=False):  # 07:59 NY
        message = services.message_send(conversation=sms_thread, sender=associate_a, body="Sale",
                                        is_marketing=True)
    assert message.scheduled_for == datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


def test_marketing_at_the_opening_minute_goes_at_once(sms_thread, associate_a, demo_provider):
    with time_machine.travel(datetime(2026, 6, 10, 12, 0, tzinfo=UTC), tick=False):  # 08:00 NY
        message = services.message_send(conversation=sms_thread, sender=associate_a, body="Sale",
                                        is_marketing=True)
    assert message.status == Message.Status.QUEUED


def test_quiet_hours_follow_the_customer_time_zone_when_known(sms_thread, associate_a, customer_a):
    customer_a.timezone = "Europe/Paris"
    customer_a.save()
    # 14:00 in New York is 20:00 in Paris: allowed; 16:00 NY is 22:00 Paris: waits for 08:00 Paris.
    with time_machine.travel(datetime(2026, 6, 10, 18, 0, tzinfo=UTC), tick=False):
        assert services.message_send(conversation=sms_thread, sender=associate_a, body="A",
                                     is_marketing=True).status == Message.Status.QUEUED
    with time_machine.travel(datetime(2026, 6, 10, 20, 0, tzinfo=UTC), tick=False):
        message = services.message_send(conversation=sms_thread, sender=associate_a, body="B",
                                        is_marketing=True)
    assert message.scheduled_for == datetime(2026, 6, 11, 6, 0, tzinfo=UTC)


def test_a_one_to_one_reply_ignores_quiet_hours(sms_thread, associate_a):
    with time_machine.travel(datetime(2026, 6, 11, 2, 30, tzinfo=UTC), tick=False):
        message = services.message_send(conversation=sms_thread, sender=associate_a, body="Sure")
    assert message.status == Message.Status.QUEUED


def test_store_settings_change_the_allowed_hours(sms_thread, associate_a, messaging):
    messaging["store_a"].quiet_hours_start, messaging["store_a"].quiet_hours_end = time(10), time(18)
    messaging["store_a"].save()
    with time_machine.travel(datetime(2026, 6, 10, 13, 0, tzinfo=UTC), tick=False):  # 09:00 NY
        message = services.message_send(conversation=sms_thread, sender=associate_a, body="Sale",
                                        is_marketing=True)
    assert message.scheduled_for == datetime(2026, 6, 10, 14, 0, tzinfo=UTC)


def test_a_scheduled_marketing_message_due_at_night_waits_again(sms_thread, associate_a, customer_a):
    with time_machine.travel(NOON_NY, tick=False):
        message = services.message_send(conversation=sms_thread, sender=associate_a, body="Sale",
                                        is_marketing=True, scheduled_for=NOON_NY + timedelta(hours=1))
    night = datetime(2026, 6, 11, 3, 0, tzinfo=UTC)  # 23:00 NY: the sweep ran late
    services.scheduled_messages_send_due(now=night)
    message.refresh_from_db()
    assert (message.status, message.schedule_reason) == (Message.Status.SCHEDULED, "quiet_hours")
    assert message.scheduled_for == datetime(2026, 6, 11, 12, 0, tzinfo=UTC)


# --- frequency cap ---------------------------------------------------------------------


def test_one_bulk_marketing_message_per_customer_per_rolling_24_hours(sms_thread, associate_a, customer_a):
    opt_in(customer_a)
    template = mapped_template()
    first = datetime(2026, 6, 10, 14, 0, tzinfo=UTC)
    with time_machine.travel(first, tick=False):
        services.message_send(conversation=sms_thread, sender=associate_a, template=template,
                              is_marketing=True, bulk_job_id=1)
    with time_machine.travel(first + timedelta(hours=23, minutes=59), tick=False):
        assert blocked(conversation=sms_thread, sender=associate_a, template=template, is_marketing=True,
                       bulk_job_id=2) == "frequency_cap"
        # A one-to-one message is never capped.
        assert services.message_send(conversation=sms_thread, sender=associate_a, body="Hi",
                                     is_marketing=True)
    with time_machine.travel(first + timedelta(hours=24, minutes=1), tick=False):
        assert services.message_send(conversation=sms_thread, sender=associate_a, template=template,
                                     is_marketing=True, bulk_job_id=3)


def test_the_cap_counts_every_channel_and_follows_store_settings(org, sms_thread, associate_a,
                                                                 customer_a, messaging, at_noon):
    messaging["store_a"].bulk_cap_per_day = 2
    messaging["store_a"].save()
    opt_in(customer_a)
    opt_in(customer_a, Channel.EMAIL)
    email = services.conversation_get_or_create(customer=customer_a, store=org["store_a"],
                                                channel=Channel.EMAIL)
    services.message_send(conversation=email, sender=associate_a, template=mapped_template(
        channel=Channel.EMAIL, subject="News"), is_marketing=True, bulk_job_id=1)
    services.message_send(conversation=sms_thread, sender=associate_a, template=mapped_template(),
                          is_marketing=True, bulk_job_id=2)
    assert blocked(conversation=sms_thread, sender=associate_a, template=mapped_template(),
                   is_marketing=True, bulk_job_id=3) == "frequency_cap"


def test_bulk_send_reports_what_it_skipped_and_why(org, associate_a, messaging, at_noon,
                                                   django_capture_on_commit_callbacks):
    template = mapped_template()
    ok = CustomerFactory.create_batch(3, legal_entity=org["entity"])
    for customer in ok:
        opt_in(customer)
    no_phone = CustomerFactory(legal_entity=org["entity"], phone="")
    not_asked = CustomerFactory(legal_entity=org["entity"])
    with django_capture_on_commit_callbacks() as callbacks:
        report = services.message_send_bulk(
            customer_ids=[c.pk for c in [*ok, no_phone, not_asked]], store=org["store_a"],
            channel=Channel.SMS, sender=associate_a, template=template, bulk_job_id=9)
    assert report.queued == 3
    assert dict(report.skipped) == {"no_phone": 1, "no_consent": 1}
    assert len(callbacks) == 1  # one batch task for the chunk
    assert Conversation.objects.filter(store=org["store_a"], channel=Channel.SMS).count() == 3
    history = CustomerContactHistory.objects.get(customer=ok[0])
    assert history.last_marketing_sms_at is not None
    assert history.last_text_preview.startswith(f"Hi {ok[0].first_name}")
    again = services.message_send_bulk(customer_ids=[c.pk for c in ok], store=org["store_a"],
                                       channel=Channel.SMS, sender=associate_a, template=template,
                                       bulk_job_id=10)
    assert dict(again.skipped) == {"frequency_cap": 3}


# --- composer --------------------------------------------------------------------------


def test_composer_is_disabled_with_the_reason_after_stop(sms_thread, customer_a):
    stop(sms_thread)
    state = selectors.composer_state(conversation=sms_thread)
    assert (state.can_send_text, state.consent_state) == (False, ConsentState.OPTED_OUT)
    assert "opted out" in state.blocked_reason


def test_composer_open_for_a_customer_who_opted_in(sms_thread):
    state = selectors.composer_state(conversation=sms_thread)
    assert (state.can_send_text, state.blocked_reason, state.templates_only) == (True, None, False)
    assert state.consent_state == ConsentState.OPTED_IN


def test_composer_offers_only_the_opt_in_request_before_the_customer_opts_in(new_sms_thread):
    state = selectors.composer_state(conversation=new_sms_thread)
    assert not state.can_send_text and state.consent_state == ConsentState.UNKNOWN
    assert "Send the opt-in request" in state.blocked_reason


def test_a_customer_who_writes_first_can_be_answered_before_opting_in(new_sms_thread, associate_a,
                                                                      demo_provider):
    reply(new_sms_thread, "Hi, do you have the blue scarf?")
    new_sms_thread.refresh_from_db()
    assert selectors.composer_state(conversation=new_sms_thread).can_send_text
    message = services.message_send(conversation=new_sms_thread, sender=associate_a, body="We do!")
    assert message.status == Message.Status.QUEUED


def test_bulk_send_tasks_deliver_through_the_provider(org, associate_a, messaging, at_noon, demo_provider,
                                                      django_capture_on_commit_callbacks):
    customers = CustomerFactory.create_batch(3, legal_entity=org["entity"])
    for customer in customers:
        opt_in(customer)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.message_send_bulk(customer_ids=[c.pk for c in customers], store=org["store_a"],
                                            channel=Channel.SMS, sender=associate_a,
                                            template=mapped_template(), bulk_job_id=5)
    assert report.queued == 3
    assert Message.objects.filter(status=Message.Status.DELIVERED).count() == 3
    assert sorted(r.body for r in demo_provider) == sorted(
        f"Hi {c.first_name}, new arrivals at New York." for c in customers)


def test_bulk_whatsapp_template_goes_outside_the_window(org, associate_a, customer_a, messaging, at_noon):
    opt_in(customer_a, Channel.WHATSAPP)
    report = services.message_send_bulk(customer_ids=[customer_a.pk], store=org["store_a"],
                                        channel=Channel.WHATSAPP, sender=associate_a,
                                        template=mapped_template(channel=Channel.WHATSAPP), bulk_job_id=6)
    assert report.queued == 1
    assert Message.objects.get().content_sid.startswith("HX")


def test_bulk_marketing_after_hours_is_scheduled_and_shown_in_the_grid(org, associate_a, customer_a,
                                                                       messaging):
    opt_in(customer_a)
    with time_machine.travel(datetime(2026, 6, 11, 2, 30, tzinfo=UTC), tick=False):
        report = services.message_send_bulk(customer_ids=[customer_a.pk], store=org["store_a"],
                                            channel=Channel.SMS, sender=associate_a,
                                            template=mapped_template(), bulk_job_id=8)
    assert (report.queued, report.scheduled) == (0, 1)
    morning = datetime(2026, 6, 11, 12, 0, tzinfo=UTC)
    assert Message.objects.get().scheduled_for == morning
    assert CustomerContactHistory.objects.get(customer=customer_a).next_scheduled_text_at == morning


def test_a_staff_notice_is_never_sent(sms_thread, demo_provider, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice = services.conversation_notice_add(conversation=sms_thread, body="Paid by link")
    assert notice.status == Message.Status.SENT and demo_provider == []


def test_bulk_insert_writes_every_row_the_thread_needs(org, associate_a, messaging, at_noon):
    # PostgreSQL takes the UNNEST path, SQLite the ORM one: CI runs this on both.
    customers = CustomerFactory.create_batch(2, legal_entity=org["entity"], primary_salesperson=associate_a)
    for customer in customers:
        opt_in(customer)
    existing = services.conversation_get_or_create(customer=customers[0], store=org["store_a"],
                                                   channel=Channel.SMS)
    report = services.message_send_bulk(customer_ids=[c.pk for c in customers], store=org["store_a"],
                                        channel=Channel.SMS, sender=associate_a,
                                        template=mapped_template(), bulk_job_id=11)
    assert report.queued == 2
    messages = Message.objects.filter(pk__in=report.message_ids).order_by("pk")
    for message, customer in zip(messages, customers, strict=True):
        assert message.conversation.customer == customer
        assert (message.kind, message.status, message.direction) == ("template", "queued", "out")
        assert message.body == f"Hi {customer.first_name}, new arrivals at New York."
        assert message.template_variables == {"1": customer.first_name, "2": "New York"}
        assert (message.sent_by, message.bulk_job_id, message.is_marketing) == (associate_a, 11, True)
        assert message.idempotency_key and message.created_at
        thread = message.conversation
        assert (thread.assigned_to, thread.status) == (associate_a, "open")
        assert thread.last_message_preview == message.body
    assert messages[0].conversation == existing
