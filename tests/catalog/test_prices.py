"""Prices per currency: set by the merchandiser, never converted; a missing one is missing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.models import ProductPrice
from catalog.selectors import prices_in, variant_price_in
from tests.factories import ProductFactory, ProductPriceFactory, VariantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coat():
    """A USD coat, €2,250 in Paris, with an XL that costs more."""
    coat = ProductFactory(title="Cashmere Coat", price=Decimal("2400.00"), currency="USD")
    ProductPriceFactory(product=coat, currency="EUR", amount=Decimal("2250.00"))
    return coat


def test_the_products_own_currency_is_its_price(coat):
    medium = VariantFactory(product=coat, size="M")

    assert variant_price_in(variant=medium, currency="USD") == Decimal("2400.00")


def test_another_currency_reads_the_price_set_for_it(coat):
    medium = VariantFactory(product=coat, size="M")

    assert variant_price_in(variant=medium, currency="EUR") == Decimal("2250.00")


def test_a_currency_without_a_price_has_none(coat):
    medium = VariantFactory(product=coat, size="M")

    assert variant_price_in(variant=medium, currency="GBP") is None


def test_a_variant_price_in_a_currency_wins_over_the_products(coat):
    xl = VariantFactory(product=coat, size="XL", price_override=Decimal("2600.00"))
    ProductPriceFactory(product=coat, variant=xl, currency="EUR", amount=Decimal("2450.00"))

    assert variant_price_in(variant=xl, currency="USD") == Decimal("2600.00")
    assert variant_price_in(variant=xl, currency="EUR") == Decimal("2450.00")


def test_a_variant_priced_apart_never_falls_back_to_the_products_price(coat):
    # The XL costs more in USD; selling it at the coat's EUR price would be a silent discount.
    xl = VariantFactory(product=coat, size="XL", price_override=Decimal("2600.00"))

    assert variant_price_in(variant=xl, currency="EUR") is None


def test_a_price_book_reads_every_product_in_one_query(django_assert_num_queries, coat):
    scarf = ProductFactory(price=Decimal("350.00"))
    ProductPriceFactory(product=scarf, currency="EUR", amount=Decimal("330.00"))

    with django_assert_num_queries(1):
        book = prices_in(currency="EUR", products=[coat, scarf])

    assert book.product_price(coat) == Decimal("2250.00")
    assert book.product_price(scarf) == Decimal("330.00")


def test_products_in_the_currency_already_need_no_query(django_assert_num_queries, coat):
    with django_assert_num_queries(0):
        book = prices_in(currency="USD", products=[coat])

    assert book.product_price(coat) == Decimal("2400.00")


def test_a_price_in_the_products_own_currency_is_refused(coat):
    price = ProductPrice(product=coat, currency="usd", amount=Decimal("1"))

    with pytest.raises(ValidationError, match="own currency"):
        price.full_clean()


def test_a_price_for_another_products_variant_is_refused(coat):
    other = VariantFactory(product=ProductFactory())
    price = ProductPrice(product=coat, variant=other, currency="GBP", amount=Decimal("1"))

    with pytest.raises(ValidationError, match="variant of this product"):
        price.full_clean()


def test_one_price_per_product_and_currency():
    from django.db import IntegrityError, transaction

    price = ProductPriceFactory(currency="EUR")

    with pytest.raises(IntegrityError), transaction.atomic():
        ProductPriceFactory(product=price.product, currency="EUR")


def test_admin_edits_prices_inline_with_the_products_own_variants(client, company_admin, coat):
    mine = VariantFactory(product=coat, sku="COAT-M")
    VariantFactory(product=ProductFactory(), sku="OTHER-M")
    client.force_login(company_admin)

    response = client.get(reverse("admin:catalog_product_change", args=[coat.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Prices in other currencies" in body and 'value="2250.00"' in body
    assert f'<option value="{mine.pk}">' in body and "OTHER-M" not in body
