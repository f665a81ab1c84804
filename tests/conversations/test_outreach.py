"""Bulk outreach: the right store, the right legal entity, and a report a person can read."""

import pytest
from django.urls import reverse

from clienteling.models import BulkJob, Channel, CustomerTag, StaffProfile
from conversations.bulk import bulk_send_chunk
from conversations.models import Conversation, Message, MessageTemplate
from tests.factories import CustomerFactory, TagFactory, make_staff

from .conftest import mapped_template, opt_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(org):
    return TagFactory(name="Summer Campaign", is_outreach_list=True)


def tag(customers, campaign):
    for customer in customers:
        CustomerTag.objects.create(customer=customer, tag=campaign)


def test_outreach_report_has_readable_reasons_and_provider_failures(
        client, org, twilio, messaging, associate_a, campaign, at_noon, django_capture_on_commit_callbacks):
    reachable = CustomerFactory.create_batch(3, legal_entity=org["entity"])
    for customer in reachable:
        opt_in(customer)
    not_asked = CustomerFactory(legal_entity=org["entity"])
    no_phone = CustomerFactory(legal_entity=org["entity"], phone="")
    tag([*reachable, not_asked, no_phone], campaign)
    template = mapped_template()
    twilio.fake.fail_next(21211)  # one number the carrier says is not valid
    client.force_login(associate_a)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("conversations:outreach_send", args=[campaign.pk]),
                              {"template": template.pk}, HTTP_HX_REQUEST="true")
    assert started.status_code == 200
    job = BulkJob.objects.get()
    assert job.store == org["store_a"]
    report = client.get(reverse("conversations:outreach_job", args=[campaign.pk, job.pk])).content.decode()
    assert 'data-count="queued">3<' in report
    assert 'data-count="failed">1<' in report
    assert "Has not opted in: 1" in report and "No mobile number: 1" in report
    assert "no_consent" not in report and "no_phone" not in report
    # The console's own progress panel (customer list) shows the same readable reasons.
    assert job.report["skipped"] == {"Has not opted in": 1, "No mobile number": 1}
    # The customer list's progress panel shows the same send report, provider failures included.
    panel = client.get(reverse("clienteling:bulk_job_status", args=[job.pk])).content.decode()
    assert 'data-count="queued">3<' in panel and 'data-count="failed">1<' in panel
    assert "Has not opted in: 1" in panel and "updated" not in panel


def test_a_job_without_a_store_sends_from_the_senders_home_store_not_the_first_store(org, messaging,
                                                                                      at_noon):
    boston = make_staff(StaffProfile.Role.ASSOCIATE, org["store_a2"], username="boston")
    customer = CustomerFactory(legal_entity=org["entity"])
    opt_in(customer)
    job = BulkJob.objects.create(action="send_message", created_by=boston, store=None)
    sent, skipped = bulk_send_chunk(job=job, customer_ids=[customer.pk],
                                    params={"template": mapped_template().pk})
    assert (sent, skipped) == (1, 0)
    assert Conversation.objects.get(customer=customer).store == org["store_a2"]


def test_a_job_for_a_store_the_sender_does_not_work_in_sends_nothing(org, messaging, associate_a, at_noon):
    customer = CustomerFactory(legal_entity=org["entity"])
    opt_in(customer)
    job = BulkJob.objects.create(action="send_message", created_by=associate_a, store=org["store_a2"])
    assert bulk_send_chunk(job=job, customer_ids=[customer.pk],
                           params={"template": mapped_template().pk}) == (0, 1)
    assert not Message.objects.exists()
    assert job.report["skipped_codes"] == {"no_store": 1}


def test_customers_of_another_legal_entity_are_refused(org, messaging, associate_a, customer_b, at_noon):
    opt_in(customer_b)
    job = BulkJob.objects.create(action="send_message", created_by=associate_a, store=org["store_a"])
    assert bulk_send_chunk(job=job, customer_ids=[customer_b.pk],
                           params={"template": mapped_template().pk}) == (0, 1)
    assert not Conversation.objects.filter(customer=customer_b).exists()
    assert job.report["skipped"] == {"Customer of another legal entity": 1}


def test_outreach_offers_mapped_templates_of_every_channel_for_my_stores(client, org, associate_a,
                                                                         campaign):
    sms = mapped_template(name="SMS news")
    whatsapp = mapped_template(channel=Channel.WHATSAPP, name="WhatsApp news")
    email = mapped_template(channel=Channel.EMAIL, name="Email news", subject="News", store=org["store_a"])
    mapped_template(name="Paris only", store=org["store_b"])
    draft = mapped_template(name="Not approved yet")
    MessageTemplate.objects.filter(pk=draft.pk).update(status=MessageTemplate.Status.RECEIVED)
    client.force_login(associate_a)
    page = client.get(reverse("conversations:outreach_detail", args=[campaign.pk]))
    assert {t.pk for t in page.context["templates"]} == {sms.pk, whatsapp.pk, email.pk}


def test_a_template_of_another_store_cannot_be_sent_to_the_list(client, org, associate_a, campaign):
    paris = mapped_template(name="Paris only", store=org["store_b"])
    client.force_login(associate_a)
    response = client.post(reverse("conversations:outreach_send", args=[campaign.pk]), {"template": paris.pk})
    assert response.status_code == 400
    assert not BulkJob.objects.exists()


def test_someone_elses_job_report_is_404(client, org, associate_a, manager, campaign):
    job = BulkJob.objects.create(action="send_message", created_by=manager, store=org["store_a"])
    client.force_login(associate_a)
    assert client.get(reverse("conversations:outreach_job", args=[campaign.pk, job.pk])).status_code == 404


def test_without_javascript_the_send_lands_on_the_list_with_its_report(client, org, messaging, associate_a,
                                                                       campaign, at_noon):
    customer = CustomerFactory(legal_entity=org["entity"])
    opt_in(customer)
    tag([customer], campaign)
    client.force_login(associate_a)
    response = client.post(reverse("conversations:outreach_send", args=[campaign.pk]),
                           {"template": mapped_template().pk})
    job = BulkJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"?job={job.pk}")
    page = client.get(response["Location"])
    assert page.context["report"].job == job


def test_outreach_list_counts_stop_at_a_thousand(client, org, associate_a, campaign, monkeypatch):
    from conversations import outreach

    monkeypatch.setattr(outreach, "COUNT_CAP", 3)
    tag(CustomerFactory.create_batch(5, legal_entity=org["entity"]), campaign)
    small = TagFactory(name="Small list", is_outreach_list=True)
    tag(CustomerFactory.create_batch(2, legal_entity=org["entity"]), small)
    tag(CustomerFactory.create_batch(4, legal_entity=org["other_entity"]), small)  # not this company's
    client.force_login(associate_a)

    page = client.get(reverse("conversations:outreach_lists"))

    counts = {t.name: (t.customer_count, t.count_capped) for t in page.context["tags"]}
    assert counts == {"Summer Campaign": (3, True), "Small list": (2, False)}
    assert "3+" in page.content.decode()
