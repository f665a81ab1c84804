"""Public, login-free share pages: products only, unguessable tokens, clear pages for bad ones."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog import services
from catalog.models import Collection, CollectionItem, ProductShare
from tests.factories import ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db


def url(share):
    return reverse("catalog:shared", args=[share.token])


def test_product_share_shows_the_product_to_anyone(client, associate_a):
    product = ProductFactory(title="Silk Scarf", description="Hand-rolled edges.")
    VariantFactory(product=product, size="S")
    VariantFactory(product=product, size="M")
    share = services.product_share_create(product=product, created_by=associate_a)

    response = client.get(url(share))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Silk Scarf" in body and "Hand-rolled edges." in body and "$250.00" in body
    assert associate_a.get_full_name() not in body and associate_a.username not in body
    assert response["X-Robots-Tag"].startswith("noindex")


def test_share_tokens_are_long_and_random(associate_a):
    product = ProductFactory()
    tokens = {services.product_share_create(product=product, created_by=associate_a).token
              for _ in range(5)}

    assert len(tokens) == 5 and all(len(token) >= 43 for token in tokens)


@pytest.mark.parametrize("token", ["guess", "A" * 43, "%00"])
def test_unknown_token_is_404_and_names_nothing(client, token):
    response = client.get(f"/s/{token}/")

    assert response.status_code == 404
    assert "This link is not available" in response.content.decode()


def test_expired_share_is_410(client, associate_a):
    share = services.product_share_create(product=ProductFactory(title="Gone Soon"),
                                          created_by=associate_a,
                                          expires_at=timezone.now() - timedelta(minutes=1))

    response = client.get(url(share))

    assert response.status_code == 410 and "Gone Soon" not in response.content.decode()


def test_collection_share_shows_its_active_products_in_order(client, associate_a):
    collection = Collection.objects.create(name="Resort Edit", slug="resort", description="Light layers.")
    first, second, hidden = ProductFactory(title="Linen Shirt"), ProductFactory(title="Espadrille"), \
        ProductFactory(title="Retired Hat", active=False)
    for position, product in enumerate([second, first, hidden]):
        CollectionItem.objects.create(collection=collection, product=product, position=position)
    share = services.collection_share_create(collection=collection, created_by=associate_a)

    body = client.get(url(share)).content.decode()

    assert "Resort Edit" in body and "Light layers." in body
    assert body.index("Espadrille") < body.index("Linen Shirt")
    assert "Retired Hat" not in body


def test_product_list_share(client, associate_a):
    products = [ProductFactory(title="Belt"), ProductFactory(title="Loafers")]
    share = services.product_list_share_create(products=products, created_by=associate_a)

    body = client.get(url(share)).content.decode()

    assert share.kind == ProductShare.Kind.PRODUCT_LIST
    assert "Belt" in body and "Loafers" in body


def test_an_empty_product_list_is_refused(associate_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.product_list_share_create(products=[], created_by=associate_a)
