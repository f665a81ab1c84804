"""The customer's "my details" page: signed links from the profile, the public page, its saves."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clienteling import services
from clienteling.models import (
    Activity,
    AuditAction,
    AuditEvent,
    ConsentChange,
    CustomerAttribute,
    CustomerAttributeValue,
    CustomerConsent,
    SelfServiceLink,
    token_digest,
)
from clienteling.services.self_service import SELF_SERVICE_ACTOR, self_service_link_issue
from clienteling.views import self_service as views
from tests.conversations.conftest import messaging, opt_in  # noqa: F401  fixtures
from tests.factories import AttributeFactory

pytestmark = pytest.mark.django_db
DataType = CustomerAttribute.DataType


@pytest.fixture
def attrs():
    """Shoe size (number) and Favourite colour (choice) the customer edits on the web;
    Internal rating only the console sees; Fit notes editable but store-channel only."""
    size = AttributeFactory(
        name="Shoe size", data_type=DataType.NUMBER, customer_editable=True, channel_web=True
    )
    colour = AttributeFactory(
        name="Favourite colour", data_type=DataType.SINGLE_CHOICE, customer_editable=True, channel_web=True
    )
    colour.options.create(value="navy", label="Navy", position=0)
    colour.options.create(value="red", label="Red", position=1)
    rating = AttributeFactory(name="Internal rating", data_type=DataType.TEXT, channel_web=True)
    fit = AttributeFactory(name="Fit notes", data_type=DataType.TEXT, customer_editable=True)
    return {"size": size, "colour": colour, "rating": rating, "fit": fit}


def url(token):
    return reverse("clienteling_public:my_details", args=[token])


def issue(customer, user):
    return self_service_link_issue(customer=customer, user=user).token


def post(client, token, **data):
    base = {"email": "", "phone": "", "consent_sms": "", "consent_whatsapp": "", "consent_email": ""}
    base.update({k: v for k, v in data.items()})
    return client.post(url(token), {k: v for k, v in base.items() if v != ""})


# The profile's link screen ---------------------------------------------------------------------


def test_associate_makes_a_link_to_copy_and_only_its_digest_is_stored(client, associate_a, customer_a):
    client.force_login(associate_a)
    page = client.get(reverse("clienteling:my_details_link", args=[customer_a.pk]))
    assert page.status_code == 200
    response = client.post(reverse("clienteling:my_details_link", args=[customer_a.pk]), {"action": "show"})
    assert response.status_code == 200
    body = response.content.decode()
    token = re.search(r"/d/([A-Za-z0-9_-]{43})/", body).group(1)
    link = SelfServiceLink.objects.get()
    assert link.token_digest == token_digest(token) and token not in link.token_digest
    assert link.created_by == associate_a and link.expires_at > timezone.now() + timedelta(days=6)
    assert "Hello Claire," in body
    assert AuditEvent.objects.filter(
        action=AuditAction.SELF_SERVICE_LINK, customer=customer_a, actor=associate_a
    ).exists()


def test_the_profile_offers_the_link(client, associate_a, customer_a):
    client.force_login(associate_a)
    page = client.get(reverse("clienteling:customer_detail", args=[customer_a.pk]))
    assert reverse("clienteling:my_details_link", args=[customer_a.pk]) in page.content.decode()


def test_a_customer_out_of_scope_is_404(client, associate_a, customer_b):
    client.force_login(associate_a)
    response = client.post(reverse("clienteling:my_details_link", args=[customer_b.pk]), {"action": "show"})
    assert response.status_code == 404
    assert not SelfServiceLink.objects.exists()


def test_unknown_action_is_a_400_and_makes_no_link(client, associate_a, customer_a):
    client.force_login(associate_a)
    response = client.post(reverse("clienteling:my_details_link", args=[customer_a.pk]), {"action": "x"})
    assert response.status_code == 400
    assert not SelfServiceLink.objects.exists()


def test_the_link_goes_into_the_conversation_composer(client, associate_a, customer_a, messaging):  # noqa: F811
    opt_in(customer_a)
    client.force_login(associate_a)
    response = client.post(
        reverse("clienteling:my_details_link", args=[customer_a.pk]), {"action": "compose"}
    )
    assert response.status_code == 302 and "/conversations/" in response["Location"]
    thread = client.get(response["Location"]).content.decode()
    assert re.search(r"/d/[A-Za-z0-9_-]{43}/", thread)  # the draft waits in the composer
    assert SelfServiceLink.objects.filter(customer=customer_a).count() == 1


def test_no_opt_in_yet_keeps_the_link_to_copy(client, associate_a, customer_a, messaging):  # noqa: F811
    client.force_login(associate_a)
    response = client.post(
        reverse("clienteling:my_details_link", args=[customer_a.pk]), {"action": "compose"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "data-compose-error" in body and re.search(r"/d/[A-Za-z0-9_-]{43}/", body)


def test_revoking_stops_every_link(client, associate_a, customer_a):
    token = issue(customer_a, associate_a)
    client.force_login(associate_a)
    client.post(reverse("clienteling:my_details_link", args=[customer_a.pk]), {"action": "revoke"})
    assert SelfServiceLink.objects.get().revoked_at is not None
    response = Client().get(url(token))
    assert response.status_code == 410
    assert "New York" in response.content.decode()  # the store to contact


# The public page ---------------------------------------------------------------------------------


def test_the_page_shows_the_web_channels_editable_attributes_and_masks_contact(
    associate_a, customer_a, attrs
):
    token = issue(customer_a, associate_a)
    response = Client().get(url(token))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Shoe size" in body and "Favourite colour" in body and "New York" in body
    assert "Internal rating" not in body  # not customer editable
    assert "Fit notes" not in body  # the store channel only
    # A forwarded link does not show the contact details in full.
    assert "claire@example.com" not in body and "2125550123" not in body
    assert (
        response["Cache-Control"] == "private, no-store" and response["X-Robots-Tag"] == "noindex, nofollow"
    )


def test_the_customer_saves_contact_consent_and_attributes(associate_a, customer_a, attrs):
    token = issue(customer_a, associate_a)
    client = Client()
    response = post(
        client,
        token,
        email="Claire.New@Example.com",
        phone="(212) 555-0188",
        consent_sms="on",
        **{f"attribute_{attrs['size'].pk}": "39", f"attribute_{attrs['colour'].pk}": "navy"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?saved=1")
    customer_a.refresh_from_db()
    assert customer_a.email == "claire.new@example.com" and str(customer_a.phone) == "+12125550188"
    values = {v.attribute_id: v.value for v in CustomerAttributeValue.objects.filter(customer=customer_a)}
    assert values[attrs["size"].pk] == 39 and values[attrs["colour"].pk].value == "navy"
    consent = CustomerConsent.objects.get(customer=customer_a, channel="sms")
    assert (consent.state, consent.source) == ("opted_in", "web")
    change = ConsentChange.objects.get(customer=customer_a)
    assert change.changed_by is None and change.source == "web"
    assert not CustomerConsent.objects.filter(channel="email").exists()  # unticked and never asked
    activity = Activity.objects.get(customer=customer_a)
    assert activity.actor is None and activity.summary.startswith("Updated by the customer:")
    assert "Shoe size" in activity.summary and "claire.new" not in activity.summary
    event = AuditEvent.objects.get(action=AuditAction.SELF_SERVICE)
    assert event.actor is None and event.actor_name == SELF_SERVICE_ACTOR
    assert event.detail["fields"] == ["email", "phone"]
    assert "Thank you, your details are saved." in client.get(response["Location"]).content.decode()


def test_the_customer_opts_out(associate_a, customer_a):
    services.customer_consent_set(customer=customer_a, channel="email", state="opted_in", source="associate")
    token = issue(customer_a, associate_a)
    page = Client().get(url(token)).content.decode()
    assert re.search(r'name="consent_email"[^>]*checked', page)
    response = post(Client(), token)  # every box unticked
    assert response.status_code == 302
    assert CustomerConsent.objects.get(customer=customer_a, channel="email").state == "opted_out"


def test_the_timeline_shows_the_change_as_the_customers(client, associate_a, customer_a, attrs):
    token = issue(customer_a, associate_a)
    post(Client(), token, **{f"attribute_{attrs['size'].pk}": "41"})
    client.force_login(associate_a)
    timeline = client.get(reverse("clienteling:profile_timeline", args=[customer_a.pk])).content.decode()
    assert "Updated by the customer: Shoe size" in timeline


def test_bad_input_saves_nothing(associate_a, customer_a, attrs):
    token = issue(customer_a, associate_a)
    response = post(
        Client(),
        token,
        email="new@example.com",
        consent_sms="on",
        **{f"attribute_{attrs['size'].pk}": "big", f"attribute_{attrs['colour'].pk}": "navy"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "is not a whole number" in body and "Nothing was saved" in body
    customer_a.refresh_from_db()
    assert customer_a.email == "claire@example.com"
    assert not CustomerAttributeValue.objects.exists() and not CustomerConsent.objects.exists()
    assert not Activity.objects.exists()


@pytest.mark.parametrize("field, value", [("email", "not-an-email"), ("phone", "12")])
def test_bad_contact_details_are_form_errors(associate_a, customer_a, field, value):
    token = issue(customer_a, associate_a)
    response = post(Client(), token, **{field: value})
    assert response.status_code == 400
    customer_a.refresh_from_db()
    assert customer_a.email == "claire@example.com" and str(customer_a.phone) == "+12125550123"


def test_an_unknown_option_is_refused(associate_a, customer_a, attrs):
    token = issue(customer_a, associate_a)
    response = post(Client(), token, **{f"attribute_{attrs['colour'].pk}": "gold"})
    assert response.status_code == 400 and "is not one of the options" in response.content.decode()


def test_an_attribute_the_page_does_not_show_cannot_be_posted(associate_a, customer_a, attrs):
    token = issue(customer_a, associate_a)
    post(Client(), token, **{f"attribute_{attrs['rating'].pk}": "A+", f"attribute_{attrs['fit'].pk}": "slim"})
    assert not CustomerAttributeValue.objects.exists()


def test_expired_link_is_410_with_the_store(associate_a, customer_a):
    token = issue(customer_a, associate_a)
    SelfServiceLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Client().get(url(token))
    assert response.status_code == 410
    body = response.content.decode()
    assert "This link expired" in body and "New York" in body and "Claire" not in body
    assert post(Client(), token, email="x@example.com").status_code == 410


@pytest.mark.parametrize("token", ["x" * 43, "short", "a" * 42 + "!"])
def test_unknown_token_is_404_naming_nothing(token, associate_a, customer_a):
    issue(customer_a, associate_a)
    response = Client().get(url(token))
    assert response.status_code == 404
    assert "New York" not in response.content.decode()


def test_erasure_rotates_the_links(associate_a, customer_a, company_admin):
    token = issue(customer_a, associate_a)
    digest = SelfServiceLink.objects.get().token_digest
    services.customer_erase(customer=customer_a, actor=company_admin)
    link = SelfServiceLink.objects.get()
    assert link.revoked_at is not None and link.token_digest != digest
    assert Client().get(url(token)).status_code == 404


def test_the_page_is_rate_limited(associate_a, customer_a, monkeypatch):
    monkeypatch.setattr(views, "SELF_SERVICE_RATE", 3)
    token = issue(customer_a, associate_a)
    client = Client()
    assert [client.get(url(token)).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_a_post_without_csrf_token_is_refused(associate_a, customer_a):
    token = issue(customer_a, associate_a)
    response = Client(enforce_csrf_checks=True).post(url(token), {"email": "x@example.com"})
    assert response.status_code == 403
    customer_a.refresh_from_db()
    assert customer_a.email == "claire@example.com"


def test_the_page_speaks_the_customers_language(associate_a, customer_a):
    customer_a.language = "fr"
    customer_a.save()
    token = issue(customer_a, associate_a)
    response = Client().get(url(token))
    assert response["Content-Language"] == "fr"
