"""The demo catalog: names that fit their kind of product, and a generated picture for each."""

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from catalog.models import Product, ProductImage
from clienteling import services
from demo import catalog_images
from demo.catalog import PRODUCT_COUNT, seed_catalog
from demo.data import catalog as data

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(org):
    stores = {key: org[key] for key in ("store_a", "store_b")}
    for store in stores.values():
        services.store_ensure_stock_location(store=store)
    return seed_catalog(stores=stores)


def test_every_item_type_has_names_a_picture_and_every_colour_a_shade():
    assert set(data.PRODUCT_NAMES) == {spec[0] for spec in data.ITEM_TYPES} == set(catalog_images.DRAWERS)
    assert set(data.COLOUR_HEX) == set(data.COLOURS)


def test_product_names_fit_their_item_type_and_leave_the_colour_to_the_variant(seeded):
    products = list(Product.objects.select_related("item_type").prefetch_related("variants"))
    assert len(products) == PRODUCT_COUNT
    for product in products:
        words, nouns = data.PRODUCT_NAMES[product.item_type.name]
        assert any(product.title == f"{word} {noun}" for word in words for noun in nouns), product.title
        assert not any(colour in product.title for colour in data.COLOURS), product.title
        assert {variant.colour for variant in product.variants.all()} <= set(data.COLOURS)
    assert not Product.objects.filter(title__contains="Watch", item_type__name="Scarf").exists()


def test_every_product_shows_a_picture_of_its_kind_in_its_colour(seeded):
    for product in Product.objects.select_related("item_type").prefetch_related("variants", "images"):
        colour = product.variants.all()[0].colour
        name = catalog_images.image_name(product.item_type.name, colour)
        assert product.image_url == default_storage.url(name)
        assert [image.image_url for image in product.images.all()] == [product.image_url]
        assert product.images.all()[0].alt_text == product.title
    pictures = {url for url in Product.objects.values_list("image_url", flat=True)}
    assert len(pictures) <= len(data.ITEM_TYPES) * len(data.COLOURS)  # shared, not one per product
    with default_storage.open(catalog_images.image_name("Watch", "Navy")) as file:
        image = Image.open(io.BytesIO(file.read()))
        assert (image.format, image.size) == ("WEBP", (catalog_images.WIDTH, catalog_images.HEIGHT))


def test_seeding_twice_adds_no_second_picture(seeded, org):
    stores = {key: org[key] for key in ("store_a", "store_b")}
    before = ProductImage.objects.count()
    seed_catalog(stores=stores)
    assert ProductImage.objects.count() == before == PRODUCT_COUNT


def test_a_picture_is_drawn_in_the_colour_asked():
    image = Image.open(io.BytesIO(catalog_images.render("Tote", "#6d1a2a"))).convert("RGB")
    centre = image.getpixel((catalog_images.WIDTH // 2, int(catalog_images.HEIGHT * 0.72)))
    assert all(abs(a - b) < 24 for a, b in zip(centre, (0x6D, 0x1A, 0x2A), strict=True)), centre
