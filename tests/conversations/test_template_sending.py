"""What a template's message type sends: the header image as the message's media (MMS,
WhatsApp, bulk), a WhatsApp header line, and quick replies as Twilio quick-reply content."""

import json

import pytest

from clienteling.models import Channel
from conversations import services, tasks
from conversations.models import Message, MessageTemplate, StoreMessagingSettings, TemplateVariable
from tests.factories import ProductFactory

from .conftest import mapped_template

pytestmark = pytest.mark.django_db
IMAGE = "https://cdn.example.com/looks/autumn.jpg"


def send(thread, sender, capture, **kwargs) -> Message:
    with capture(execute=True):
        message = services.message_send(conversation=thread, sender=sender, **kwargs)
    message.refresh_from_db()
    return message


def approved_through_twilio(fake, **fields) -> MessageTemplate:
    """A WhatsApp template published, submitted to the fake Content API and approved there."""
    template = MessageTemplate.objects.create(
        channel=Channel.WHATSAPP, name=fields.pop("name", "autumn_looks"), category="marketing",
        body="Hi {{1}}, the autumn looks are in at {{2}}.", **fields)
    TemplateVariable.objects.create(template=template, position=1, source="customer_first_name", sample="Ana")
    TemplateVariable.objects.create(template=template, position=2, source="store_name", sample="Soho")
    services.template_publish(template=template)
    tasks.templates_approval_sync()
    template.refresh_from_db()
    fake.approval_verdict(template.content_sid, "approved")
    tasks.templates_approval_sync()
    template.refresh_from_db()
    assert template.status == MessageTemplate.Status.APPROVED
    return template


def test_a_media_template_sends_its_image_by_mms(twilio, sms_thread, associate_a,
                                                 django_capture_on_commit_callbacks):
    template = mapped_template(message_type="media", header_image_url=IMAGE)
    message = send(sms_thread, associate_a, django_capture_on_commit_callbacks, template=template)
    assert message.media_urls == [IMAGE]
    form = twilio.fake.last_create()
    assert (form["MediaUrl"], form["Body"]) == (IMAGE, "Hi Claire, new arrivals at New York.")


def test_a_product_image_goes_as_the_header(demo_provider, sms_thread, associate_a,
                                            django_capture_on_commit_callbacks):
    product = ProductFactory(image_url="https://cdn.example.com/p/scarf.jpg")
    template = mapped_template(message_type="media", header_product=product)
    message = send(sms_thread, associate_a, django_capture_on_commit_callbacks, template=template)
    assert message.media_urls == ["https://cdn.example.com/p/scarf.jpg"]
    assert demo_provider[-1].media_urls == ("https://cdn.example.com/p/scarf.jpg",)


def test_a_text_template_sends_no_image_even_if_one_was_left_on_it(demo_provider, sms_thread, associate_a,
                                                                   django_capture_on_commit_callbacks):
    template = mapped_template(message_type="text", header_image_url=IMAGE)
    message = send(sms_thread, associate_a, django_capture_on_commit_callbacks, template=template)
    assert message.media_urls == []


def test_a_media_template_is_refused_where_the_store_cannot_send_mms(demo_provider, sms_thread, associate_a):
    StoreMessagingSettings.objects.filter(store=sms_thread.store).update(mms_enabled=False)
    template = mapped_template(message_type="media", header_image_url=IMAGE)
    with pytest.raises(services.SendBlocked) as blocked:
        services.message_send(conversation=sms_thread, sender=associate_a, template=template)
    assert blocked.value.reason_code == "mms_unavailable"
    assert not sms_thread.messages.exists()


def test_whatsapp_media_template_is_twilio_media_content_with_the_image(
        twilio, whatsapp_thread, associate_a, django_capture_on_commit_callbacks):
    template = approved_through_twilio(twilio.fake, message_type="media", header_image_url=IMAGE)
    content = twilio.fake.contents[template.content_sid]
    assert content["types"] == {"twilio/media": {
        "body": "Hi {{1}}, the autumn looks are in at {{2}}.", "media": [IMAGE]}}
    message = send(whatsapp_thread, associate_a, django_capture_on_commit_callbacks, template=template)
    assert (message.media_urls, message.content_sid) == ([IMAGE], template.content_sid)
    form = twilio.fake.last_create()
    assert form["ContentSid"] == template.content_sid
    assert json.loads(form["ContentVariables"]) == {"1": "Claire", "2": "New York"}
    # The content carries the image: sending it again as MediaUrl would be refused by Twilio.
    assert "MediaUrl" not in form and "Body" not in form


def test_whatsapp_quick_replies_are_sent_as_twilio_quick_reply_content(
        twilio, whatsapp_thread, associate_a, django_capture_on_commit_callbacks):
    template = approved_through_twilio(twilio.fake, message_type="quick_reply",
                                       buttons=["Book a fitting", "Not now"])
    content = twilio.fake.contents[template.content_sid]
    assert content["types"] == {"twilio/quick-reply": {
        "body": "Hi {{1}}, the autumn looks are in at {{2}}.",
        "actions": [{"type": "QUICK_REPLY", "title": "Book a fitting", "id": "book-a-fitting"},
                    {"type": "QUICK_REPLY", "title": "Not now", "id": "not-now"}]}}
    message = send(whatsapp_thread, associate_a, django_capture_on_commit_callbacks, template=template)
    assert message.status == Message.Status.SENT
    assert twilio.fake.last_create()["ContentSid"] == template.content_sid == message.content_sid


def test_a_whatsapp_header_is_the_first_line(twilio, whatsapp_thread, associate_a,
                                             django_capture_on_commit_callbacks):
    template = approved_through_twilio(twilio.fake, subject="Autumn at {{2}}")
    assert twilio.fake.contents[template.content_sid]["types"]["twilio/text"]["body"] == (
        "*Autumn at {{2}}*\nHi {{1}}, the autumn looks are in at {{2}}.")
    message = send(whatsapp_thread, associate_a, django_capture_on_commit_callbacks, template=template)
    assert message.body == "*Autumn at New York*\nHi Claire, the autumn looks are in at New York."


def test_bulk_sends_carry_the_header_image(demo_provider, sms_thread, associate_a, customer_a):
    template = mapped_template(message_type="media", header_image_url=IMAGE, category="utility")
    report = services.message_send_bulk(customer_ids=[customer_a.pk], store=sms_thread.store,
                                        channel=Channel.SMS, sender=associate_a, template=template,
                                        bulk_job_id=1, is_marketing=False)
    assert report.queued == 1
    assert list(Message.objects.values_list("media_urls", flat=True)) == [[IMAGE]]
