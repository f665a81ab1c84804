"""The Company Admin's cart and catalog screens: searchable, filterable, and carts read-only."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse

from carts import services
from carts.models import Cart

pytestmark = pytest.mark.django_db

SCREENS = [
    ("carts", "cart"), ("carts", "paymentlink"), ("carts", "paymentevent"), ("carts", "shippingoption"),
    ("carts", "storecartsettings"), ("carts", "discountlimit"), ("carts", "paymentprovideraccount"),
    ("catalog", "product"), ("catalog", "productshare"), ("catalog", "collection"),
    ("catalog", "stocklocation"), ("catalog", "stocklevel"), ("catalog", "designer"),
    ("catalog", "category"), ("catalog", "itemtype"),
]


def model_admin(app_label, model_name):
    return next(ma for model, ma in admin.site._registry.items()
                if (model._meta.app_label, model._meta.model_name) == (app_label, model_name))


@pytest.mark.parametrize(("app_label", "model_name"), SCREENS)
def test_every_cart_and_catalog_list_can_be_searched_and_filtered(client, company_admin, app_label,
                                                                 model_name):
    screen = model_admin(app_label, model_name)
    client.force_login(company_admin)

    response = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"), {"q": "claire 42"})

    assert screen.search_fields and screen.list_filter
    assert response.status_code == 200


@pytest.fixture
def cart(shop, customer_a, associate_a, conversation):
    cart = services.cart_open(customer=customer_a, store=shop.store, user=associate_a,
                              conversation=conversation)
    services.cart_line_add(cart=cart, variant=shop.scarf_os, user=associate_a)
    cart.refresh_from_db()
    return cart


def test_a_cart_is_read_only_in_the_admin(client, company_admin, cart, shop):
    client.force_login(company_admin)
    url = reverse("admin:carts_cart_change", args=[cart.pk])

    page = client.get(url)
    posted = client.post(url, {"discount_kind": "percent", "discount_value": "90",
                               "shipping_option": shop.express.pk, "delivery_city": "Elsewhere"})

    assert page.status_code == 200 and 'name="discount_value"' not in page.content.decode()
    assert posted.status_code == 403
    cart.refresh_from_db()
    assert (cart.discount_kind, cart.discount_value, cart.shipping_option_id) == ("", Decimal(0), None)
    assert cart.delivery_city == "" and cart.version == 1


def test_a_cart_cannot_be_deleted_in_the_admin(client, company_admin, cart):
    client.force_login(company_admin)

    response = client.post(reverse("admin:carts_cart_delete", args=[cart.pk]), {"post": "yes"})

    assert response.status_code == 403 and Cart.objects.filter(pk=cart.pk).exists()


def test_carts_are_found_by_customer_name(client, company_admin, cart):
    client.force_login(company_admin)

    found = client.get(reverse("admin:carts_cart_changelist"), {"q": "Dupont"}).content.decode()
    missed = client.get(reverse("admin:carts_cart_changelist"), {"q": "Nobody"}).content.decode()

    assert reverse("admin:carts_cart_change", args=[cart.pk]) in found
    assert reverse("admin:carts_cart_change", args=[cart.pk]) not in missed
