"""Threads and inboxes: ownership, store visibility, unread counts, paging, opt-in requests."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from clienteling.models import Channel, ConsentState, CustomerConsent, StaffProfile
from conversations import selectors, services
from conversations.models import ClientelingEvent, Conversation, Message
from tests.factories import CustomerFactory, make_staff

from .conftest import STORE_A_SMS, mapped_template, opt_in, reply

pytestmark = pytest.mark.django_db


# --- threads ---------------------------------------------------------------------------


def test_a_thread_belongs_to_the_primary_salesperson_of_the_store(org, customer_a, associate_a, manager):
    thread = services.conversation_get_or_create(customer=customer_a, store=org["store_a"],
                                                 channel=Channel.SMS,
                                                 user=manager)
    assert (thread.assigned_to, thread.started_by) == (associate_a, manager)
    assert services.conversation_get_or_create(customer=customer_a, store=org["store_a"],
                                               channel=Channel.SMS) == thread


def test_in_another_store_the_thread_goes_to_whoever_starts_it(org, customer_a, company_admin):
    thread = services.conversation_get_or_create(customer=customer_a, store=org["store_a2"],
                                                 channel=Channel.SMS,
                                                 user=company_admin)
    assert thread.assigned_to == company_admin


def test_a_thread_is_handed_only_to_staff_of_its_store(sms_thread, manager, associate_b, associate_a):
    services.conversation_assign(conversation=sms_thread, assignee=manager, by=associate_a)
    sms_thread.refresh_from_db()
    assert sms_thread.assigned_to == manager
    with pytest.raises(ValidationError):
        services.conversation_assign(conversation=sms_thread, assignee=associate_b, by=manager)


def test_archive_and_unarchive_are_guarded(sms_thread, associate_a):
    assert services.conversation_archive(conversation=sms_thread, by=associate_a)
    assert not services.conversation_archive(conversation=sms_thread, by=associate_a)
    assert sms_thread.archive_reason == Conversation.ArchiveReason.MANUAL
    assert services.conversation_unarchive(conversation=sms_thread, by=associate_a)
    assert not services.conversation_unarchive(conversation=sms_thread, by=associate_a)


def test_sending_on_an_archived_thread_reopens_it(sms_thread, associate_a, demo_provider):
    services.conversation_archive(conversation=sms_thread, by=associate_a)
    services.message_send(conversation=sms_thread, sender=associate_a, body="Are you still there?")
    sms_thread.refresh_from_db()
    assert sms_thread.status == Conversation.Status.OPEN
    assert sms_thread.last_message_preview == "Are you still there?"


# --- opt-in request --------------------------------------------------------------------


def test_opt_in_request_sends_intro_and_built_in_text(new_sms_thread, associate_a, customer_a, messaging,
                                                      demo_provider, django_capture_on_commit_callbacks):
    sms_thread = new_sms_thread
    messaging["store_a"].opt_in_intro = "Hi, it's Alex from Atelier New York."
    messaging["store_a"].save()
    with django_capture_on_commit_callbacks(execute=True):
        message = services.opt_in_request(conversation=sms_thread, sender=associate_a)
    assert message.kind == Message.Kind.OPT_IN
    assert message.body == ("Hi, it's Alex from Atelier New York.\n\n"
                            "Reply START to chat with us, STOP to opt out.")
    consent = CustomerConsent.objects.get(customer=customer_a, channel=Channel.SMS)
    assert consent.state == ConsentState.REQUESTED
    sms_thread.refresh_from_db()
    assert sms_thread.opt_in_requested_at is not None
    reply(sms_thread, "Yes")
    consent.refresh_from_db()
    assert consent.state == ConsentState.OPTED_IN


def test_opt_in_request_uses_the_configured_template(sms_thread, associate_a, messaging):
    mapped_template(event=ClientelingEvent.OPT_IN, body="{{1}} here: reply START to chat, STOP to opt out.",
                    sources=("store_name",))
    message = services.opt_in_request(conversation=sms_thread, sender=associate_a)
    assert message.body == "New York here: reply START to chat, STOP to opt out."
    assert message.template is not None


def test_whatsapp_opt_in_outside_the_window_is_the_template_alone(whatsapp_thread, associate_a, messaging):
    messaging["store_a"].opt_in_intro = "Hello from Atelier."
    messaging["store_a"].save()
    template = mapped_template(channel=Channel.WHATSAPP, event=ClientelingEvent.OPT_IN,
                               body="Reply START to chat with {{1}}.", sources=("store_name",))
    message = services.opt_in_request(conversation=whatsapp_thread, sender=associate_a)
    assert (message.body, message.content_sid) == ("Reply START to chat with New York.", template.content_sid)


def test_no_opt_in_request_to_a_customer_who_opted_out(sms_thread, associate_a, customer_a):
    reply(sms_thread, "STOP")
    with pytest.raises(services.SendBlocked):
        services.opt_in_request(conversation=sms_thread, sender=associate_a)
    assert CustomerConsent.objects.get(customer=customer_a).state == ConsentState.OPTED_OUT


# --- inboxes ---------------------------------------------------------------------------


def test_my_inbox_has_threads_i_own_or_started_latest_first(org, associate_a, manager, customer_a):
    mine = services.conversation_get_or_create(customer=customer_a, store=org["store_a"], channel=Channel.SMS)
    started = services.conversation_get_or_create(customer=CustomerFactory(legal_entity=org["entity"]),
                                         store=org["store_a"], channel=Channel.SMS, user=associate_a)
    services.conversation_assign(conversation=started, assignee=manager, by=associate_a)
    services.conversation_get_or_create(customer=CustomerFactory(legal_entity=org["entity"]),
                                        store=org["store_a"],
                                        channel=Channel.SMS, user=manager)
    Conversation.objects.filter(pk=mine.pk).update(last_message_at=timezone.now())
    Conversation.objects.filter(pk=started.pk).update(last_message_at=timezone.now() - timedelta(hours=1))
    assert list(selectors.my_inbox(user=associate_a)) == [mine, started]


def test_store_inbox_is_invisible_to_staff_of_another_store(org, sms_thread, associate_b, associate_a,
                                                            manager):
    assert list(selectors.store_inbox(user=manager, store=org["store_a"])) == [sms_thread]
    assert list(selectors.store_inbox(user=associate_b, store=org["store_a"])) == []
    assert list(selectors.my_inbox(user=associate_b)) == []
    assert selectors.unread_count(user=associate_b) == 0
    reply(sms_thread)
    assert selectors.unread_count(user=associate_b) == 0
    with pytest.raises(Http404):
        selectors.conversation_for_user(user=associate_b, conversation_id=sms_thread.pk)
    assert selectors.conversation_for_user(user=associate_a, conversation_id=sms_thread.pk) == sms_thread


def test_archived_view(org, sms_thread, associate_a):
    services.conversation_archive(conversation=sms_thread, by=associate_a)
    assert list(selectors.my_inbox(user=associate_a)) == []
    assert list(selectors.archived_inbox(user=associate_a)) == [sms_thread]
    assert list(selectors.archived_inbox(user=associate_a, store=org["store_a"])) == [sms_thread]


def test_unread_counts_per_user(org, sms_thread, associate_a, manager):
    reply(sms_thread, "One")
    reply(sms_thread, "Two")
    sms_thread.refresh_from_db()
    assert sms_thread.unread_count == 2
    assert selectors.unread_count(user=associate_a) == 1  # conversations, not messages
    assert selectors.unread_count(user=manager) == 0  # not theirs, and assigned
    services.conversation_mark_read(conversation=sms_thread, user=associate_a)
    assert selectors.unread_count(user=associate_a) == 0
    reply(sms_thread, "Three")
    assert selectors.unread_count(user=associate_a) == 1


def test_unassigned_first_messages_count_for_the_whole_store(org, messaging, manager, associate_a,
                                                             associate_b):
    services.inbound_receive(store=org["store_a"], from_number="+13105550111", to_number=STORE_A_SMS,
                             channel=Channel.SMS, body="Hello?", media_urls=[], provider_sid="SMnew",
                             received_at=timezone.now())
    assert selectors.unread_count(user=manager) == 1
    assert selectors.unread_count(user=associate_a) == 1
    assert selectors.unread_count(user=associate_b) == 0


def test_unread_count_query_count(org, sms_thread, associate_a, django_assert_num_queries):
    reply(sms_thread)
    with django_assert_num_queries(2):  # the user's staff profile, then one count
        assert selectors.unread_count(user=associate_a) == 1


def test_conversation_pages_newest_first(sms_thread, associate_a, demo_provider):
    for n in range(7):
        services.message_send(conversation=sms_thread, sender=associate_a, body=f"m{n}")
    page = selectors.conversation_messages(conversation=sms_thread, limit=3)
    assert [m.body for m in page] == ["m6", "m5", "m4"]
    older = selectors.conversation_messages(conversation=sms_thread, before_id=page[-1].pk, limit=3)
    assert [m.body for m in older] == ["m3", "m2", "m1"]
    last = selectors.conversation_messages(conversation=sms_thread, before_id=older[-1].pk, limit=3)
    assert [m.body for m in last] == ["m0"]


def test_a_page_anchor_from_another_thread_gives_nothing(org, sms_thread, associate_a, demo_provider):
    stranger = CustomerFactory(legal_entity=org["entity"])
    opt_in(stranger)
    other = services.conversation_get_or_create(customer=stranger, store=org["store_a"], channel=Channel.SMS)
    foreign = services.message_send(conversation=other, sender=associate_a, body="x")
    assert selectors.conversation_messages(conversation=sms_thread, before_id=foreign.pk) == []


def test_manager_can_answer_for_an_absent_colleague(org, sms_thread, manager, demo_provider):
    make_staff(StaffProfile.Role.ASSOCIATE, org["store_a"], username="extra")
    message = services.message_send(conversation=sms_thread, sender=manager, body="Alex is off today")
    assert message.sent_by == manager


def test_no_thread_between_a_store_and_another_legal_entity_customer(org, customer_b):
    with pytest.raises(ValidationError):
        services.conversation_get_or_create(customer=customer_b, store=org["store_a"], channel=Channel.SMS)


def test_help_from_a_number_that_cannot_text_still_records_the_message(sms_thread, customer_a):
    customer_a.can_receive_texts = False
    customer_a.save()
    message = reply(sms_thread, "HELP")
    assert message.pk and message.direction == Message.Direction.INBOUND
    assert not sms_thread.messages.filter(direction=Message.Direction.OUTBOUND).exists()
