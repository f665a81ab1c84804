"""Finding products: exact SKU/barcode first (a scanner types into the search box), then words.

Word search reads `Product.search_text` (normalized title, designer, category,
item type and SKU). On PostgreSQL every word must start a word of the product
(full-text prefix query on a GIN index, as the associate types), the matches
are ranked by trigram word similarity to the query, and a query that matches
nothing falls back to fuzzy trigram matching (typos). SQLite, the embedded
default, filters with `LIKE '%word%'` and orders by title.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest

from .db import is_postgres
from .models import (
    Collection,
    Product,
    ProductPrice,
    ProductShare,
    ProductVariant,
    StockLevel,
    normalize_search_text,
)

MAX_QUERY = 100
MAX_WORDS = 6
# Ranking reads only the first matches of a very common word ("coat" in a
# 200,000-product catalog), so the search answers in constant time.
RANK_CANDIDATES = 250
_CODE = re.compile(r"^[\w.\-/]{3,64}$")
_DIGITS = re.compile(r"^\d{8,14}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")  # secrets.token_urlsafe alphabet
_TOKEN_SPLIT = re.compile(r"[^0-9a-z]+")  # what may go into a tsquery: nothing else


def barcode_candidates(code: str) -> list[str]:
    """A scanned code in every form it may be stored: UPC-A is EAN-13 with a leading 0."""
    code = code.strip()
    if not _DIGITS.match(code):
        return [code]
    forms = {code}
    if len(code) == 12:
        forms.add("0" + code)
    if len(code) == 13 and code.startswith("0"):
        forms.add(code[1:])
    if len(code) == 14 and code.startswith("0"):
        forms.add(code[1:])
    return sorted(forms)


def _products(queryset=None) -> QuerySet[Product]:
    queryset = Product.objects.all() if queryset is None else queryset
    return queryset.filter(active=True).select_related("designer", "category")


def product_exact_matches(*, code: str, limit: int = 12) -> list[Product]:
    """Products whose SKU or barcode (or a variant's) is exactly `code`.

    A product found through a variant carries it as `matched_variant`, so a scan
    adds the right size straight away.
    """
    code = (code or "").strip()
    if not _CODE.match(code):
        return []
    barcodes = barcode_candidates(code)
    # One round trip to learn whether anything matches (most typed words are not codes).
    by_variant = (ProductVariant.objects.filter(Q(barcode__in=barcodes) | Q(sku__iexact=code),
                                                active=True, product__active=True)
                  .order_by().values_list("product_id", "pk")[:limit])
    by_product = (Product.objects.filter(Q(barcode__in=barcodes) | Q(sku__iexact=code), active=True)
                  .order_by().annotate(variant_id=Value(None, output_field=IntegerField()))
                  .values_list("pk", "variant_id")[:limit])
    if connection.features.supports_slicing_ordering_in_compound:
        hits = list(by_variant.union(by_product, all=True))
    else:  # SQLite: no LIMIT inside a compound SELECT, so two round trips
        hits = [*by_variant, *by_product]
    if not hits:
        return []
    products = _products().in_bulk({product_id for product_id, _ in hits})
    variants = ProductVariant.objects.in_bulk({pk for _, pk in hits if pk})
    found: dict[int, Product] = {}
    # Variant hits first: a scanned size is the most precise answer.
    for product_id, variant_id in sorted(hits, key=lambda hit: hit[1] is None):
        product = products.get(product_id)
        if product is None or product_id in found:
            continue
        product.matched_variant = variants.get(variant_id)
        found[product_id] = product
    return list(found.values())[:limit]


def search_words(query: str) -> list[str]:
    words = normalize_search_text(query[:MAX_QUERY]).split()
    return list(dict.fromkeys(words))[:MAX_WORDS]


class WordsMatch(Func):
    """`to_tsvector('simple', search_text) @@ to_tsquery('simple', <query>)`: the GIN index's expression.

    Written out (not SearchVector, which wraps the column in COALESCE) so it
    matches the index `product_search_words` exactly; the query is a parameter.
    """

    arg_joiner = ") @@ to_tsquery('simple', "
    template = "to_tsvector('simple', %(expressions)s)"
    output_field = BooleanField()


def prefix_tsquery(words: list[str]) -> str:
    """Every word as a prefix (as-you-type), all required: "gold-tone neck" -> gold:* & tone:* & neck:*."""
    tokens = [token for word in words for token in _TOKEN_SPLIT.split(word) if token]
    return " & ".join(f"{token}:*" for token in dict.fromkeys(tokens))


def product_search(*, query: str, limit: int = 12) -> list[Product]:
    """Exact SKU/barcode matches if any, else products matching every word, best first."""
    query = (query or "").strip()[:MAX_QUERY]
    if not query:
        return []
    exact = product_exact_matches(code=query, limit=limit)
    if exact:
        return exact
    words = search_words(query)
    if not any(len(word) >= 3 for word in words):
        # One or two letters match half the catalog and no index helps: ask for more.
        return []
    if not is_postgres():
        matches = _products()
        for word in words:
            matches = matches.filter(search_text__contains=word)
        return _without_variant(matches.order_by("title", "pk")[:limit])
    normalized = " ".join(words)
    tsquery = prefix_tsquery(words)
    # Words first (full-text GIN: one posting list per word, fast even for "leather"),
    # then rank those candidates by trigram similarity to the whole query. No ORDER BY
    # in the candidates: sorting by title would walk the title index instead.
    words_match = Product.objects.filter(WordsMatch(F("search_text"), Value(tsquery)), active=True)
    found = _ranked(words_match, normalized, limit) if tsquery else []
    if found:
        return found
    # Nothing has every word: let each word match a close spelling ("cashmre" -> "cashmere").
    fuzzy = Product.objects.filter(active=True)
    for word in words:
        fuzzy = fuzzy.filter(search_text__trigram_word_similar=word)
    return _ranked(fuzzy, normalized, limit)


def _ranked(matches: QuerySet[Product], normalized: str, limit: int) -> list[Product]:
    """The best `limit` of the first RANK_CANDIDATES matches, with designer and category."""
    from django.contrib.postgres.search import TrigramWordSimilarity

    candidates = matches.order_by().values("pk")[:RANK_CANDIDATES]
    # Rank on the bare table in a subquery; only the winners are joined to their
    # designer and category (and ranked again, which costs nothing for a dozen rows).
    winners = (Product.objects.filter(pk__in=candidates)
               .annotate(rank=TrigramWordSimilarity(normalized, "search_text"))
               .order_by("-rank", "title", "pk").values("pk")[:limit])
    return _without_variant(
        _products().filter(pk__in=winners)
        .annotate(rank=TrigramWordSimilarity(normalized, "search_text"))
        .order_by("-rank", "title", "pk")
    )


def _without_variant(products: Iterable[Product]) -> list[Product]:
    products = list(products)
    for product in products:
        product.matched_variant = None
    return products


@dataclass
class PriceBook:
    """The prices of some products in one currency: one query, then lookups.

    A variant's price in the currency is, in order:
    1. the product's own currency: the variant's price override, else the product's price;
    2. a price set for the variant in that currency;
    3. the product's price in that currency, unless the variant has a price override of its
       own (a larger size that costs more must not silently sell at the product's price);
    4. none: the item cannot be sold in that currency yet.
    """

    currency: str
    by_product: dict[int, Decimal] = field(default_factory=dict)
    by_variant: dict[int, Decimal] = field(default_factory=dict)

    def product_price(self, product: Product) -> Decimal | None:
        if product.currency.upper() == self.currency:
            return product.price
        return self.by_product.get(product.pk)

    def variant_price(self, variant: ProductVariant, product: Product | None = None) -> Decimal | None:
        product = product or variant.product
        if product.currency.upper() == self.currency:
            return variant.price_override if variant.price_override is not None else product.price
        if variant.pk in self.by_variant:
            return self.by_variant[variant.pk]
        if variant.price_override is None:
            return self.by_product.get(product.pk)
        return None


def prices_in(*, currency: str, products: Iterable[Product]) -> PriceBook:
    """The prices of these products (and their variants) in `currency`; no query when they are all
    priced in it already."""
    currency = (currency or "").upper()
    book = PriceBook(currency=currency)
    others = {product.pk for product in products if product.currency.upper() != currency}
    if not others or not currency:
        return book
    for product_id, variant_id, amount in ProductPrice.objects.filter(
            product_id__in=others, currency=currency).values_list("product_id", "variant_id", "amount"):
        if variant_id is None:
            book.by_product[product_id] = amount
        else:
            book.by_variant[variant_id] = amount
    return book


def variant_price_in(*, variant: ProductVariant, currency: str) -> Decimal | None:
    """One variant's price in a currency (None: it has none), by PriceBook's rules."""
    return prices_in(currency=currency, products=[variant.product]).variant_price(variant)


def products_with_variants(*, product_ids: Iterable[int]) -> list[Product]:
    """Active products (in the given order) with their active variants prefetched."""
    ids = list(dict.fromkeys(product_ids))
    products = {
        product.pk: product
        for product in _products().filter(pk__in=ids).prefetch_related(
            Prefetch("variants", queryset=ProductVariant.objects.filter(active=True),
                     to_attr="active_variants"),
            "images",
        )
    }
    return [products[pk] for pk in ids if pk in products]


def product_detail(*, product_id) -> Product | None:
    try:
        product_id = int(product_id)
    except (TypeError, ValueError):
        return None
    found = products_with_variants(product_ids=[product_id])
    return found[0] if found else None


def available_to_promise(*, variant_ids: Iterable[int],
                         location_ids: Iterable[int]) -> dict[int, dict[int, int]]:
    """variant id -> {location id -> units that can be promised} (missing rows are 0)."""
    variant_ids, location_ids = list(set(variant_ids)), [pk for pk in set(location_ids) if pk]
    stock: dict[int, dict[int, int]] = defaultdict(dict)
    if not variant_ids or not location_ids:
        return stock
    rows = StockLevel.objects.filter(variant_id__in=variant_ids, location_id__in=location_ids)
    for variant_id, location_id, on_hand, reserved in rows.values_list(
            "variant_id", "location_id", "on_hand", "reserved"):
        stock[variant_id][location_id] = max(on_hand - reserved, 0)
    return stock


def active_variants_with_stock(*, product_ids: Iterable[int],
                               locations: dict[str, int | None]) -> dict[int, list[ProductVariant]]:
    """product id -> its active variants, each with an attribute per named location holding the
    units it can promise there (None where there is no location). One query."""
    annotations = {}
    for name, location_id in locations.items():
        if location_id:
            level = (StockLevel.objects.filter(variant_id=OuterRef("pk"), location_id=location_id)
                     .annotate(atp=Greatest(F("on_hand") - F("reserved"), Value(0)))
                     .values("atp")[:1])
            annotations[name] = Coalesce(Subquery(level), Value(0))
        else:
            annotations[name] = Value(None, output_field=IntegerField())
    grouped: dict[int, list[ProductVariant]] = defaultdict(list)
    for variant in (ProductVariant.objects.filter(product_id__in=list(product_ids), active=True)
                    .annotate(**annotations).order_by("position", "pk")):
        grouped[variant.product_id].append(variant)
    return grouped


def collections_for_sharing() -> list[Collection]:
    return list(
        Collection.objects.filter(active=True)
        .annotate(product_count=Count("items", filter=Q(items__product__active=True)))
        .filter(product_count__gt=0)
        .order_by("position", "name")
    )


def collection_product_ids(*, collection: Collection, limit: int = 60) -> list[int]:
    return list(collection.items.filter(product__active=True).order_by("position", "id")
                .values_list("product_id", flat=True)[:limit])


def shared_page(*, token: str) -> dict | None:
    """What a public share link shows: products only, never who it was shared with."""
    if not _TOKEN.match(token or ""):
        return None
    share = (ProductShare.objects.select_related("product__designer", "collection")
             .filter(token=token).first())
    if share is None:
        return None
    if share.kind == ProductShare.Kind.PRODUCT:
        ids = [share.product_id]
        title = share.product.title
    elif share.kind == ProductShare.Kind.COLLECTION:
        active = share.collection.active
        ids = collection_product_ids(collection=share.collection) if active else []
        title = share.collection.name if active else ""
    else:
        ids = list(share.products.order_by("title").values_list("pk", flat=True))
        title = ""
    products = products_with_variants(product_ids=ids)
    # Shares made before prices per currency show each product in its own currency.
    book = prices_in(currency=share.currency, products=products) if share.currency else None
    for product in products:
        product.shown_currency = share.currency or product.currency
        product.shown_price = book.product_price(product) if book else product.price
    return {"share": share, "title": title, "products": products,
            "description": share.collection.description if share.collection_id else ""}
