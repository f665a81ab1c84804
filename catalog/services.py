"""Catalog writes: public share links, the search words, stock movements."""

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from .models import Collection, Product, ProductShare, StockLevel, product_search_text
from .registry import share_currency_for

MAX_LIST_PRODUCTS = 30


def _share_currency(currency: str, created_by) -> str:
    """The currency the page shows prices in: the caller's store's, else the sharer's store's."""
    return (currency or share_currency_for(created_by) or "").upper()[:3]


def product_share_create(*, product: Product, created_by, expires_at: datetime | None = None,
                         currency: str = "") -> ProductShare:
    return ProductShare.objects.create(kind=ProductShare.Kind.PRODUCT, product=product,
                                       created_by=created_by, expires_at=expires_at,
                                       currency=_share_currency(currency, created_by))


def collection_share_create(*, collection: Collection, created_by,
                            expires_at: datetime | None = None, currency: str = "") -> ProductShare:
    return ProductShare.objects.create(kind=ProductShare.Kind.COLLECTION, collection=collection,
                                       created_by=created_by, expires_at=expires_at,
                                       currency=_share_currency(currency, created_by))


@transaction.atomic
def product_list_share_create(*, products: list[Product], created_by,
                              expires_at: datetime | None = None, currency: str = "") -> ProductShare:
    products = list(dict.fromkeys(products))
    if not products:
        raise ValidationError(_("Choose at least one product to share."))
    if len(products) > MAX_LIST_PRODUCTS:
        raise ValidationError(_("A list holds at most %(n)s products.") % {"n": MAX_LIST_PRODUCTS})
    share = ProductShare.objects.create(kind=ProductShare.Kind.PRODUCT_LIST, created_by=created_by,
                                        expires_at=expires_at,
                                        currency=_share_currency(currency, created_by))
    share.products.set(products)
    return share


def product_search_text_refresh(*, product_ids: Iterable[int] | None = None,
                                batch_size: int = 2000) -> int:
    """Recompute Product.search_text after bulk writes or a designer/category rename."""
    products = Product.objects.order_by("pk")
    if product_ids is not None:
        products = products.filter(pk__in=list(product_ids))
    rows = products.values_list("pk", "title", "designer__name", "category__name",
                                "item_type__name", "sku", "search_text")
    changed, done = [], 0
    for pk, *parts, current in rows.iterator(chunk_size=batch_size):
        text = product_search_text(*parts)
        if text != current:
            changed.append(Product(pk=pk, search_text=text))
        if len(changed) >= batch_size:
            done += Product.objects.bulk_update(changed, ["search_text"])
            changed = []
    if changed:
        done += Product.objects.bulk_update(changed, ["search_text"])
    return done


def stock_decrement(*, variant_id: int, location_id: int, quantity: int) -> None:
    """Units left a location (a remote cart was paid). Stock may go negative: it is recorded."""
    updated = StockLevel.objects.filter(variant_id=variant_id, location_id=location_id).update(
        on_hand=F("on_hand") - quantity)
    if not updated:
        StockLevel.objects.get_or_create(variant_id=variant_id, location_id=location_id,
                                         defaults={"on_hand": -quantity})


# Bulk upsert of products (catalog.services.ingest.products_upsert), for the imports and the API.
from catalog import ingest  # noqa: E402, F401
