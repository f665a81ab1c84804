"""Unread per user, the live badge, archived views, and the query count of every list page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from clienteling.models import Channel, ModuleSettings
from conversations import selectors, services
from conversations.models import Conversation, Message
from tests.factories import CustomerFactory, TagFactory

from .conftest import STORE_A_SMS, mapped_template, opt_in

pytestmark = pytest.mark.django_db


def reply(thread, body="Hi"):
    return services.inbound_receive(
        store=thread.store, from_number=str(thread.customer.phone), to_number=STORE_A_SMS,
        channel=thread.channel, body=body, media_urls=[],
        provider_sid=f"SM{Message.objects.count():032d}", received_at=timezone.now())


def threads_of(org, associate, n):
    made = []
    for _ in range(n):
        customer = CustomerFactory(legal_entity=org["entity"], primary_salesperson=associate,
                                   phone=f"+1212555{1000 + Conversation.objects.count():04d}")
        thread = services.conversation_get_or_create(customer=customer, store=org["store_a"],
                                                     channel=Channel.SMS,
                                                     user=associate)
        reply(thread)
        made.append(thread)
    return made


# --- unread per user -------------------------------------------------------------------


def test_a_manager_opening_a_thread_leaves_the_assignees_unread(client, org, messaging, sms_thread,
                                                                 associate_a, manager):
    reply(sms_thread, "One")
    reply(sms_thread, "Two")
    client.force_login(manager)
    assert client.get(reverse("conversations:detail", args=[sms_thread.pk])).status_code == 200
    assert selectors.unread_count(user=associate_a) == 1
    row = selectors.my_inbox(user=associate_a).get(pk=sms_thread.pk)
    assert row.unread == 2


def test_reading_clears_only_my_unread_and_a_new_reply_counts_again(org, messaging, sms_thread,
                                                                    associate_a):
    reply(sms_thread, "One")
    services.conversation_mark_read(conversation=sms_thread, user=associate_a)
    assert selectors.my_inbox(user=associate_a).get(pk=sms_thread.pk).unread == 0
    reply(sms_thread, "Two")
    assert selectors.my_inbox(user=associate_a).get(pk=sms_thread.pk).unread == 1
    assert selectors.unread_count(user=associate_a) == 1


def test_a_team_notice_counts_as_unread_until_read(org, messaging, sms_thread, associate_a):
    services.conversation_notice_add(conversation=sms_thread, body="Paid by link")
    assert selectors.unread_count(user=associate_a) == 1
    services.conversation_mark_read(conversation=sms_thread, user=associate_a)
    assert selectors.unread_count(user=associate_a) == 0


def test_the_badge_shows_my_unread_and_polls_itself(client, org, messaging, sms_thread, associate_a,
                                                    settings):
    settings.CONVERSATIONS_BADGE_POLL_SECONDS = 2
    reply(sms_thread)
    client.force_login(associate_a)
    html = client.get(reverse("conversations:unread_badge")).content.decode()
    assert html.count('data-unread-count="1"') == 2  # the top badge, and the bottom bar's out of band
    assert html.count('hx-trigger="every 2s"') == 1 and 'id="bottom-unread-badge" hx-swap-oob="true"' in html


def test_a_page_asks_for_the_badge_once(client, org, messaging, associate_a):
    client.force_login(associate_a)
    page = client.get(reverse("conversations:inbox")).content.decode()
    assert page.count(reverse("conversations:unread_badge")) == 1
    assert 'id="bottom-unread-badge"' in page


def test_the_badge_is_empty_and_stops_polling_when_the_module_is_off(client, org, messaging, sms_thread,
                                                                     associate_a):
    reply(sms_thread)
    ModuleSettings.objects.update_or_create(pk=1, defaults={"switches": {"conversations": False}})
    client.force_login(associate_a)
    html = client.get(reverse("conversations:unread_badge")).content.decode()
    assert "data-unread-count" not in html and "hx-trigger" not in html


# --- archived --------------------------------------------------------------------------


def test_archived_has_mine_and_each_stores(client, org, messaging, sms_thread, associate_a, manager):
    services.conversation_archive(conversation=sms_thread, by=associate_a)
    client.force_login(manager)
    mine = client.get(reverse("conversations:archived"))
    assert list(mine.context["conversations"]) == []
    store = client.get(reverse("conversations:archived_store", args=[org["store_a"].pk]))
    assert [c.pk for c in store.context["conversations"]] == [sms_thread.pk]
    client.force_login(associate_a)
    assert [c.pk for c in client.get(reverse("conversations:archived")).context["conversations"]] == [
        sms_thread.pk]


def test_staff_of_another_store_see_no_store_archive(client, org, messaging, sms_thread, associate_a,
                                                     associate_b):
    services.conversation_archive(conversation=sms_thread, by=associate_a)
    client.force_login(associate_b)
    assert client.get(reverse("conversations:archived_store", args=[org["store_a"].pk])).status_code == 404
    assert list(client.get(reverse("conversations:archived")).context["conversations"]) == []


# --- query counts: the same number whatever the rows ------------------------------------

# Session, user, staff profile, stores, module settings and permissions (7), the navigation (1),
# the session save (3), then the page's own reads; the badge loads itself afterwards.
INBOX_QUERIES = 12
STORE_INBOX_QUERIES = 14
ARCHIVED_QUERIES = 12
CONVERSATION_QUERIES = 22
OUTREACH_LISTS_QUERIES = 11
OUTREACH_DETAIL_QUERIES = 14


@pytest.mark.parametrize("rows", [2, 6])
def test_my_inbox_query_count(client, org, messaging, associate_a, rows, django_assert_num_queries):
    threads_of(org, associate_a, rows)
    client.force_login(associate_a)
    with django_assert_num_queries(INBOX_QUERIES):
        assert len(client.get(reverse("conversations:inbox")).context["conversations"]) == rows


@pytest.mark.parametrize("rows", [2, 6])
def test_store_inbox_query_count(client, org, messaging, associate_a, manager, rows,
                                 django_assert_num_queries):
    threads_of(org, associate_a, rows)
    client.force_login(manager)
    with django_assert_num_queries(STORE_INBOX_QUERIES):
        page = client.get(reverse("conversations:store_inbox", args=[org["store_a"].pk]))
    assert len(page.context["conversations"]) == rows


@pytest.mark.parametrize("rows", [2, 6])
def test_archived_query_count(client, org, messaging, associate_a, rows, django_assert_num_queries):
    for thread in threads_of(org, associate_a, rows):
        services.conversation_archive(conversation=thread, by=associate_a)
    client.force_login(associate_a)
    with django_assert_num_queries(ARCHIVED_QUERIES):
        assert len(client.get(reverse("conversations:archived")).context["conversations"]) == rows


@pytest.mark.parametrize("messages", [2, 8])
def test_conversation_page_query_count(client, org, messaging, sms_thread, associate_a, customer_a,
                                       demo_provider, messages, django_assert_num_queries):
    opt_in(customer_a)
    mapped_template(body="Hi {{1}}", sources=("customer_first_name",))
    for n in range(messages):
        reply(sms_thread, f"in {n}")
        services.message_send(conversation=sms_thread, sender=associate_a, body=f"out {n}")
    client.force_login(associate_a)
    with django_assert_num_queries(CONVERSATION_QUERIES):
        page = client.get(reverse("conversations:detail", args=[sms_thread.pk]))
    assert len(page.context["messages_page"]) == messages * 2


@pytest.mark.parametrize("lists", [1, 4])
def test_outreach_lists_query_count(client, org, associate_a, lists, django_assert_num_queries):
    for n in range(lists):
        TagFactory(name=f"Campaign {n}", is_outreach_list=True, store=org["store_a"] if n % 2 else None)
    client.force_login(associate_a)
    with django_assert_num_queries(OUTREACH_LISTS_QUERIES):
        assert len(client.get(reverse("conversations:outreach_lists")).context["tags"]) == lists


@pytest.mark.parametrize("members", [2, 6])
def test_outreach_detail_query_count(client, org, messaging, associate_a, members,
                                     django_assert_num_queries):
    from clienteling.models import CustomerTag

    campaign = TagFactory(name="Summer Campaign", is_outreach_list=True)
    for thread in threads_of(org, associate_a, members):
        CustomerTag.objects.create(customer=thread.customer, tag=campaign)
    mapped_template(body="Hi {{1}}", sources=("customer_first_name",))
    client.force_login(associate_a)
    with django_assert_num_queries(OUTREACH_DETAIL_QUERIES):
        page = client.get(reverse("conversations:outreach_detail", args=[campaign.pk]))
    assert len(page.context["rows"]) == members
