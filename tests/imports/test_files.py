"""File imports from real-format samples: each rejection by line and reason; re-imports change nothing."""

import pytest

from catalog.models import Product, ProductPrice, ProductVariant, StockLevel
from clienteling.models import ConsentChange, Customer, CustomerAttributeValue, Sale, SaleLine
from imports.services import FileUnreadable, file_import


def run(org, sample, name, kind, **kwargs):
    with sample(name) as handle:
        return file_import(
            stream=handle, kind=kind, legal_entity=org["entity"], source=f"import {name}", **kwargs
        )


def rejections(report) -> dict[int, str]:
    return {row.line: " | ".join(row.reasons) for row in report.rejected_rows}


def test_shopify_customers_export(org, sample):
    report = run(org, sample, "shopify_customers.csv", "customers", store=org["store_a"])
    assert report.format.code == "shopify_customers"
    assert (report.result.created, report.rows_read) == (3, 6)
    assert rejections(report) == {
        5: "email: “not-an-email” is not an email address.",
        6: "phone: “12” is not a valid phone number.",
        7: "7001 appears again: first at line 2.",
    }
    ann = Customer.objects.get(external_id="7001")
    assert (ann.email, str(ann.phone), ann.city, ann.state, ann.zip_code, ann.address_line2) == (
        "ann.lee@example.com",
        "+12125550101",
        "New York",
        "NY",
        "10001",
        "Apt 4",
    )
    assert sorted(ann.tags.values_list("slug", flat=True)) == ["spring-2026", "vip"]
    assert ann.home_store == org["store_a"]
    assert ConsentChange.objects.filter(
        customer=ann,
        channel="email",
        state="opted_in",
        source="import",
        detail="import shopify_customers.csv",
    ).exists()
    bob = Customer.objects.get(external_id="7002")
    assert (bob.email, str(bob.phone)) == ("bob@example.com", "+16175550102")
    assert (
        str(Customer.objects.get(external_id="7005").phone) == "+12125550105"
    )  # no country code: the store's
    again = run(org, sample, "shopify_customers.csv", "customers", store=org["store_a"])
    assert (again.result.created, again.result.updated, again.result.unchanged) == (0, 0, 3)
    assert ConsentChange.objects.count() == 5


def test_legacy_shopify_export_keys_customers_by_email(org, sample):
    report = run(org, sample, "shopify_customers_legacy.csv", "customers")
    assert report.format.code == "shopify_customers"
    assert report.result.created == 1
    assert rejections(report) == {3: "external_id: An external id is required."}
    assert Customer.objects.get(external_id="gus@example.com").country == "US"


def test_square_customers_export_with_semicolons_and_windows_text(org, sample):
    report = run(org, sample, "square_customers.csv", "customers")
    assert report.format.code == "square_customers"
    assert report.result.created == 2
    assert rejections(report) == {
        4: "birth_date: “31/31/1990” is not a date (YYYY-MM-DD).",
        5: "external_id: An external id is required.",
    }
    zoe = Customer.objects.get(external_id="SQ-1")
    assert (zoe.first_name, str(zoe.birth_date), zoe.consents.get().state) == (
        "Zoé",
        "1985-06-15",
        "opted_in",
    )
    assert Customer.objects.get(external_id="SQ-2").birth_date is None  # a birthday without its year


def test_atelier_customers(org, sample, shoe_size):
    report = run(org, sample, "atelier_customers.csv", "customers")
    assert report.format.code == "atelier_customers"
    assert report.result.created == 1
    assert rejections(report) == {
        3: "attributes.shoe_size: Shoe size: “not-a-number” is not a whole number.",
        4: "external_id: An external id is required.",
        5: "birth_date: “1990-13-01” is not a date (YYYY-MM-DD).",
        6: "home_store: No store with the code “paris”.",
    }
    assert CustomerAttributeValue.objects.get(customer__external_id="A-1").value_int == 41


def test_dry_run_writes_nothing(org, sample):
    report = run(org, sample, "shopify_customers.csv", "customers", dry_run=True)
    assert (report.result.created, report.rejected_count, report.result.dry_run) == (3, 3, True)
    assert not Customer.objects.exists()


def test_all_or_nothing_keeps_nothing_of_the_file(org, sample):
    report = run(org, sample, "shopify_customers.csv", "customers", all_or_nothing=True)
    assert report.result.rolled_back and report.rejected_count == 3
    assert not Customer.objects.exists()


@pytest.fixture
def catalog_and_customers(org, sample, nyc_location, associate_a, shoe_size):
    run(org, sample, "shopify_products.csv", "products", store=org["store_a"])
    run(org, sample, "shopify_customers.csv", "customers", store=org["store_a"])
    run(org, sample, "atelier_customers.csv", "customers")


def test_shopify_products_export(org, sample, nyc_location):
    report = run(org, sample, "shopify_products.csv", "products", store=org["store_a"])
    assert report.format.code == "shopify_products"
    assert (report.result.created, report.records) == (2, 4)
    assert rejections(report) == {
        6: "price: “abc” is not a price.",
        7: "tote appears again: first at line 2.",
    }
    tote = Product.objects.get(sku="tote")
    assert (
        tote.title,
        tote.description,
        tote.designer.name,
        tote.category.name,
        tote.item_type.name,
        tote.price,
    ) == ("Tote", "A leather tote", "Maison Vert", "Handbags", "Bags", 120)
    variants = list(
        ProductVariant.objects.filter(product=tote).values_list(
            "sku", "size", "colour", "barcode", "price_override"
        )
    )
    assert [v[:4] for v in variants] == [
        ("BAG-1-S", "S", "Black", "0012345678905"),
        ("BAG-1-M", "M", "Black", ""),
    ]
    assert variants[1][4] == 130
    assert dict(StockLevel.objects.values_list("variant__sku", "on_hand")) == {
        "BAG-1-S": 4,
        "BAG-1-M": 2,
        "SCARF": 10,
    }
    again = run(org, sample, "shopify_products.csv", "products", store=org["store_a"])
    assert (again.result.created, again.result.updated, again.result.unchanged) == (0, 0, 2)


def test_atelier_products(org, sample, nyc_location):
    report = run(org, sample, "atelier_products.csv", "products")
    assert report.result.created == 1
    assert rejections(report) == {
        4: "title: A new product needs a title. | price: A new product needs a price."
    }
    assert ProductPrice.objects.get(product__sku="RING", variant=None, currency="EUR").amount == 850
    assert StockLevel.objects.get(variant__sku="RING-54").on_hand == 2


def test_shopify_orders_export(org, sample, catalog_and_customers):
    report = run(org, sample, "shopify_orders.csv", "sales", store=org["store_a2"])
    assert report.format.code == "shopify_orders"
    assert (report.result.created, report.records) == (2, 5)
    assert rejections(report) == {
        5: "customer_email: No customer with the email “nobody@example.com”.",
        6: "lines.0.sku: Unknown SKU “NOPE-9”.",
        7: "#1001 appears again: first at line 2.",
    }
    order = Sale.objects.get(external_id="#1001")
    assert (order.store, order.total, order.source, order.channel) == (
        org["store_a"],
        370,
        "ecommerce",
        "store",
    )
    assert list(SaleLine.objects.filter(sale=order).values_list("quantity", "amount")) == [(1, 120), (2, 250)]
    assert Sale.objects.get(external_id="#1002").store == org["store_a2"]  # no location: the import's store
    again = run(org, sample, "shopify_orders.csv", "sales", store=org["store_a2"])
    assert (again.result.created, again.result.unchanged) == (0, 2)


def test_atelier_sales(org, sample, catalog_and_customers):
    report = run(org, sample, "atelier_sales.csv", "sales")
    assert report.result.created == 2
    assert rejections(report) == {
        5: "customer: No customer with the external id “NOBODY”.",
        6: "lines.0.amount: “eighty” is not an amount.",
    }
    assert Sale.objects.get(external_id="R-2").total == -120


def test_unreadable_files(org, sample, tmp_path):
    with pytest.raises(FileUnreadable, match="a required column is missing: amount"):
        run(org, sample, "atelier_sales_missing_column.csv", "sales")
    with pytest.raises(FileUnreadable, match="not one of the known formats"):
        run(org, sample, "shopify_orders.csv", "customers")
    (tmp_path / "empty.csv").write_bytes(b"\xef\xbb\xbf\r\n\r\n")
    with (tmp_path / "empty.csv").open("rb") as handle, pytest.raises(FileUnreadable, match="empty"):
        file_import(stream=handle, kind="customers", legal_entity=org["entity"], source="t")


def test_legacy_atelier_headers_semicolons_and_european_dates(org, sample):
    org["store_a"].country = "GB"  # a London store: its numbers are written without +44
    org["store_a"].save()
    report = run(org, sample, "atelier_customers_legacy.csv", "customers")
    assert (report.format.code, report.result.created, report.rejected_rows) == ("atelier_customers", 1, [])
    nina = Customer.objects.get(external_id="0042")
    assert (nina.email, str(nina.phone), str(nina.birth_date), nina.zip_code, nina.home_store) == (
        "nina@example.com",
        "+447911123456",
        "1985-06-15",
        "SW1A 1AA",
        org["store_a"],
    )
    assert dict(nina.consents.values_list("channel", "state")) == {"email": "opted_in", "sms": "opted_out"}
