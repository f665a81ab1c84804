"""Finding products: exact SKU or barcode (a scanner types into the box), then ranked words."""

from decimal import Decimal

import pytest
from django.db import connection

from catalog import selectors, services
from catalog.models import Designer, Product
from tests.factories import DesignerFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking needs pg_trgm")


@pytest.fixture
def catalog():
    duval = DesignerFactory(name="Noémie Duval", slug="noemie-duval")
    coat = ProductFactory(sku="AT-00012", title="Cashmere Coat in Camel", designer=duval,
                          barcode="")
    coat_s = VariantFactory(product=coat, sku="AT-00012-S", size="S", barcode="2000000001203")
    scarf = ProductFactory(sku="AT-00099", title="Silk Scarf", barcode="0123456789012")
    VariantFactory(product=scarf, sku="AT-00099-OS")
    gone = ProductFactory(sku="AT-00100", title="Cashmere Coat Archive", active=False)
    return {"coat": coat, "coat_s": coat_s, "scarf": scarf, "gone": gone, "duval": duval}


def titles(products):
    return [p.title for p in products]


def test_exact_product_sku_in_any_case(catalog):
    found = selectors.product_search(query="at-00099")

    assert found == [catalog["scarf"]]
    assert found[0].matched_variant is None


def test_variant_barcode_finds_the_product_and_the_size(catalog):
    (found,) = selectors.product_search(query="2000000001203")

    assert found == catalog["coat"] and found.matched_variant == catalog["coat_s"]


def test_variant_sku_finds_the_size(catalog):
    (found,) = selectors.product_search(query="AT-00012-s")

    assert found.matched_variant == catalog["coat_s"]


def test_a_12_digit_upc_matches_the_stored_ean_13(catalog):
    assert selectors.product_search(query="123456789012") == [catalog["scarf"]]


def test_scanner_input_with_surrounding_whitespace(catalog):
    assert selectors.product_search(query="  2000000001203\n")[0] == catalog["coat"]


def test_words_must_all_match_and_inactive_products_never_show(catalog):
    assert titles(selectors.product_search(query="cashmere coat")) == ["Cashmere Coat in Camel"]
    assert selectors.product_search(query="cashmere scarf") == []


def test_designer_names_match_without_accents(catalog):
    assert titles(selectors.product_search(query="noemie")) == ["Cashmere Coat in Camel"]


def test_partial_words_match_as_you_type(catalog):
    assert titles(selectors.product_search(query="cashm")) == ["Cashmere Coat in Camel"]


def test_part_of_a_sku_finds_the_product(catalog):
    assert titles(selectors.product_search(query="00099")) == ["Silk Scarf"]


@pytest.mark.parametrize("query", ["", "  ", "a", "xs"])
def test_too_short_a_query_finds_nothing(catalog, query):
    assert selectors.product_search(query=query) == []


@postgres_only
def test_results_are_ranked_by_how_well_they_match(db):
    ProductFactory(title="A Coat in Black Wool")
    ProductFactory(title="Black Coat")

    assert titles(selectors.product_search(query="black coat"))[0] == "Black Coat"


@postgres_only
def test_a_typo_still_finds_the_product(catalog):
    assert "Cashmere Coat in Camel" in titles(selectors.product_search(query="cashmre"))


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL ranks by similarity")
def test_sqlite_orders_matches_by_title(catalog):
    ProductFactory(title="Cashmere Beanie")

    assert titles(selectors.product_search(query="cashmere")) == ["Cashmere Beanie",
                                                                  "Cashmere Coat in Camel"]


def test_search_words_follow_a_designer_rename(catalog):
    Designer.objects.filter(pk=catalog["duval"].pk).update(name="Maison Verdier")

    services.product_search_text_refresh(product_ids=[catalog["coat"].pk])

    assert titles(selectors.product_search(query="verdier")) == ["Cashmere Coat in Camel"]
    assert selectors.product_search(query="noemie") == []


def test_bulk_created_products_are_found_after_a_refresh(db):
    Product.objects.bulk_create([Product(sku="BULK-1", title="Velvet Blazer", price=Decimal(900))])
    assert selectors.product_search(query="velvet") == []

    services.product_search_text_refresh()

    assert titles(selectors.product_search(query="velvet")) == ["Velvet Blazer"]


def test_stock_available_to_promise(catalog):
    from catalog.models import StockLevel, StockLocation

    location = StockLocation.objects.create(code="s1", name="Store")
    StockLevel.objects.create(variant=catalog["coat_s"], location=location, on_hand=5, reserved=2)

    stock = selectors.available_to_promise(variant_ids=[catalog["coat_s"].pk], location_ids=[location.pk])

    assert stock[catalog["coat_s"].pk][location.pk] == 3
