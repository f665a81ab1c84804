"""A store sells in its own currency: Paris carts, catalog and share pages are in euros, at EUR prices."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from carts import selectors, services
from catalog import services as catalog_services
from catalog.models import ProductShare

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def paris_cart(paris, customer_b, associate_b):
    return services.cart_open(customer=customer_b, store=paris.store, user=associate_b)


def test_a_paris_cart_sells_at_the_eur_price_not_the_dollar_one(shop, paris_cart, associate_b):
    line = services.cart_line_add(cart=paris_cart, variant=shop.coat_s, user=associate_b)

    paris_cart.refresh_from_db()
    assert paris_cart.currency == "EUR"
    assert line.unit_price == Decimal("1150.00")
    assert paris_cart.total == Decimal("1150.00")  # tax included in Paris


def test_an_item_without_a_price_in_the_carts_currency_is_refused(shop, paris_cart, associate_b):
    with pytest.raises(ValidationError, match="Silk Scarf has no price in EUR"):
        services.cart_line_add(cart=paris_cart, variant=shop.scarf_os, user=associate_b)

    assert not paris_cart.lines.exists()


def test_adding_an_unpriced_item_from_the_page_says_why(client, shop, paris_cart, associate_b):
    client.force_login(associate_b)

    response = client.post(reverse("carts:line_add", args=[paris_cart.pk]),
                           {"variant": shop.scarf_os.pk}, **HTMX)

    assert "no price in EUR" in response.content.decode()
    assert "no price in EUR" in response["HX-Trigger"]
    assert not paris_cart.lines.exists()


def test_cart_search_shows_eur_prices_and_blocks_what_has_none(client, shop, paris_cart, associate_b):
    client.force_login(associate_b)

    coat = client.get(reverse("carts:product_results", args=[paris_cart.pk]), {"q": "cashmere"},
                      **HTMX).content.decode()
    scarf = client.get(reverse("carts:product_results", args=[paris_cart.pk]), {"q": "silk scarf"},
                       **HTMX).content.decode()

    assert "€1,150.00" in coat and "$" not in coat and "data-no-price" not in coat
    assert "No price in EUR" in scarf and "€350" not in scarf
    assert scarf.count("disabled") == scarf.count('name="fulfilment"')


def test_catalog_shows_each_associate_their_stores_price(client, shop, paris, associate_a, associate_b):
    client.force_login(associate_b)
    in_paris = client.get(reverse("carts:catalog"), {"q": "cashmere"}).content.decode()
    client.force_login(associate_a)
    in_new_york = client.get(reverse("carts:catalog"), {"q": "cashmere"}).content.decode()

    assert "€1,150.00" in in_paris and "$1,200.00" not in in_paris
    assert "$1,200.00" in in_new_york and "€" not in in_new_york


def test_catalog_says_when_a_product_has_no_price_in_the_stores_currency(client, shop, paris,
                                                                         associate_b):
    client.force_login(associate_b)

    body = client.get(reverse("carts:catalog"), {"q": "silk scarf"}).content.decode()

    assert "No price in EUR" in body and "$350.00" not in body


def test_catalog_product_page_is_in_the_stores_currency(client, shop, paris, associate_b):
    client.force_login(associate_b)

    body = client.get(reverse("carts:catalog_product", args=[shop.coat.pk])).content.decode()

    assert "€1,150.00" in body and "$1,200.00" not in body


def test_a_share_from_paris_shows_eur_prices(client, shop, paris, associate_b):
    share = catalog_services.product_share_create(product=shop.coat, created_by=associate_b)

    body = client.get(reverse("catalog:shared", args=[share.token])).content.decode()

    assert share.currency == "EUR"
    assert "€1,150.00" in body and "$1,200.00" not in body


def test_a_share_from_new_york_shows_dollar_prices(client, shop, paris, associate_a):
    share = catalog_services.product_share_create(product=shop.coat, created_by=associate_a)

    body = client.get(reverse("catalog:shared", args=[share.token])).content.decode()

    assert "$1,200.00" in body and "€" not in body


def test_a_share_leaves_out_a_price_it_does_not_have(client, shop, paris, associate_b):
    share = catalog_services.product_list_share_create(products=[shop.coat, shop.scarf],
                                                       created_by=associate_b)

    body = client.get(reverse("catalog:shared", args=[share.token])).content.decode()

    assert "Silk Scarf" in body and "€1,150.00" in body
    assert "$350.00" not in body and "€350.00" not in body


def test_the_caller_may_name_the_shares_currency(shop, paris, associate_a):
    share = catalog_services.collection_share_create(
        collection=_collection(shop), created_by=associate_a, currency="eur")

    assert ProductShare.objects.get(pk=share.pk).currency == "EUR"


def _collection(shop):
    from catalog.models import Collection, CollectionItem

    collection = Collection.objects.create(name="Winter", slug="winter")
    CollectionItem.objects.create(collection=collection, product=shop.coat)
    return collection


def test_each_store_offers_shipping_in_its_own_currency(shop, paris):
    assert list(selectors.shipping_options_for(paris.store)) == [paris.coursier]
    assert list(selectors.shipping_options_for(shop.store)) == [shop.express]


def test_a_store_in_a_three_decimal_currency_cannot_open_carts_yet(org, customer_a, company_admin):
    store = org["store_a2"]
    store.currency = "KWD"
    store.save()

    with pytest.raises(ValidationError, match="KWD"):
        services.cart_open(customer=customer_a, store=store, user=company_admin)
