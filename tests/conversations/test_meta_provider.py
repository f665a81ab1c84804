"""WhatsApp through Meta's Cloud API: the provider's real HTTP client against the loopback fake.

Sends (text, image with caption, template), Meta's refusals and faults as the three outcomes,
and the account's guard against sending its token to another host.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clienteling.models import Channel, ConsentState, CustomerConsent
from conversations import services
from conversations.models import Message, MessageTemplate, MetaWhatsAppAccount
from conversations.providers import get_provider
from conversations.providers.meta import MetaWhatsAppProvider

from .conftest import PUBLIC, mapped_template
from .meta_support import post_meta, running_meta

pytestmark = pytest.mark.django_db
CUSTOMER = "12125550123"  # customer_a's mobile, as Meta writes numbers


@pytest.fixture
def meta(settings, db):
    with running_meta(settings) as found:
        yield found


@pytest.fixture
def thread(whatsapp_thread):
    """A WhatsApp thread whose 24-hour window is open (the customer wrote a minute ago)."""
    whatsapp_thread.last_inbound_at = timezone.now() - timedelta(minutes=1)
    whatsapp_thread.save(update_fields=["last_inbound_at"])
    return whatsapp_thread


def queued(thread, sender, capture, **kwargs) -> Message:
    kwargs.setdefault("body", "" if "template" in kwargs else "Hi")
    with capture(execute=False):
        return services.message_send(conversation=thread, sender=sender, **kwargs)


def dispatched(message: Message):
    """The send task's outcome; `message` reloaded after it."""
    outcome = services.message_dispatch(message_id=message.pk)
    message.refresh_from_db()
    return outcome


def after_send(message: Message) -> Message:
    dispatched(message)
    return message


def test_the_setting_selects_meta_for_whatsapp(meta):
    assert isinstance(get_provider(Channel.WHATSAPP), MetaWhatsAppProvider)
    assert get_provider(Channel.SMS).name == "demo"


def test_text_is_posted_to_the_number_with_the_bearer_token_and_our_id(meta, thread, associate_a,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.message_send(conversation=thread, sender=associate_a, body="Hello Claire")
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.provider_sid.startswith("wamid.")
    request = meta.fake.sends[-1]
    assert request.path == f"/v21.0/{meta.fake.phone_number_id}/messages"
    assert request.headers["Authorization"] == f"Bearer {meta.fake.access_token}"
    assert request.body == {"messaging_product": "whatsapp", "recipient_type": "individual", "to": CUSTOMER,
                            "biz_opaque_callback_data": f"mid:{message.pk}", "type": "text",
                            "text": {"body": "Hello Claire", "preview_url": True}}


def test_an_image_goes_with_the_text_as_its_caption(meta, thread, associate_a,
                                                    django_capture_on_commit_callbacks):
    message = after_send(queued(thread, associate_a, django_capture_on_commit_callbacks, body="The coat",
                                media_urls=["/media/coat.jpg"]))
    assert message.status == Message.Status.SENT
    assert meta.fake.last_send()["type"] == "image"
    assert meta.fake.last_send()["image"] == {"link": f"{PUBLIC}/media/coat.jpg", "caption": "The coat"}


def test_two_images_are_refused_before_anything_leaves(meta, thread, associate_a,
                                                       django_capture_on_commit_callbacks):
    message = after_send(queued(thread, associate_a, django_capture_on_commit_callbacks, body="Both",
                                media_urls=["/media/a.jpg", "/media/b.jpg"]))
    assert (message.status, message.error_code) == (Message.Status.FAILED, "media_count")
    assert meta.fake.sends == []


def test_a_template_is_sent_by_name_and_language_with_its_values(meta, whatsapp_thread, associate_a,
                                                                 django_capture_on_commit_callbacks):
    template = mapped_template(channel=Channel.WHATSAPP, name="new_arrivals", language="en_US",
                               category="utility")
    message = after_send(queued(whatsapp_thread, associate_a, django_capture_on_commit_callbacks,
                                template=template))
    assert message.status == Message.Status.SENT
    sent = meta.fake.last_send()
    assert sent["type"] == "template"
    assert sent["template"]["name"] == "new_arrivals" and sent["template"]["language"] == {"code": "en_US"}
    values = [p["text"] for p in sent["template"]["components"][0]["parameters"]]
    assert values == [message.template_variables["1"], message.template_variables["2"]]


def test_after_the_window_closed_an_approved_template_goes_by_name_without_any_twilio_sid(
        meta, whatsapp_thread, associate_a, django_capture_on_commit_callbacks):
    """The 24-hour rule asks the provider for its template reference: Meta's is name and language."""
    assert whatsapp_thread.last_inbound_at is None  # the window is closed
    template = mapped_template(channel=Channel.WHATSAPP, name="back_in_stock", language="fr",
                               category="utility", content_sid="unused")
    MessageTemplate.objects.filter(pk=template.pk).update(content_sid="")
    template.refresh_from_db()

    message = after_send(queued(whatsapp_thread, associate_a, django_capture_on_commit_callbacks,
                                template=template))

    assert message.status == Message.Status.SENT and message.content_sid == "back_in_stock:fr"
    assert meta.fake.last_send()["template"]["name"] == "back_in_stock"
    with pytest.raises(services.SendBlocked) as refused:
        services.message_send(conversation=whatsapp_thread, sender=associate_a, body="Free text")
    assert refused.value.reason_code == "window_closed"


@pytest.mark.parametrize(("code", "consequence"), [(131050, "opted_out"), (131009, "cannot_text"),
                                                   (131047, ""), (132001, ""), (190, "")])
def test_refusals_are_permanent_with_their_consequence(meta, thread, associate_a, code, consequence,
                                                       django_capture_on_commit_callbacks):
    message = queued(thread, associate_a, django_capture_on_commit_callbacks, body="Hi")
    meta.fake.fail_next(code)
    assert dispatched(message).result == "failed"
    assert message.status == Message.Status.FAILED
    customer = thread.customer
    customer.refresh_from_db()
    if consequence == "opted_out":
        assert message.error_code == "131050"
        assert "stopped marketing messages" in message.error_message
        consent = CustomerConsent.objects.filter(customer=customer, channel=Channel.WHATSAPP).latest("pk")
        assert consent.state == ConsentState.OPTED_OUT and consent.detail == "Meta 131050"
    elif consequence == "cannot_text":
        assert message.error_code == "invalid_number"
        assert message.error_message == "This is not a valid phone number."
        assert customer.can_receive_texts is False
    else:
        assert message.error_code == str(code) and customer.can_receive_texts is True


def test_429_is_transient_with_meta_s_retry_after(meta, thread, associate_a,
                                                  django_capture_on_commit_callbacks):
    message = queued(thread, associate_a, django_capture_on_commit_callbacks)
    meta.fake.inject("429", retry_after=7)
    outcome = dispatched(message)
    assert (outcome.result, outcome.retry_after) == ("retry", 7.0)
    assert (message.status, message.error_code) == (Message.Status.QUEUED, "80007")
    assert dispatched(message).result == "sent"  # the retry goes through once
    assert len(meta.fake.sends) == 2


@pytest.mark.parametrize("fault", ["500", "throughput"])
def test_server_errors_and_throughput_limits_are_retried(meta, thread, associate_a, fault,
                                                         django_capture_on_commit_callbacks):
    message = queued(thread, associate_a, django_capture_on_commit_callbacks)
    if fault == "500":
        meta.fake.inject("500")
    else:
        meta.fake.fail_next(130429)  # Meta answers its throughput limit with a 400
    assert dispatched(message).result == "retry"
    assert message.status == Message.Status.QUEUED


def test_a_timeout_after_the_request_left_is_unknown_and_settled_by_the_status_webhook(
        meta, thread, associate_a, client, django_capture_on_commit_callbacks):
    message = queued(thread, associate_a, django_capture_on_commit_callbacks)
    meta.fake.inject("timeout", delay=10)  # Meta took it; the client gives up after 2 s
    assert dispatched(message).result == "unknown"
    assert message.status == Message.Status.UNKNOWN and message.provider_sid is None
    # Meta reports on it with our id: the message adopts Meta's id, never sent twice.
    wamid = meta.fake.new_wamid()
    report = meta.fake.status(wamid, "delivered", mid=message.pk)
    post_meta(client, meta.fake, meta.fake.status_payload(report), capture=django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert (message.status, message.provider_sid) == (Message.Status.DELIVERED, wamid)
    assert len(meta.fake.sends) == 1


def test_an_unreadable_answer_is_unknown_not_resent(meta, thread, associate_a,
                                                    django_capture_on_commit_callbacks):
    message = queued(thread, associate_a, django_capture_on_commit_callbacks)
    meta.fake.inject("malformed")
    assert dispatched(message).result == "unknown"
    assert (message.status, message.error_code) == (Message.Status.UNKNOWN, "bad_response")


def test_no_connection_is_transient(meta, thread, associate_a, django_capture_on_commit_callbacks):
    message = queued(thread, associate_a, django_capture_on_commit_callbacks)
    meta.fake.stop()
    assert dispatched(message).result == "retry"
    assert message.error_code in ("connection", "connect_timeout")


def test_another_host_never_gets_the_token(meta, settings, thread, associate_a,
                                          django_capture_on_commit_callbacks):
    settings.PROVIDER_TEST_DOUBLES = False
    account = MetaWhatsAppAccount(phone_number_id="1", business_account_id="2",
                                  whatsapp_number="+12125550101", access_token="t", app_secret="s",
                                  verify_token="v",
                                  api_base_url="https://graph.evil.example.com")
    with pytest.raises(ValidationError) as error:
        account.full_clean()
    assert "api_base_url" in error.value.message_dict
    MetaWhatsAppAccount.objects.update(api_base_url="https://graph.evil.example.com")
    message = after_send(queued(thread, associate_a, django_capture_on_commit_callbacks))
    assert (message.status, message.error_code) == (Message.Status.FAILED, "api_base_url")
    assert meta.fake.sends == []
    account.api_base_url = "https://graph.facebook.com"
    account.full_clean(validate_unique=False)


def test_no_account_is_a_clear_refusal(meta, thread, associate_a, django_capture_on_commit_callbacks):
    MetaWhatsAppAccount.objects.update(active=False)
    message = after_send(queued(thread, associate_a, django_capture_on_commit_callbacks))
    assert (message.status, message.error_code) == (Message.Status.FAILED, "no_account")
