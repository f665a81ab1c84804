"""Seeds the catalog: designers, categories, ~300 products with variants, prices and stock."""

import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.utils.text import slugify

from catalog import services as catalog_services
from catalog.models import (
    Category,
    Collection,
    CollectionItem,
    Designer,
    ItemType,
    Product,
    ProductImage,
    ProductPrice,
    ProductVariant,
    StockLevel,
    StockLocation,
)
from clienteling.models import (
    Store,
)
from demo.catalog_images import ensure_image
from demo.data import catalog as catalog_data

CATALOG_SEED = 1_000_003  # the catalog is the same whatever --seed says
PRODUCT_COUNT = 300


class ProductInfo(NamedTuple):
    id: int
    variant_ids: list[int]
    designer_id: int
    category_id: int
    item_type_id: int
    title: str
    price: Decimal
    prices: dict[str, Decimal]  # currency -> price: USD and every price list


def _ean13(number: int) -> str:
    """An in-store EAN-13 (prefix 2) with a valid check digit."""
    body = f"2{number:011d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def seed_catalog(*, stores: dict[str, Store]) -> list[ProductInfo]:
    """Designers, categories, item types, ~300 products with variants and stock."""
    rng = random.Random(CATALOG_SEED)
    designers = {
        name: Designer.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
        for name in catalog_data.DESIGNERS
    }
    categories = {
        name: Category.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
        for name in catalog_data.CATEGORIES
    }
    item_types = {
        spec[0]: ItemType.objects.get_or_create(slug=slugify(spec[0]), defaults={"name": spec[0]})[0]
        for spec in catalog_data.ITEM_TYPES
    }
    warehouse, _ = StockLocation.objects.update_or_create(
        code="warehouse-us",
        defaults={"name": "US Warehouse", "kind": StockLocation.Kind.WAREHOUSE,
                  "ships_to_customers": True},
    )
    locations = [store.stock_location for store in stores.values()] + [warehouse]

    # Draw the whole catalog first, so the random stream never depends on what exists.
    products, variants = [], []
    for i in range(PRODUCT_COUNT):
        designer = catalog_data.DESIGNERS[i % len(catalog_data.DESIGNERS)]
        type_name, category, (low, high), sizes = rng.choice(catalog_data.ITEM_TYPES)
        words, nouns = catalog_data.PRODUCT_NAMES[type_name]
        adjective, noun = rng.choice(words), rng.choice(nouns)
        colour = rng.choice(catalog_data.COLOURS)
        step = 5 if high < 1000 else 50
        price = Decimal(rng.randrange(low // step, high // step + 1) * step)
        sku = f"AT-{i + 1:05d}"
        products.append({
            # The colour is the variant's: a cart line reads "Belted Trench Coat – M / Camel".
            "sku": sku, "title": f"{adjective} {noun}",
            "designer": designers[designer], "category": categories[category],
            "item_type": item_types[type_name], "price": price, "currency": "USD",
            "description": f"{adjective} {noun.lower()} in {colour.lower()}, by {designer}.",
            "image_url": "", "_picture": (type_name, colour),
            "active": rng.random() > 0.03,
        })
        if sizes:
            first = rng.randrange(len(sizes))
            chosen = sizes[first:first + rng.randint(1, 3)]
        else:
            chosen = [""]
        for position, size in enumerate(chosen):
            variants.append({
                "product_sku": sku, "sku": f"{sku}-{size or 'OS'}", "size": size,
                "colour": colour, "position": position,
                "barcode": _ean13((i + 1) * 100 + position),
            })
    stock = [(variant["sku"], location.pk, rng.randint(0, 6)) for variant in variants
             for location in locations]
    collections = [
        (slug, name, description, rng.sample(range(PRODUCT_COUNT), rng.randint(12, 20)))
        for slug, name, description in catalog_data.COLLECTIONS
    ]

    # One picture per item type and colour, drawn once (demo.catalog_images) and shared.
    pictures = {picture: ensure_image(*picture, catalog_data.COLOUR_HEX[picture[1]])
                for picture in sorted({spec["_picture"] for spec in products})}
    for spec in products:
        spec["image_url"] = pictures[spec.pop("_picture")]

    existing = set(Product.objects.filter(sku__startswith="AT-").values_list("sku", flat=True))
    Product.objects.bulk_create(
        [Product(**spec) for spec in products if spec["sku"] not in existing], batch_size=500
    )
    product_ids = dict(Product.objects.filter(sku__startswith="AT-").values_list("sku", "pk"))
    pictured = set(ProductImage.objects.filter(product_id__in=product_ids.values())
                   .values_list("product_id", flat=True))
    ProductImage.objects.bulk_create(
        [ProductImage(product_id=product_ids[spec["sku"]], image_url=spec["image_url"], position=0,
                      alt_text=spec["title"])
         for spec in products if product_ids[spec["sku"]] not in pictured], batch_size=500,
    )
    existing = set(
        ProductVariant.objects.filter(sku__startswith="AT-").values_list("sku", flat=True)
    )
    ProductVariant.objects.bulk_create(
        [
            ProductVariant(product_id=product_ids[spec["product_sku"]],
                           **{k: v for k, v in spec.items() if k != "product_sku"})
            for spec in variants if spec["sku"] not in existing
        ],
        batch_size=500,
    )
    variant_ids = dict(
        ProductVariant.objects.filter(sku__startswith="AT-").values_list("sku", "pk")
    )
    StockLevel.objects.bulk_create(
        [StockLevel(variant_id=variant_ids[sku], location_id=location_id, on_hand=on_hand)
         for sku, location_id, on_hand in stock],
        ignore_conflicts=True, batch_size=1000,
    )
    for position, (slug, name, description, indexes) in enumerate(collections):
        collection, _ = Collection.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )
        CollectionItem.objects.bulk_create(
            [CollectionItem(collection=collection, product_id=product_ids[products[i]["sku"]],
                            position=rank) for rank, i in enumerate(indexes)],
            ignore_conflicts=True,
        )

    # The other price lists (EUR for Paris), priced from the US list and rounded the same way.
    price_lists = {currency: {spec["sku"]: _list_price(spec["price"], factor) for spec in products}
                   for currency, factor in catalog_data.PRICE_LISTS}
    ProductPrice.objects.bulk_create(
        [ProductPrice(product_id=product_ids[sku], currency=currency, amount=amount)
         for currency, prices in price_lists.items() for sku, amount in prices.items()],
        ignore_conflicts=True, batch_size=1000,
    )

    # bulk_create skips Product.save(): fill the words search reads.
    catalog_services.product_search_text_refresh(product_ids=product_ids.values())

    variants_by_product = defaultdict(list)
    for spec in variants:
        variants_by_product[spec["product_sku"]].append(variant_ids[spec["sku"]])
    return [
        ProductInfo(product_ids[spec["sku"]], variants_by_product[spec["sku"]],
                    spec["designer"].pk, spec["category"].pk, spec["item_type"].pk,
                    spec["title"], spec["price"],
                    {"USD": spec["price"], **{currency: prices[spec["sku"]]
                                              for currency, prices in price_lists.items()}})
        for spec in products if spec["active"]
    ]


def _list_price(usd: Decimal, factor: str) -> Decimal:
    """A price list's price: the US one times the list's factor, rounded to 5 (50 from 1,000)."""
    raw = usd * Decimal(factor)
    step = 5 if raw < 1000 else 50
    return max(Decimal(step), (raw / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step)
