"""A global outreach list across stores: per-store progress and every store's conversations,
for the managers and company admins who may see them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clienteling.models import BulkJob, CustomerTag, StaffProfile
from conversations.bulk import bulk_send_chunk
from conversations.models import Conversation, Message
from conversations.outreach import campaign_progress
from tests.factories import CustomerFactory, TagFactory, make_staff

from .conftest import mapped_template, opt_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(org):
    return TagFactory(name="Winter preview", is_outreach_list=True)


@pytest.fixture
def boston_manager(org):
    return make_staff(StaffProfile.Role.STORE_MANAGER, org["store_a2"], username="boston.manager")


def listed(campaign, store, count, **fields):
    customers = CustomerFactory.create_batch(count, legal_entity=store.legal_entity, home_store=store,
                                             **fields)
    CustomerTag.objects.bulk_create([CustomerTag(customer=customer, tag=campaign) for customer in customers])
    return customers


def send_from(campaign, store, sender, customers, template):
    job = BulkJob.objects.create(action="send_message", created_by=sender, store=store,
                                 params={"selection": {"query": f"tags={campaign.pk}"}})
    for customer in customers:
        opt_in(customer)
    bulk_send_chunk(job=job, customer_ids=[customer.pk for customer in customers],
                    params={"template": template.pk})
    return job


@pytest.fixture
def two_stores_sent(org, messaging, campaign, associate_a, at_noon):
    new_york = listed(campaign, org["store_a"], 4)
    boston = listed(campaign, org["store_a2"], 2)
    boston_associate = make_staff(StaffProfile.Role.ASSOCIATE, org["store_a2"], username="boston.associate")
    template = mapped_template()
    send_from(campaign, org["store_a"], associate_a, new_york[:3], template)
    send_from(campaign, org["store_a2"], boston_associate, boston[:1], template)
    # One New York customer answers after the campaign.
    answered = Conversation.objects.get(customer=new_york[0])
    Conversation.objects.filter(pk=answered.pk).update(last_inbound_at=timezone.now() + timedelta(minutes=5))
    Message.objects.filter(conversation__customer=new_york[1]).update(status=Message.Status.DELIVERED)
    return new_york, boston


def test_a_company_admin_sees_each_stores_progress(client, org, company_admin, campaign, two_stores_sent):
    client.force_login(company_admin)

    page = client.get(reverse("conversations:outreach_campaign", args=[campaign.pk]))

    assert page.status_code == 200
    progress = {row.store.code: row for row in page.context["progress"]}
    assert (progress["nyc"].on_list, progress["nyc"].reached, progress["nyc"].replied,
            progress["nyc"].delivered, progress["nyc"].percent) == (4, 3, 1, 1, 75)
    assert (progress["bos"].on_list, progress["bos"].reached, progress["bos"].percent) == (2, 1, 50)
    assert {conversation.store.code for conversation in page.context["conversations"]} == {"nyc", "bos"}
    html = page.content.decode()
    assert "3 of 4 reached" in html and "1 of 2 reached" in html and 'data-progress="75"' in html


def test_a_store_manager_sees_only_the_stores_they_manage(client, org, boston_manager, campaign,
                                                          two_stores_sent):
    client.force_login(boston_manager)

    page = client.get(reverse("conversations:outreach_campaign", args=[campaign.pk]))

    assert [row.store.code for row in page.context["progress"]] == ["bos"]
    assert {conversation.store.code for conversation in page.context["conversations"]} == {"bos"}
    # Asking for another store's conversations shows the manager's own, not New York's.
    other = client.get(reverse("conversations:outreach_campaign", args=[campaign.pk]),
                       {"store": org["store_a"].pk})
    assert {conversation.store.code for conversation in other.context["conversations"]} == {"bos"}


def test_one_stores_conversations(client, org, company_admin, campaign, two_stores_sent):
    client.force_login(company_admin)
    page = client.get(reverse("conversations:outreach_campaign", args=[campaign.pk]),
                      {"store": org["store_a2"].pk})
    assert page.context["chosen"] == org["store_a2"]
    assert {conversation.store.code for conversation in page.context["conversations"]} == {"bos"}


def test_associates_get_no_overview_and_store_lists_have_none(client, org, associate_a, manager, campaign):
    client.force_login(associate_a)
    assert client.get(reverse("conversations:outreach_campaign", args=[campaign.pk])).status_code == 403
    detail = client.get(reverse("conversations:outreach_detail", args=[campaign.pk])).content.decode()
    assert reverse("conversations:outreach_campaign", args=[campaign.pk]) not in detail

    client.force_login(manager)
    detail = client.get(reverse("conversations:outreach_detail", args=[campaign.pk])).content.decode()
    assert reverse("conversations:outreach_campaign", args=[campaign.pk]) in detail
    store_list = TagFactory(name="NY only", is_outreach_list=True, store=org["store_a"])
    assert client.get(reverse("conversations:outreach_campaign", args=[store_list.pk])).status_code == 404


def test_progress_queries_do_not_grow_with_stores(org, company_admin, campaign, two_stores_sent):
    def queries(stores):
        with CaptureQueriesContext(connection) as captured:
            rows = campaign_progress(tag=campaign, user=company_admin, stores=stores)
        return len(captured), rows

    queries([org["store_a"]])  # the user's staff profile and scope, read once
    one, _rows = queries([org["store_a"]])
    three, rows = queries([org["store_a"], org["store_a2"], org["store_b"]])
    assert one == three == 2
    assert [row.store.code for row in rows] == ["nyc", "bos"]  # Paris has nobody on the list


def test_empty_campaign_page(client, company_admin, campaign):
    client.force_login(company_admin)
    html = client.get(reverse("conversations:outreach_campaign", args=[campaign.pk])).content.decode()
    assert "Nobody on this list belongs to a store you manage yet." in html
    assert "No conversations with this list yet." in html


def test_the_figures_are_counted_at_most_once_a_minute(client, org, company_admin, campaign, two_stores_sent):
    from django.core.cache import cache

    client.force_login(company_admin)
    url = reverse("conversations:outreach_campaign", args=[campaign.pk])
    first = client.get(url)
    listed(campaign, org["store_a"], 2)  # two more New York customers join the list

    again = client.get(url)
    assert {r.store.code: r.on_list for r in again.context["progress"]}["nyc"] == 4  # a minute old
    assert again.context["as_of"] == first.context["as_of"]
    assert "As of" in again.content.decode()

    cache.clear()  # the minute has passed
    fresh = client.get(url)
    assert {r.store.code: r.on_list for r in fresh.context["progress"]}["nyc"] == 6
