"""The associate's conversation screens: inboxes, thread, composer, outreach, profile section."""

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import ProductShare
from clienteling import services as clienteling_services
from clienteling.models import Channel, ConsentState, CustomerTag
from conversations import services
from conversations.models import Conversation, Message
from tests.factories import CustomerFactory, ProductFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(org, associate_a, customer_a):
    return services.conversation_get_or_create(customer=customer_a, store=org["store_a"],
                                               channel=Channel.SMS, user=associate_a)


def opt_in(customer):
    clienteling_services.customer_consent_set(customer=customer, channel=Channel.SMS,
                                              state=ConsentState.OPTED_IN, source="keyword")


def test_inboxes_and_thread_are_scoped_to_the_users_stores(client, org, associate_b, thread):
    client.force_login(associate_b)
    assert client.get(reverse("conversations:detail", args=[thread.pk])).status_code == 404
    store_a = reverse("conversations:store_inbox", args=[org["store_a"].pk])
    assert client.get(store_a).status_code == 404
    assert thread not in client.get(reverse("conversations:inbox")).context["conversations"]


@pytest.mark.parametrize("name", ["conversations:inbox", "conversations:archived",
                                  "conversations:outreach_lists"])
def test_anonymous_users_are_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_colleague_of_the_store_can_answer_from_the_store_inbox(client, org, manager, thread):
    client.force_login(manager)
    inbox = client.get(reverse("conversations:store_inbox", args=[org["store_a"].pk]))
    assert thread in inbox.context["conversations"]
    assert client.get(reverse("conversations:detail", args=[thread.pk])).status_code == 200


def test_opted_out_customer_gets_a_disabled_composer_and_no_message(client, associate_a, thread,
                                                                    customer_a):
    clienteling_services.customer_consent_set(customer=customer_a, channel=Channel.SMS,
                                              state=ConsentState.OPTED_OUT, source="keyword")
    client.force_login(associate_a)
    page = client.get(reverse("conversations:detail", args=[thread.pk]))
    assert page.context["state"].can_send_text is False
    assert page.context["state"].blocked_reason
    response = client.post(reverse("conversations:send", args=[thread.pk]), {"body": "Hello"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert not Message.objects.filter(direction="out").exists()


def test_composer_queues_a_message_and_returns_the_thread(client, associate_a, thread, customer_a,
                                                          django_capture_on_commit_callbacks):
    opt_in(customer_a)
    client.force_login(associate_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("conversations:send", args=[thread.pk]),
                               {"body": "Your alterations are ready"},
                               headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "toast" in response["HX-Trigger"]
    message = Message.objects.get(direction="out")
    assert message.body == "Your alterations are ready"
    assert message.status in ("sent", "delivered")  # demo provider in tests
    assert "Your alterations are ready" in response.content.decode()


def test_empty_message_is_refused_with_a_reason(client, associate_a, thread, customer_a):
    opt_in(customer_a)
    client.force_login(associate_a)
    response = client.post(reverse("conversations:send", args=[thread.pk]), {"body": "  "})
    assert response.status_code == 400
    assert "Type a message first." in response.content.decode()
    assert not Message.objects.exists()


def test_product_is_found_by_barcode_and_shared_as_a_public_link(client, associate_a, thread,
                                                                  customer_a):
    opt_in(customer_a)
    product = ProductFactory(title="Cashmere wrap", barcode="4006381333931")
    client.force_login(associate_a)
    found = client.get(reverse("conversations:product_picker", args=[thread.pk]),
                       {"q": "4006381333931"})
    # A partial of the conversation page: no response.context, so read the rendered rows.
    html = found.content.decode()
    assert html.count('name="product"') == 1 and f'name="product" value="{product.pk}"' in html
    client.post(reverse("conversations:product_share", args=[thread.pk]), {"product": product.pk})
    share = ProductShare.objects.get()
    message = Message.objects.get(kind="product")
    assert share.token in message.body
    public = Client().get(reverse("catalog:shared", args=[share.token])).content.decode()
    assert "Cashmere wrap" in public
    assert customer_a.last_name not in public and customer_a.email not in public


def test_demo_reply_runs_through_the_inbound_path(client, associate_a, thread,
                                                  django_capture_on_commit_callbacks):
    client.force_login(associate_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("conversations:simulate_reply", args=[thread.pk]), {"body": " start "})
    thread.refresh_from_db()
    inbound = Message.objects.get(direction="in")
    assert inbound.body.strip().lower() == "start"
    assert thread.customer.consents.get(channel="sms").state == ConsentState.OPTED_IN


def test_unread_badge_and_login_notice(org, associate_a, thread, customer_a):
    services.inbound_receive(store=org["store_a"], from_number=str(customer_a.phone),
                             to_number=str(org["store_a"].clienteling_phone), channel="sms",
                             body="Is the bag back in stock?", media_urls=[],
                             provider_sid="SMunread1", received_at=thread.created_at)
    browser = Client()
    response = browser.post(reverse("login"), {"username": "associate.a",
                                               "password": "pass-word-123"}, follow=True)
    assert "unread message" in response.content.decode()
    badge = browser.get(reverse("conversations:unread_badge")).content.decode()
    assert ">1<" in badge.replace(" ", "")


def test_profile_shows_the_conversations_section(client, associate_a, thread, customer_a):
    from clienteling.models import ProfileSection

    # The default layout has it, from conversations' data migration, after the contact details.
    assert list(ProfileSection.objects.filter(kind__in=["contact", "conversations"])
                .values_list("kind", flat=True)) == ["contact", "conversations"]
    client.force_login(associate_a)
    body = client.get(reverse("clienteling:customer_detail", args=[customer_a.pk])).content.decode()
    assert reverse("conversations:detail", args=[thread.pk]) in body


def test_start_from_the_profile_sends_an_opt_in_request(client, org, associate_a, customer_a,
                                                         django_capture_on_commit_callbacks):
    client.force_login(associate_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("conversations:start", args=[customer_a.pk]),
                               {"store": org["store_a"].pk, "channel": "sms", "opt_in": "1"})
    conversation = Conversation.objects.get(customer=customer_a)
    assert response["Location"] == reverse("conversations:detail", args=[conversation.pk])
    assert Message.objects.get().kind == Message.Kind.OPT_IN
    assert customer_a.consents.get(channel="sms").state == ConsentState.REQUESTED


def test_outreach_list_greys_out_customers_without_a_phone(client, org, associate_a, customer_a):
    campaign = TagFactory(name="Summer Campaign", is_outreach_list=True)
    no_phone = CustomerFactory(legal_entity=org["entity"], first_name="Nophone", phone="")
    for customer in (customer_a, no_phone):
        CustomerTag.objects.create(customer=customer, tag=campaign)
    client.force_login(associate_a)
    lists = client.get(reverse("conversations:outreach_lists"))
    assert [t.name for t in lists.context["tags"]] == ["Summer Campaign"]
    detail = client.get(reverse("conversations:outreach_detail", args=[campaign.pk]))
    reach = {row["customer"].first_name: row["reachable"] for row in detail.context["rows"]}
    assert reach == {"Claire": True, "Nophone": False}
