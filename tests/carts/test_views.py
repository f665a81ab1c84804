"""The associate's cart pages: who may open what, htmx fragments, scan, share, the profile section."""

import pytest
from django.urls import reverse

from carts import services
from carts.models import Cart, CartLine
from clienteling.models import ModuleSettings, StaffProfile
from conversations.models import Message
from tests.carts.conftest import stock
from tests.factories import ProductFactory, VariantFactory, make_staff

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def cart(shop, customer_a, associate_a, conversation):
    return services.cart_open(customer=customer_a, store=shop.store, user=associate_a,
                              conversation=conversation)


@pytest.fixture
def associate_a2(org):
    """Same legal entity, another store."""
    return make_staff(StaffProfile.Role.ASSOCIATE, org["store_a2"], username="associate.a2")


ROLES = ["company_admin", "manager", "associate_a", "associate_a2", "associate_b", None]


@pytest.mark.parametrize(("role", "expected"), zip(ROLES, [200, 200, 200, 404, 404, 302], strict=True))
def test_cart_page_is_for_staff_of_the_carts_store(request, client, cart, role, expected):
    if role:
        client.force_login(request.getfixturevalue(role))

    response = client.get(reverse("carts:detail", args=[cart.pk]))

    assert response.status_code == expected


@pytest.mark.parametrize(("role", "expected"), zip(ROLES, [302, 302, 302, 404, 404, 302], strict=True))
def test_open_from_a_conversation_needs_the_conversations_store(request, client, conversation, role,
                                                               expected):
    if role:
        client.force_login(request.getfixturevalue(role))

    response = client.post(reverse("carts:open_for_conversation", args=[conversation.pk]))

    assert response.status_code == expected
    if role and expected == 302:
        assert response["Location"].startswith("/carts/")


def test_open_from_a_conversation_shows_the_same_open_cart(client, associate_a, conversation):
    client.force_login(associate_a)
    url = reverse("carts:open_for_conversation", args=[conversation.pk])

    first, second = client.post(url), client.post(url)

    assert first["Location"] == second["Location"]
    cart = Cart.objects.get()
    assert first["Location"] == reverse("carts:detail", args=[cart.pk])
    assert cart.conversation == conversation and cart.store == conversation.store


@pytest.mark.parametrize("name", ["open_for_conversation", "open_for_customer"])
def test_opening_a_cart_by_get_changes_nothing(client, associate_a, conversation, customer_a, shop,
                                               name):
    client.force_login(associate_a)
    target = conversation.pk if name == "open_for_conversation" else customer_a.pk

    response = client.get(reverse(f"carts:{name}", args=[target]), {"store": shop.store.pk})

    assert response.status_code == 405 and not Cart.objects.exists()


def test_open_from_the_profile_for_a_store(client, associate_a, customer_a, shop):
    client.force_login(associate_a)

    response = client.post(reverse("carts:open_for_customer", args=[customer_a.pk]),
                          {"store": shop.store.pk})

    cart = Cart.objects.get()
    assert response["Location"] == reverse("carts:detail", args=[cart.pk])
    assert cart.store == shop.store and cart.conversation is None


def test_open_for_a_store_the_associate_does_not_work_in_is_404(client, associate_a, customer_a, org):
    client.force_login(associate_a)

    response = client.post(reverse("carts:open_for_customer", args=[customer_a.pk]),
                          {"store": org["store_a2"].pk})

    assert response.status_code == 404 and not Cart.objects.exists()


def test_customer_of_another_legal_entity_is_404(client, associate_a, customer_b, shop):
    client.force_login(associate_a)

    response = client.post(reverse("carts:open_for_customer", args=[customer_b.pk]),
                          {"store": shop.store.pk})

    assert response.status_code == 404


def test_posting_to_another_stores_cart_is_404_and_changes_nothing(client, associate_b, cart, shop):
    client.force_login(associate_b)

    response = client.post(reverse("carts:line_add", args=[cart.pk]), {"variant": shop.scarf_os.pk})

    assert response.status_code == 404 and not cart.lines.exists()


def test_remote_carts_switched_off_hide_the_pages(client, associate_a, cart):
    settings = ModuleSettings.load()
    settings.switches = {"remote_carts": False}
    settings.save()
    client.force_login(associate_a)

    assert client.get(reverse("carts:detail", args=[cart.pk])).status_code == 404


def test_add_with_htmx_answers_with_the_cart_fragment(client, associate_a, cart, shop):
    client.force_login(associate_a)

    response = client.post(reverse("carts:line_add", args=[cart.pk]),
                           {"variant": shop.coat_s.pk, "fulfilment": "in_store"}, **HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="cart"') and "<html" not in body
    assert "Cashmere Coat in Camel" in body and "$1,306.50" in body
    assert "toast" in response["HX-Trigger"]


def test_add_without_javascript_redirects_back(client, associate_a, cart, shop):
    client.force_login(associate_a)

    response = client.post(reverse("carts:line_add", args=[cart.pk]), {"variant": shop.coat_s.pk})

    assert response.status_code == 302 and response["Location"] == reverse("carts:detail", args=[cart.pk])


def test_scanning_a_barcode_adds_that_size(client, associate_a, cart, shop):
    client.force_login(associate_a)

    response = client.post(reverse("carts:scan", args=[cart.pk]), {"q": shop.coat_s.barcode}, **HTMX)

    assert response["HX-Retarget"] == "#cart"
    assert cart.lines.get().variant == shop.coat_s


def test_scanning_a_upc_finds_its_ean_13(client, associate_a, cart, shop):
    client.force_login(associate_a)

    client.post(reverse("carts:scan", args=[cart.pk]), {"q": "123456789012"}, **HTMX)  # scarf's UPC-A

    assert cart.lines.get().variant == shop.scarf_os


def test_searching_by_words_lists_sizes_with_stock(client, associate_a, cart, shop):
    client.force_login(associate_a)

    response = client.get(reverse("carts:product_results", args=[cart.pk]), {"q": "cashmere coat"},
                          **HTMX)

    body = response.content.decode()
    assert "Cashmere Coat in Camel" in body
    assert body.count('name="variant"') == 2


def test_discount_above_the_limit_is_shown_as_an_error(client, associate_a, cart, shop):
    line = services.cart_line_add(cart=cart, variant=shop.coat_s, user=associate_a)
    client.force_login(associate_a)

    response = client.post(reverse("carts:line_discount", args=[cart.pk, line.pk]),
                           {"kind": "percent", "value": "30"}, **HTMX)

    assert response.status_code == 200
    assert "above your limit of 10% off" in response.content.decode()
    assert CartLine.objects.get(pk=line.pk).discount_kind == ""


def test_quantity_stepper_and_remove(client, associate_a, cart, shop):
    line = services.cart_line_add(cart=cart, variant=shop.coat_s, user=associate_a)
    client.force_login(associate_a)
    url = reverse("carts:line_update", args=[cart.pk, line.pk])

    client.post(url, {"step": "1"}, **HTMX)
    assert CartLine.objects.get(pk=line.pk).quantity == 2
    client.post(url, {"step": "-1"}, **HTMX)
    client.post(url, {"step": "-1"}, **HTMX)
    assert not CartLine.objects.filter(pk=line.pk).exists()


def test_share_from_the_page_sends_the_cart_message(client, associate_a, cart, shop, demo_account,
                                                    django_capture_on_commit_callbacks):
    services.cart_line_add(cart=cart, variant=shop.scarf_os, user=associate_a)
    client.force_login(associate_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("carts:share", args=[cart.pk]), {}, **HTMX)

    assert "Shared at" in response.content.decode()
    assert Message.objects.filter(kind=Message.Kind.CART).count() == 1


# Session, user, permissions, staff profile, module settings, the cart with its customer and
# store, its lines with their variants, stock, the shares, the customer's contact details ...
CART_PAGE_QUERIES = 12


def test_cart_page_runs_the_same_queries_for_many_lines(client, associate_a, cart, shop,
                                                         django_assert_num_queries):
    services.cart_line_add(cart=cart, variant=shop.coat_s, user=associate_a)
    client.force_login(associate_a)
    url = reverse("carts:detail", args=[cart.pk])
    client.get(url)  # warm per-process caches
    with django_assert_num_queries(CART_PAGE_QUERIES):
        client.get(url)
    for i in range(5):
        variant = VariantFactory(product=ProductFactory(), sku=f"MANY-{i}")
        stock(variant, shop.store.stock_location, 5)
        services.cart_line_add(cart=cart, variant=variant, user=associate_a)
    with django_assert_num_queries(CART_PAGE_QUERIES):
        response = client.get(url)
    assert response.context["cart"].lines.count() == 6


def test_profile_shows_the_carts_section(client, associate_a, customer_a, cart, shop):
    services.cart_line_add(cart=cart, variant=shop.scarf_os, user=associate_a)
    client.force_login(associate_a)

    body = client.get(reverse("clienteling:customer_detail", args=[customer_a.pk])).content.decode()

    assert "Remote carts" in body
    assert reverse("carts:detail", args=[cart.pk]) in body


def test_catalog_share_sends_a_collection_link(client, associate_a, conversation, shop):
    from catalog.models import Collection, CollectionItem, ProductShare

    collection = Collection.objects.create(name="Resort Edit", slug="resort")
    CollectionItem.objects.create(collection=collection, product=shop.scarf)
    client.force_login(associate_a)

    response = client.post(reverse("carts:share_send", args=[conversation.pk]),
                           {"kind": "collection", "collection": collection.pk})

    assert response.status_code == 302
    share = ProductShare.objects.get(kind="collection")
    message = Message.objects.get(kind=Message.Kind.PRODUCT)
    assert share.token in message.body and "Resort Edit" in message.body


def test_catalog_share_of_a_product_list(client, associate_a, conversation, shop):
    from catalog.models import ProductShare

    client.force_login(associate_a)

    client.post(reverse("carts:share_send", args=[conversation.pk]),
                {"kind": "list", "products": [shop.scarf.pk, shop.coat.pk]})

    share = ProductShare.objects.get(kind="product_list")
    assert set(share.products.all()) == {shop.scarf, shop.coat}


def test_catalog_page_searches_with_store_stock(client, associate_a, shop):
    client.force_login(associate_a)

    response = client.get(reverse("carts:catalog"), {"q": "silk"})

    body = response.content.decode()
    assert "Silk Scarf" in body and "2 in store" in body


def test_open_carts_list_shows_the_stores_carts(client, associate_a, associate_b, cart):
    client.force_login(associate_a)
    assert str(cart.customer) in client.get(reverse("carts:index")).content.decode()

    client.force_login(associate_b)
    assert str(cart.customer) not in client.get(reverse("carts:index")).content.decode()


def test_catalog_product_page_shows_sizes_and_store_stock(client, associate_a, shop, conversation):
    client.force_login(associate_a)

    response = client.get(reverse("carts:catalog_product", args=[shop.coat.pk]),
                          {"conversation": conversation.pk})

    body = response.content.decode()
    assert response.status_code == 200
    assert "COAT-1-S" in body and "COAT-1-M" in body and "Share with Claire" in body


@pytest.fixture
def delivered(cart, associate_a, customer_a):
    customer_a.address_line1, customer_a.address_line2 = "712 Madison Ave", "Apt 9"
    customer_a.city, customer_a.state, customer_a.zip_code, customer_a.country = (
        "Greenwich", "CT", "06830", "US")
    customer_a.save()
    services.cart_delivery_set(cart=cart, user=associate_a, address={
        "name": "Claire Dupont", "line1": "1 Park Avenue", "line2": "Floor 3", "city": "Scarsdale",
        "state": "NY", "zip": "10583", "country": "US"})
    return cart


ADDRESS_PARTS = ["1 Park Avenue", "Floor 3", "Scarsdale", "10583", "712 Madison", "Apt 9", "Greenwich",
                 "06830"]


def test_associate_without_the_permission_sees_no_part_of_an_address(client, associate_a, delivered):
    client.force_login(associate_a)

    body = client.get(reverse("carts:detail", args=[delivered.pk])).content.decode()

    assert "Claire Dupont" in body and "•••" in body and "Use the address on file" in body
    assert not [part for part in ADDRESS_PARTS if part in body]


def test_manager_with_the_permission_sees_the_addresses(client, manager, delivered):
    client.force_login(manager)

    body = client.get(reverse("carts:detail", args=[delivered.pk])).content.decode()

    assert all(part in body for part in ADDRESS_PARTS)


def test_masked_associate_can_still_ship_to_the_address_on_file(client, associate_a, delivered,
                                                                customer_a):
    client.force_login(associate_a)

    client.post(reverse("carts:delivery", args=[delivered.pk]), {"use_customer_address": "on"})

    delivered.refresh_from_db()
    assert (delivered.delivery_line1, delivered.delivery_city) == ("712 Madison Ave", "Greenwich")


@pytest.mark.parametrize("screen", ["catalog", "share_picker", "cart"])
def test_every_search_box_offers_the_camera_and_shows_it_is_searching(client, associate_a, conversation,
                                                                     cart, screen):
    client.force_login(associate_a)
    url = {"catalog": reverse("carts:catalog"),
           "share_picker": reverse("carts:share_picker", args=[conversation.pk]),
           "cart": reverse("carts:detail", args=[cart.pk])}[screen]

    body = client.get(url).content.decode()

    assert "data-scan-camera" in body and "data-scan-dialog" in body and "js/scan.js" in body
    assert "htmx-indicator" in body and 'hx-indicator=".htmx-progress"' in body
