"""The purchase-history filter by products and SKUs, and its picker."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clienteling import services
from clienteling.models import CustomerMeasures
from tests.clienteling.list_helpers import LIST, names
from tests.factories import CustomerFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db
OPTIONS = "clienteling:sku_options"


def buy(org, manager, customer, **line):
    services.sale_record(customer=customer, store=org["store_a"], salesperson=manager,
                         sold_at=timezone.now() - timedelta(days=3),
                         lines=[{"title": "Item", "amount": Decimal("100.00"), **line}])


@pytest.fixture
def catalog_sales(org, manager, people):
    scarf = ProductFactory(sku="SCARF-1", title="Silk scarf")
    coat = ProductFactory(sku="COAT-1", title="Wool coat")
    coat_m = VariantFactory(product=coat, sku="COAT-1-M", size="M")
    coat_l = VariantFactory(product=coat, sku="COAT-1-L", size="L")
    buy(org, manager, people["Ann"], product=scarf)
    buy(org, manager, people["Ben"], product=coat, variant=coat_m)
    buy(org, manager, people["Cai"], product=coat, variant=coat_l)
    services.sale_record(customer=people["Dee"], store=org["store_a"], salesperson=manager,
                         sold_at=timezone.now(), lines=[{"title": "Alteration", "amount": Decimal("20.00"),
                                                         "kind": "service", "product": scarf}])
    return {"scarf": scarf, "coat": coat}


def test_a_product_sku_matches_every_variant_of_it(as_manager, catalog_sales):
    assert names(as_manager.get(reverse(LIST), {"skus": "COAT-1"})) == {"Ben", "Cai"}


def test_a_variant_sku_matches_that_variant_only(as_manager, catalog_sales):
    assert names(as_manager.get(reverse(LIST), {"skus": "COAT-1-L"})) == {"Cai"}


def test_several_skus_match_any_and_services_do_not_count(as_manager, catalog_sales):
    assert names(as_manager.get(reverse(LIST), {"skus": " SCARF-1 ,COAT-1-M, NOPE"})) == {"Ann", "Ben"}
    assert names(as_manager.get(reverse(LIST), {"skus": "NOPE"})) == set()


def test_the_filter_is_offered_in_the_purchase_section(as_manager, catalog_sales):
    page = as_manager.get(reverse("clienteling:filter_group", args=["purchases"])).content.decode()
    assert 'name="skus"' in page and 'list="skus-options"' in page and reverse(OPTIONS) in page


def test_the_picker_suggests_products_and_variants(as_manager, catalog_sales):
    response = as_manager.get(reverse(OPTIONS), {"skus": "coat"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="COAT-1"' in body and 'value="COAT-1-M"' in body and 'value="COAT-1-L"' in body
    assert "SCARF-1" not in body


def test_the_picker_keeps_what_was_chosen_before(as_manager, catalog_sales):
    body = as_manager.get(reverse(OPTIONS), {"skus": "SCARF-1, coat-1-"}).content.decode()
    assert 'value="SCARF-1, COAT-1-M"' in body and 'value="SCARF-1, SCARF-1"' not in body
    assert as_manager.get(reverse(OPTIONS), {"skus": "c"}).content.decode().strip() == ""


def test_the_picker_is_for_signed_in_staff(client, associate_b):
    assert client.get(reverse(OPTIONS), {"skus": "coat"}).status_code == 302
    client.force_login(associate_b)
    assert client.get(reverse(OPTIONS), {"skus": "coat"}).status_code == 200


# Session, user, user and group permissions, staff profile, home store, grid columns, the page
# (the SKU filter is one EXISTS inside it), its related rows (measures, contact history), the
# tags column, saved lists, which rows are in my book (the phone cards): the same for three
# rows or twenty-five.
FILTERED_PAGE_QUERIES = 12


def test_the_filter_adds_no_query_per_row(as_manager, org, manager, django_assert_num_queries):
    product = ProductFactory(sku="RING-9")

    def add_buyers(n):
        for customer in CustomerFactory.create_batch(n, legal_entity=org["entity"]):
            CustomerMeasures.objects.create(customer=customer)
            buy(org, manager, customer, product=product)

    def rows_on_one_page():
        with django_assert_num_queries(FILTERED_PAGE_QUERIES):
            response = as_manager.get(reverse(LIST), {"skus": "RING-9"})
        assert response.status_code == 200
        return len(response.context["result"].rows)

    add_buyers(3)
    as_manager.get(reverse(LIST), {"skus": "RING-9"})  # warm per-process caches
    assert rows_on_one_page() == 3
    add_buyers(22)
    assert rows_on_one_page() == 25
