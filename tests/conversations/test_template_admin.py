"""Templates in the admin: message types, their form errors, publish on save, the preview;
and the composer's preview of a media or quick-reply template."""

import pytest
from django.urls import reverse

from clienteling.models import Channel
from conversations.models import MessageTemplate
from tests.factories import ProductFactory

from .conftest import mapped_template, opt_in

pytestmark = pytest.mark.django_db
Status = MessageTemplate.Status
ADD = "admin:conversations_messagetemplate_add"
IMAGE = "https://cdn.example.com/looks/autumn.jpg"


@pytest.fixture
def admin_client(client, company_admin):
    client.force_login(company_admin)
    return client


def form(**fields):
    data = {"channel": "sms", "name": "Welcome", "category": "utility", "language": "en", "event": "other",
            "message_type": "text", "subject": "", "body": "Hi {{1}}, welcome to {{2}}.",
            "header_image_url": "", "header_product": "", "store": "", "active": "on",
            "button_1": "", "button_2": "", "button_3": "",
            "variables-TOTAL_FORMS": "2", "variables-INITIAL_FORMS": "0",
            "variables-MIN_NUM_FORMS": "0", "variables-MAX_NUM_FORMS": "1000",
            "variables-0-position": "1", "variables-0-source": "customer_first_name",
            "variables-0-sample": "Claire",
            "variables-1-position": "2", "variables-1-source": "store_name",
            "variables-1-sample": "Fifth Avenue"}
    data.update(fields)
    return data


def errors(response) -> str:
    return " ".join(str(e) for e in response.context["adminform"].form.errors.values())


@pytest.mark.parametrize("channel", ["sms", "email"])
def test_quick_replies_are_refused_on_sms_and_email_with_a_form_error(admin_client, channel):
    response = admin_client.post(reverse(ADD), form(channel=channel, message_type="quick_reply",
                                                    button_1="Yes"))
    assert response.status_code == 200
    assert "Quick-reply buttons exist on WhatsApp only" in errors(response)
    assert not MessageTemplate.objects.exists()


def test_a_quick_reply_template_needs_a_button(admin_client):
    response = admin_client.post(reverse(ADD), form(channel="whatsapp", message_type="quick_reply"))
    assert "Give the quick-reply buttons their titles." in errors(response)


def test_buttons_belong_to_the_quick_reply_type(admin_client):
    response = admin_client.post(reverse(ADD), form(channel="whatsapp", button_1="Yes"))
    assert "Buttons are sent only by a quick-reply template" in errors(response)


def test_a_media_template_needs_an_image(admin_client):
    product = ProductFactory(image_url="")
    response = admin_client.post(reverse(ADD), form(message_type="media", header_product=product.pk))
    assert "A media template needs its image" in errors(response)
    assert not MessageTemplate.objects.exists()


def test_an_sms_template_is_approved_when_created_and_usable_in_every_store(admin_client):
    response = admin_client.post(reverse(ADD), form(), follow=True)
    template = MessageTemplate.objects.get()
    assert (template.status, template.store_id) == (Status.APPROVED, None)
    assert "is approved and ready to send" in response.content.decode()
    assert list(template.variables.values_list("position", "source", "sample")) == [
        (1, "customer_first_name", "Claire"), (2, "store_name", "Fifth Avenue")]


def test_a_whatsapp_quick_reply_template_is_checked_on_creation(admin_client, demo_provider):
    response = admin_client.post(reverse(ADD), form(
        channel="whatsapp", message_type="quick_reply", button_1="Book a fitting",
        button_2="A title far too long for WhatsApp"), follow=True)
    template = MessageTemplate.objects.get()
    assert template.buttons == ["Book a fitting", "A title far too long for WhatsApp"]
    assert template.status == Status.REJECTED
    assert "A button title has at most 20 characters" in template.rejection_reason
    assert "was rejected" in response.content.decode()


def test_a_whatsapp_template_with_twilio_waits_for_approval(admin_client, twilio):
    admin_client.post(reverse(ADD), form(channel="whatsapp"))
    assert MessageTemplate.objects.get().status == Status.RECEIVED


def test_the_admin_preview_shows_the_header_image_and_the_buttons(admin_client, demo_provider):
    admin_client.post(reverse(ADD), form(channel="whatsapp", message_type="media", header_image_url=IMAGE))
    media = MessageTemplate.objects.get()
    page = admin_client.get(reverse("admin:conversations_messagetemplate_change", args=[media.pk]))
    html = page.content.decode()
    assert f'src="{IMAGE}"' in html and "Hi Claire, welcome to Fifth Avenue." in html
    admin_client.post(reverse(ADD), form(channel="whatsapp", name="Fitting", message_type="quick_reply",
                                         button_1="Book a fitting", button_2="Not now"))
    quick = MessageTemplate.objects.get(name="Fitting")
    page = admin_client.get(reverse("admin:conversations_messagetemplate_change", args=[quick.pk]))
    html = page.content.decode()
    assert '<span class="tpl-button">Book a fitting</span>' in html
    assert '<span class="tpl-button">Not now</span>' in html


def test_editing_only_the_store_does_not_resubmit(admin_client, org, twilio):
    admin_client.post(reverse(ADD), form(channel="whatsapp"))
    template = MessageTemplate.objects.get()
    MessageTemplate.objects.filter(pk=template.pk).update(status=Status.APPROVED,
                                                          content_sid="HX" + "2" * 32)
    change = reverse("admin:conversations_messagetemplate_change", args=[template.pk])
    variables = {"variables-INITIAL_FORMS": "2", "variables-TOTAL_FORMS": "2",
                 "variables-0-id": template.variables.get(position=1).pk, "variables-0-template": template.pk,
                 "variables-1-id": template.variables.get(position=2).pk, "variables-1-template": template.pk}
    admin_client.post(change, form(channel="whatsapp", store=org["store_a"].pk, **variables))
    template.refresh_from_db()
    assert (template.status, template.content_sid, template.store_id) == (
        Status.APPROVED, "HX" + "2" * 32, org["store_a"].pk)
    admin_client.post(change, form(channel="whatsapp", store=org["store_a"].pk,
                                   body="Hello {{1}}, see {{2}}.", **variables))
    template.refresh_from_db()
    assert (template.status, template.content_sid) == (Status.RECEIVED, "")


def test_the_publish_again_action_checks_the_template_again(admin_client, demo_provider):
    template = mapped_template(channel=Channel.WHATSAPP, body="{{1}} at {{2}}")
    admin_client.post(reverse("admin:conversations_messagetemplate_changelist"),
                      {"action": "publish_again", "_selected_action": [template.pk]})
    template.refresh_from_db()
    assert template.status == Status.REJECTED


# --- the composer's preview -------------------------------------------------------------


def test_the_composers_preview_shows_the_header_image_and_the_buttons(client, associate_a, whatsapp_thread,
                                                                       customer_a, demo_provider):
    client.force_login(associate_a)
    media = mapped_template(channel=Channel.WHATSAPP, body="Hi {{1}}, the autumn looks are in.",
                            sources=("customer_first_name",), message_type="media", header_image_url=IMAGE)
    quick = mapped_template(channel=Channel.WHATSAPP, body="Hi {{1}}, shall we book your fitting?",
                            sources=("customer_first_name",), message_type="quick_reply",
                            buttons=["Yes please", "Not now"])
    url = reverse("conversations:preview", args=[whatsapp_thread.pk])
    html = client.get(url, {"template": media.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert f'<img class="tpl-image" src="{IMAGE}"' in html
    assert "Hi Claire, the autumn looks are in." in html
    html = client.get(url, {"template": quick.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert "Hi Claire, shall we book your fitting?" in html
    assert '<span class="tpl-button">Yes please</span>' in html
    assert "tpl-image" not in html


def test_a_product_image_is_the_header_of_a_media_template(client, associate_a, sms_thread, customer_a,
                                                          demo_provider):
    opt_in(customer_a)
    product = ProductFactory(image_url="https://cdn.example.com/p/scarf.jpg")
    template = mapped_template(body="Hi {{1}}", sources=("customer_first_name",), message_type="media",
                               header_product=product)
    client.force_login(associate_a)
    html = client.get(reverse("conversations:preview", args=[sms_thread.pk]),
                      {"template": template.pk}).content.decode()
    assert 'src="https://cdn.example.com/p/scarf.jpg"' in html
