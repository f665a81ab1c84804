"""Templates: rendering, data sources, guarded status transitions."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.models import ProductShare
from clienteling.models import Channel
from conversations import services
from conversations.models import MessageTemplate
from conversations.templating import TemplateRenderError, template_render, template_variables_for
from tests.factories import ProductFactory, ProductPriceFactory

from .conftest import PUBLIC, mapped_template

pytestmark = pytest.mark.django_db
Status = MessageTemplate.Status


def new_template(**fields) -> MessageTemplate:
    defaults = {"channel": Channel.WHATSAPP, "name": "new_arrivals", "body": "Hi {{1}}, see {{2}}",
                "content_sid": "HX" + "1" * 32}
    return MessageTemplate.objects.create(**{**defaults, **fields})


def test_render_replaces_every_placeholder():
    template = MessageTemplate(body="Hi {{1}}, your {{ 2 }} is ready. {{1}}!")
    assert template_render(template=template, variables={"1": "Claire", 2: "bag"}) == \
        "Hi Claire, your bag is ready. Claire!"


def test_a_missing_variable_fails_clearly():
    template = MessageTemplate(body="Hi {{1}}, your {{2}} is ready")
    with pytest.raises(TemplateRenderError) as error:
        template_render(template=template, variables={"1": "Claire", "2": "  "})
    assert error.value.missing == [2]
    assert "{{2}}" in error.value.messages[0]
    assert isinstance(error.value, ValidationError)


def test_values_stay_plain_text():
    template = MessageTemplate(body="Hi {{1}}, from {{2}}")
    rendered = template_render(template=template,
                               variables={"1": "{{2}}\x00\x1b[31m", "2": "<b>Store</b>"})
    assert rendered == "Hi { {2} }[31m, from <b>Store</b>"


def test_variables_come_from_their_sources(sms_thread, associate_a, customer_a, settings):
    settings.PUBLIC_BASE_URL = PUBLIC
    template = mapped_template(body="{{1}} {{2}} {{3}} {{4}} {{5}} {{6}} {{7}}", sources=(
        "customer_first_name", "associate_first_name", "store_name", "product_title", "product_price",
        "product_link", "custom_text"))
    product = ProductFactory(title="Silk scarf", price=Decimal("1250.5"), currency="USD")
    values = template_variables_for(template=template, customer=customer_a, sender=associate_a,
                                    store=sms_thread.store, extra={"product": product,
                                                                   "custom_text": "See you Friday"})
    share = ProductShare.objects.get()
    assert values == {"1": "Claire", "2": "Alex", "3": "New York", "4": "Silk scarf",
                      "5": "$1,250.50", "6": f"{PUBLIC}{reverse('catalog:shared', args=[share.token])}",
                      "7": "See you Friday"}


def test_the_product_price_is_the_one_of_the_stores_currency(org, associate_b, customer_b):
    # Given a USD catalog product with a EUR price, and a Paris (EUR) store
    template = mapped_template(body="{{1}}", sources=("product_price",))
    product = ProductFactory(price=Decimal("250.00"), currency="USD")
    ProductPriceFactory(product=product, currency="EUR", amount=Decimal("230.00"))
    # When a Paris associate's message shows its price
    values = template_variables_for(template=template, customer=customer_b, sender=associate_b,
                                    store=org["store_b"], extra={"product": product})
    # Then it is the EUR price, not the dollar amount with a euro sign
    assert values == {"1": "€230.00"}


def test_a_product_without_a_price_in_the_stores_currency_fails_the_render(org, associate_b,
                                                                            customer_b):
    template = mapped_template(body="{{1}}", sources=("product_price",))
    product = ProductFactory(price=Decimal("250.00"), currency="USD")
    with pytest.raises(TemplateRenderError):
        template_render(template=template, variables=template_variables_for(
            template=template, customer=customer_b, sender=associate_b, store=org["store_b"],
            extra={"product": product}))


def test_typed_values_override_a_source(sms_thread, associate_a, customer_a):
    template = mapped_template(body="{{1}}: {{2}}", sources=("customer_first_name", "cart_link"))
    values = template_variables_for(template=template, customer=customer_a, sender=associate_a,
                                    store=sms_thread.store, extra={"1": "Dear Claire",
                                                                   "cart_link": "https://x.test/c/1"})
    assert values == {"1": "Dear Claire", "2": "https://x.test/c/1"}


def test_send_with_a_missing_variable_writes_nothing(sms_thread, associate_a):
    template = mapped_template(body="Your cart: {{1}}", sources=("cart_link",))
    with pytest.raises(services.SendBlocked) as blocked:
        services.message_send(conversation=sms_thread, sender=associate_a, template=template)
    assert blocked.value.reason_code == "template_variable_missing"
    assert not sms_thread.messages.exists()


def test_email_template_renders_its_subject(org, customer_a, associate_a, demo_provider):
    thread = services.conversation_get_or_create(customer=customer_a, store=org["store_a"],
                                                 channel=Channel.EMAIL)
    template = mapped_template(channel=Channel.EMAIL, subject="For you, {{1}}", body="Hello {{1}}",
                               sources=("customer_first_name",), category="utility")
    message = services.message_send(conversation=thread, sender=associate_a, template=template)
    assert (message.subject, message.body, message.kind) == ("For you, Claire", "Hello Claire", "template")


# --- lifecycle -------------------------------------------------------------------------


# Publishing, WhatsApp approval and the admin: test_template_lifecycle.py, test_template_admin.py.


def test_rejection_is_final_and_guarded():
    template = new_template()
    services.template_reject(template=template, reason="Promotional wording")
    assert (template.status, template.rejection_reason) == (Status.REJECTED, "Promotional wording")
    with pytest.raises(ValidationError):
        services.template_approve(template=template)
    stale = MessageTemplate.objects.get(pk=template.pk)
    stale.status = Status.RECEIVED  # a stale copy cannot win: the update checks the row
    with pytest.raises(ValidationError):
        services.template_approve(template=stale)
