"""Consent is a history: every change with channel, state, source, who, when and the message behind it."""

import pytest
from django.urls import reverse

from clienteling.models import Channel, ConsentChange, ConsentState, CustomerConsent
from conversations import services
from conversations.models import Message

from .conftest import STORE_A_SMS, post_signed

pytestmark = pytest.mark.django_db
INBOUND = "/webhooks/twilio/messages/"


def history(customer):
    return list(ConsentChange.objects.filter(customer=customer).order_by("changed_at", "id").values_list(
        "channel", "state", "source", "changed_by__username"))


def text_in(client, twilio, customer, body, capture, sid):
    with capture(execute=True):
        post_signed(client, INBOUND, {"MessageSid": sid, "From": str(customer.phone), "To": STORE_A_SMS,
                                      "Body": body, "NumMedia": "0"}, twilio.fake.auth_token)
    return Message.objects.get(provider_sid=sid)


def test_request_reply_stop_and_start_each_add_a_line(client, twilio, new_sms_thread, associate_a, customer_a,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = services.opt_in_request(conversation=new_sms_thread, sender=associate_a)
    yes = text_in(client, twilio, customer_a, "YES", django_capture_on_commit_callbacks, "SM" + "1" * 32)
    stop = text_in(client, twilio, customer_a, "STOP", django_capture_on_commit_callbacks, "SM" + "2" * 32)
    start = text_in(client, twilio, customer_a, "START", django_capture_on_commit_callbacks, "SM" + "3" * 32)

    assert history(customer_a) == [
        ("sms", "requested", "associate", associate_a.username),
        ("sms", "opted_in", "opt_in_reply", None),  # the answer to the request
        ("sms", "opted_out", "keyword", None),
        ("sms", "opted_in", "keyword", None),  # a keyword of their own, not an answer
    ]
    caused_by = list(ConsentChange.objects.filter(customer=customer_a).order_by("changed_at", "id")
                     .values_list("message_id", flat=True))
    assert caused_by == [request.pk, yes.pk, stop.pk, start.pk]
    current = CustomerConsent.objects.get(customer=customer_a, channel=Channel.SMS)
    assert current.state == ConsentState.OPTED_IN


def test_a_21610_refusal_is_recorded_with_the_message(twilio, sms_thread, associate_a, customer_a,
                                                      django_capture_on_commit_callbacks):
    twilio.fake.fail_next(21610)
    with django_capture_on_commit_callbacks(execute=True):
        message = services.message_send(conversation=sms_thread, sender=associate_a, body="Hello")

    change = ConsentChange.objects.filter(customer=customer_a).order_by("-changed_at", "-id").first()
    assert (change.state, change.source, change.detail, change.message_id) == (
        "opted_out", "provider", "Twilio 21610", message.pk)


def test_a_company_admin_records_consent_in_the_admin_and_it_joins_the_history(client, company_admin,
                                                                               customer_a):
    client.force_login(company_admin)

    response = client.post(reverse("admin:clienteling_customerconsent_add"), {
        "customer": customer_a.pk, "channel": "email", "state": "opted_out",
        "detail": "Asked by letter"})

    assert response.status_code == 302
    assert history(customer_a) == [("email", "opted_out", "admin", company_admin.username)]
    consent = CustomerConsent.objects.get(customer=customer_a, channel="email")
    assert (consent.state, consent.source) == ("opted_out", "admin")


def test_the_profile_shows_consent_and_its_history(client, manager, customer_a, new_sms_thread, associate_a,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.opt_in_request(conversation=new_sms_thread, sender=associate_a)
    client.force_login(manager)

    page = client.get(reverse("clienteling:customer_detail", args=[customer_a.pk])).content.decode()

    assert "Consent history" in page and "Opt-in requested" in page
    assert "Recorded by an associate" in page and associate_a.get_full_name() in page
