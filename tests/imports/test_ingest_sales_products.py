"""sales_upsert and products_upsert: matching by SKU, store, salesperson; idempotence; replaced receipts."""

from decimal import Decimal

from catalog import services as catalog_services
from catalog.models import Category, Product, ProductPrice, ProductVariant, StockLevel
from clienteling import services
from clienteling.models import CustomerMeasures, Sale, SaleLine
from clienteling.services.ingest import sales_upsert
from tests.factories import CustomerFactory, ProductFactory, VariantFactory


def products_upsert(**kwargs):
    # The API and the imports reach it as catalog.services.ingest.products_upsert.
    return catalog_services.ingest.products_upsert(source="test", **kwargs)


def test_products_with_variants_prices_and_stock(org):
    location = services.store_ensure_stock_location(store=org["store_a"])
    records = [
        {
            "sku": "BAG-1",
            "title": "Tote",
            "designer": "Maison Vert",
            "category": "Bags",
            "price": "120",
            "currency": "usd",
            "prices": {"EUR": "110.00"},
            "variants": [
                {"sku": "BAG-1-S", "size": "S", "stock": {"nyc": 3}},
                {
                    "sku": "BAG-1-L",
                    "size": "L",
                    "price": "130",
                    "prices": {"EUR": "120"},
                    "stock": {location.code: "2"},
                },
            ],
        },
        {"sku": "SCARF", "title": "Scarf", "price": "80.00"},
    ]
    result = products_upsert(records=records)
    assert (result.created, result.unchanged, result.rejected) == (2, 0, [])
    bag = Product.objects.get(sku="BAG-1")
    assert (bag.designer.name, bag.category.name, bag.price, bag.currency) == (
        "Maison Vert",
        "Bags",
        120,
        "USD",
    )
    assert "tote" in bag.search_text and "maison" in bag.search_text
    assert ProductVariant.objects.get(sku="BAG-1-L").price_override == Decimal("130.00")
    assert set(StockLevel.objects.values_list("variant__sku", "on_hand")) == {("BAG-1-S", 3), ("BAG-1-L", 2)}
    assert ProductPrice.objects.filter(product=bag).count() == 2
    # Without variants a product gets its default one, under its own SKU.
    assert list(ProductVariant.objects.filter(product__sku="SCARF").values_list("sku", flat=True)) == [
        "SCARF"
    ]
    assert products_upsert(records=records).unchanged == 2
    records[0]["variants"][0]["stock"] = {"nyc": 1}
    assert products_upsert(records=records).updated == 1
    assert StockLevel.objects.get(variant__sku="BAG-1-S").on_hand == 1
    assert Category.objects.filter(name="Bags").count() == 1


def test_product_rejections(org):
    other = VariantFactory(sku="TAKEN")
    result = products_upsert(
        records=[
            {"sku": "", "title": "x", "price": "1"},
            {"sku": "A", "price": "1"},
            {"sku": "B", "title": "b", "price": "-3"},
            {"sku": "C", "title": "c", "price": "1", "variants": [{"sku": "TAKEN"}]},
            {"sku": "D", "title": "d", "price": "1", "variants": [{"sku": "D-1", "stock": {"nowhere": 1}}]},
            {"sku": "E", "title": "e", "price": "1", "currency": "EUR", "prices": {"EUR": "2"}},
        ],
        all_or_nothing=False,
    )
    assert {r.external_id: sorted(r.errors) for r in result.rejected} == {
        "": ["sku"],
        "A": ["title"],
        "B": ["price"],
        "C": ["variants.0.sku"],
        "D": ["variants.0.stock.nowhere"],
        "E": ["prices.EUR"],
    }
    assert not Product.objects.exclude(pk=other.product_id).exists()


def _sale(external_id="R-1", **extra):
    record = {
        "external_id": external_id,
        "customer": "C-1",
        "store": "nyc",
        "salesperson": "associate.a",
        "sold_at": "2026-03-01T15:00:00",
        "lines": [
            {"sku": "BAG-1", "amount": "120.00"},
            {"sku": "V-2", "quantity": 2, "amount": "50"},
            {"kind": "custom", "title": "Monogram", "amount": "15"},
            {"kind": "return", "sku": "BAG-1", "amount": "120.00"},
        ],
    }
    record.update(extra)
    return record


def test_sales_with_goods_custom_and_return_lines(org, associate_a):
    CustomerFactory(legal_entity=org["entity"], external_id="C-1")
    ProductFactory(sku="BAG-1", title="Tote")
    VariantFactory(sku="V-2")
    result = sales_upsert(legal_entity=org["entity"], records=[_sale()], source="test")
    assert (result.created, result.rejected) == (1, [])
    sale = Sale.objects.get(external_id="R-1")
    assert (sale.total, sale.salesperson, sale.source, sale.currency) == (
        Decimal("65.00"),
        associate_a,
        "import",
        "USD",
    )
    assert sale.sold_at.hour == 20  # 15:00 in New York
    kinds = list(SaleLine.objects.filter(sale=sale).values_list("kind", "title", "quantity", "amount"))
    assert kinds[2:] == [
        ("custom", "Monogram", 1, Decimal("15.00")),
        ("return", "Tote", -1, Decimal("-120.00")),
    ]
    assert CustomerMeasures.objects.get(customer__external_id="C-1").orders_count == 1
    assert sales_upsert(legal_entity=org["entity"], records=[_sale()], source="test").unchanged == 1
    changed = sales_upsert(
        legal_entity=org["entity"], records=[_sale(lines=[{"sku": "BAG-1", "amount": "99"}])], source="test"
    )
    assert changed.updated == 1
    assert list(SaleLine.objects.filter(sale=sale).values_list("amount", flat=True)) == [Decimal("99.00")]
    assert Sale.objects.get(pk=sale.pk).total == Decimal("99.00")


def test_sale_rejections(org, associate_a):
    CustomerFactory(legal_entity=org["entity"], external_id="C-1")
    ProductFactory(sku="BAG-1")
    VariantFactory(sku="V-2")
    result = sales_upsert(
        legal_entity=org["entity"],
        source="test",
        records=[
            _sale("R-1", customer="NOPE"),
            _sale("R-2", store="par"),
            _sale("R-3", salesperson="ghost"),
            _sale("R-4", lines=[{"sku": "UNKNOWN", "amount": "1"}]),
            _sale("R-5", lines=[]),
            _sale("R-6", sold_at="yesterday"),
            _sale("R-7"),
            _sale("R-7"),
        ],
    )
    assert {r.external_id: sorted(r.errors) for r in result.rejected} == {
        "R-1": ["customer"],
        "R-2": ["store"],
        "R-3": ["salesperson"],
        "R-4": ["lines.0.sku"],
        "R-5": ["lines"],
        "R-6": ["sold_at"],
        "R-7": ["external_id"],
    }
    assert result.rejected[3].errors["lines.0.sku"] == ["Unknown SKU “UNKNOWN”."]
    assert list(Sale.objects.values_list("external_id", flat=True)) == ["R-7"]
    assert not sales_upsert(
        legal_entity=org["entity"],
        source="t",
        records=[_sale("R-8", customer="NOPE"), _sale("R-9")],
        all_or_nothing=True,
    ).created
    assert not Sale.objects.filter(external_id="R-9").exists()
