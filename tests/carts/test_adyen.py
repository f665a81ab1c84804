"""Adyen Pay by Link through the real SDK against a fake Adyen API on loopback, and signed notifications."""

from datetime import datetime

import pytest
from celery.exceptions import Retry
from django.urls import reverse

from carts import selectors, services, tasks
from carts.models import Cart, PaymentEvent, PaymentLink, PaymentProviderAccount
from carts.payments import PermanentError, TransientError, get_provider
from catalog.money import to_minor_units
from clienteling.models import Sale
from conversations.models import Message
from tests.fakes.adyen_fake import (
    MERCHANT,
    notification_body,
    notification_item,
    sign_item,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cart(shop, customer_a, associate_a, conversation):
    cart = services.cart_open(customer=customer_a, store=shop.store, user=associate_a,
                              conversation=conversation)
    services.cart_line_add(cart=cart, variant=shop.coat_s, user=associate_a)
    services.cart_line_add(cart=cart, variant=shop.scarf_os, user=associate_a, quantity=2)
    cart.refresh_from_db()
    return cart


def share(cart, user, capture):
    with capture(execute=True):
        services.cart_share(cart=cart, user=user)
    cart.refresh_from_db()
    return PaymentLink.objects.get(cart=cart, cart_version=cart.version)


def notify(client, *items, sign=True):
    body = notification_body(*[sign_item(item) if sign else item for item in items])
    return client.post(reverse("carts_public:notify", args=["adyen"]), body,
                       content_type="application/json")


def authorisation(link, *, psp="8816178952380553", value=None, success=True):
    return notification_item(psp_reference=psp, merchant_reference=link.reference,
                             value=to_minor_units(link.amount, link.currency) if value is None else value,
                             currency=link.currency, success=success)


def test_share_creates_the_payment_link_through_the_sdk(adyen, cart, associate_a, shop,
                                                         django_capture_on_commit_callbacks):
    link = share(cart, associate_a, django_capture_on_commit_callbacks)

    (request,) = adyen.link_requests()
    body, headers = request["body"], request["headers"]
    assert request["path"] == "/v72/paymentLinks"
    assert headers["Idempotency-Key"] == str(link.idempotency_key)
    assert body["amount"] == {"value": to_minor_units(cart.total, "USD"), "currency": "USD"}
    assert body["reference"] == link.reference and body["merchantAccount"] == MERCHANT
    expires = datetime.fromisoformat(body["expiresAt"])
    assert expires == cart.expires_at
    assert (expires.astimezone(shop.store.tzinfo).hour, expires.minute) == (0, 0)
    assert sum(i["amountIncludingTax"] * i["quantity"] for i in body["lineItems"]) == body["amount"]["value"]
    assert link.url.startswith("https://test.adyen.link/PL") and link.provider_link_id.startswith("PL")


def test_a_retried_request_never_creates_a_second_link(adyen, cart, associate_a,
                                                       django_capture_on_commit_callbacks):
    adyen.fail_next("timeout")  # Adyen made the link but the answer never came back

    with pytest.raises(Retry):
        share(cart, associate_a, django_capture_on_commit_callbacks)
    link = PaymentLink.objects.get(cart=cart)
    assert link.url == ""
    tasks.payment_link_create.delay(link.pk)  # what the worker runs when the retry is due

    link.refresh_from_db()
    keys = {r["headers"]["Idempotency-Key"] for r in adyen.link_requests()}
    assert len(adyen.link_requests()) == 2 and keys == {str(link.idempotency_key)}
    assert adyen.created == 1
    assert link.provider_link_id == next(iter(adyen.links))


def test_server_errors_are_transient_and_refusals_permanent(adyen, cart, associate_a, settings):
    link = PaymentLink.objects.create(cart=cart, cart_version=cart.version, provider="adyen",
                                      reference="ATL-x", amount=cart.total, currency="USD",
                                      expires_at=cart.expires_at)
    provider = get_provider("adyen")
    request = selectors.link_request_for(link)

    adyen.fail_next(500)
    with pytest.raises(TransientError):
        provider.create_link(request)
    adyen.fail_next(422)
    with pytest.raises(PermanentError):
        provider.create_link(request)
    assert adyen.created == 0


def test_refused_link_is_marked_failed_and_the_associate_told(adyen, cart, associate_a, client,
                                                              conversation,
                                                              django_capture_on_commit_callbacks):
    PaymentProviderAccount.objects.filter(provider="adyen").update(api_key="wrong-key")

    link = share(cart, associate_a, django_capture_on_commit_callbacks)

    assert link.status == PaymentLink.Status.FAILED and "Unauthorized" in link.failure_reason
    assert "could not be created" in Message.objects.get(conversation=conversation, kind="system").body
    page = client.get(reverse("carts_public:cart", args=[cart.token]))
    assert "Payment is not available right now" in page.content.decode()


def test_a_change_expires_the_old_link_at_adyen_before_the_new_one(adyen, cart, shop, associate_a,
                                                                   django_capture_on_commit_callbacks):
    old = share(cart, associate_a, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        services.cart_line_remove(cart=cart, line_id=cart.lines.first().pk, user=associate_a)
    new = share(cart, associate_a, django_capture_on_commit_callbacks)

    old.refresh_from_db()
    assert adyen.expired == [old.provider_link_id]
    assert adyen.links[old.provider_link_id]["status"] == "expired"
    assert old.status == PaymentLink.Status.EXPIRED and old.remote_expired_at
    assert new.provider_link_id != old.provider_link_id
    assert adyen.links[new.provider_link_id]["amount"]["value"] == to_minor_units(cart.total, "USD")
    methods = [r["method"] for r in adyen.requests]
    assert methods == ["POST", "PATCH", "POST"]


def test_clearing_the_cart_expires_its_link_at_adyen(adyen, cart, associate_a,
                                                     django_capture_on_commit_callbacks):
    link = share(cart, associate_a, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        services.cart_clear(cart=cart, user=associate_a)

    assert adyen.expired == [link.provider_link_id]


def test_signed_authorisation_marks_the_cart_paid_once(adyen, cart, associate_a, client,
                                                       django_capture_on_commit_callbacks):
    link = share(cart, associate_a, django_capture_on_commit_callbacks)

    for _ in range(2):  # Adyen retries deliveries
        with django_capture_on_commit_callbacks(execute=True):
            response = notify(client, authorisation(link))
        assert response.status_code == 200 and response.content == b"[accepted]"

    cart.refresh_from_db()
    assert cart.status == Cart.Status.PAID
    assert PaymentEvent.objects.count() == 1 and Sale.objects.count() == 1
    assert Sale.objects.get().total == cart.total


def test_bad_hmac_is_accepted_as_adyen_expects_and_changes_nothing(adyen, cart, associate_a, client,
                                                                   django_capture_on_commit_callbacks):
    link = share(cart, associate_a, django_capture_on_commit_callbacks)
    item = sign_item(authorisation(link))
    item["amount"]["value"] = 1  # tampered after signing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("carts_public:notify", args=["adyen"]),
                               notification_body(item), content_type="application/json")

    assert response.status_code == 200 and response.content == b"[accepted]"
    assert not PaymentEvent.objects.exists()
    cart.refresh_from_db()
    assert cart.status == Cart.Status.OPEN


@pytest.mark.parametrize("additional", [None, {}, {"hmacSignature": ""}])
def test_missing_hmac_signature_is_invalid(adyen, cart, associate_a, client, additional,
                                           django_capture_on_commit_callbacks):
    link = share(cart, associate_a, django_capture_on_commit_callbacks)
    item = authorisation(link)
    if additional is None:
        item.pop("additionalData")
    else:
        item["additionalData"] = additional

    with django_capture_on_commit_callbacks(execute=True):
        assert notify(client, item, sign=False).content == b"[accepted]"

    assert not PaymentEvent.objects.exists()


def test_only_the_verified_items_of_a_batch_are_recorded(adyen, cart, associate_a, client,
                                                         django_capture_on_commit_callbacks):
    link = share(cart, associate_a, django_capture_on_commit_callbacks)
    good = sign_item(authorisation(link, psp="GOOD"))
    forged = sign_item(authorisation(link, psp="FORGED"), hmac_key="00" * 32)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("carts_public:notify", args=["adyen"]), notification_body(forged, good),
                    content_type="application/json")

    assert list(PaymentEvent.objects.values_list("psp_reference", flat=True)) == ["GOOD"]


def test_amount_mismatch_from_adyen_is_flagged(adyen, cart, associate_a, client,
                                               django_capture_on_commit_callbacks):
    link = share(cart, associate_a, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        notify(client, authorisation(link, value=to_minor_units(link.amount, "USD") - 1))

    cart.refresh_from_db()
    assert cart.status == Cart.Status.OPEN and cart.flagged_at is not None
    assert not Sale.objects.exists()


def test_refused_authorisation_leaves_the_cart_open(adyen, cart, associate_a, client, conversation,
                                                    django_capture_on_commit_callbacks):
    link = share(cart, associate_a, django_capture_on_commit_callbacks)
    item = authorisation(link, success=False)
    item["reason"] = "Refused"

    with django_capture_on_commit_callbacks(execute=True):
        notify(client, item)

    cart.refresh_from_db()
    assert cart.status == Cart.Status.OPEN
    assert "declined (Refused)" in Message.objects.get(conversation=conversation, kind="system").body


def test_other_event_codes_are_recorded_and_ignored(adyen, cart, associate_a, client,
                                                    django_capture_on_commit_callbacks):
    link = share(cart, associate_a, django_capture_on_commit_callbacks)
    item = {**authorisation(link), "eventCode": "REPORT_AVAILABLE"}

    with django_capture_on_commit_callbacks(execute=True):
        assert notify(client, item).content == b"[accepted]"

    assert PaymentEvent.objects.get().outcome == "ignored REPORT_AVAILABLE"


def test_unparseable_notification_is_answered_and_ignored(adyen, client):
    response = client.post(reverse("carts_public:notify", args=["adyen"]), b"not json",
                           content_type="application/json")

    assert response.status_code == 200 and not PaymentEvent.objects.exists()


def test_unknown_provider_notification_url_is_404(client, db):
    assert client.post("/c/notify/stripe/", b"{}", content_type="application/json").status_code == 404


def demo_signed(reference: str, amount_minor: int, currency: str, key: str) -> tuple[bytes, str]:
    from carts.payments.demo import DemoProvider

    provider = DemoProvider(PaymentProviderAccount(provider="demo", hmac_key=key))
    body = provider.notification_body(psp_reference="FORGED1", merchant_reference=reference, success=True,
                                      amount_minor=amount_minor, currency=currency)
    return body, provider.sign(body)


def test_a_demo_notification_cannot_pay_an_adyen_link(adyen, cart, associate_a, client,
                                                      django_capture_on_commit_callbacks):
    # Given an Adyen link, and a demo account whose key the attacker somehow knows ...
    PaymentProviderAccount.objects.create(provider="demo", hmac_key="known-demo-key")
    link = share(cart, associate_a, django_capture_on_commit_callbacks)
    body, signature = demo_signed(link.reference, to_minor_units(link.amount, link.currency),
                                  link.currency, "known-demo-key")

    # ... the demo endpoint is not there while Adyen is the provider ...
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("carts_public:notify", args=["demo"]), body,
                               content_type="application/json", HTTP_X_ATELIER_SIGNATURE=signature)
    assert response.status_code == 404
    # ... and a demo event that got recorded some other way still confirms nothing.
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_notifications_receive(provider=get_provider("demo"), body=body,
                                               headers={"X-Atelier-Signature": signature})
    cart.refresh_from_db()
    assert cart.status == Cart.Status.OPEN and not Sale.objects.exists()
    assert PaymentEvent.objects.get(provider="demo").outcome == "unknown reference"


def test_the_demo_pay_page_is_gone_while_adyen_is_the_provider(adyen, cart, client):
    assert client.get(reverse("carts_public:demo_pay", args=["00000000-0000-0000-0000-000000000000"])
                      ).status_code == 404


def test_the_demo_key_is_never_derived_from_the_secret_key(settings):
    from carts.payments import InvalidSignature
    from carts.payments.demo import DemoProvider

    settings.CARTS_DEMO_HMAC_KEY = ""
    with pytest.raises(InvalidSignature):
        DemoProvider(PaymentProviderAccount(provider="demo", hmac_key="")).sign(b"{}")
