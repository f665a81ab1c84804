"""What the purchase-history filters offer to pick."""

from django.db.models import Q

from catalog.models import Product, ProductVariant

SUGGESTIONS = 10


def sku_suggestions(*, user, term: str) -> list[tuple[str, str]]:
    """(SKU, label) of active products and variants whose SKU starts with `term` or whose title
    holds it; the catalog is shared, so any user who may filter the list may see it."""
    term = term.strip()
    if len(term) < 2:
        return []
    products = (Product.objects.filter(Q(sku__istartswith=term) | Q(title__icontains=term), active=True)
                .order_by("title", "sku").values_list("sku", "title")[:SUGGESTIONS])
    variants = (ProductVariant.objects.filter(Q(sku__istartswith=term) | Q(product__title__icontains=term),
                                              active=True, product__active=True)
                .exclude(sku__in=[sku for sku, _title in products])
                .order_by("product__title", "sku")
                .values_list("sku", "product__title", "size", "colour")[:SUGGESTIONS])
    found = [(sku, f"{title} ({sku})") for sku, title in products]
    found += [(sku, f"{title} {' '.join(part for part in (size, colour) if part)} ({sku})".replace("  ", " "))
              for sku, title, size, colour in variants]
    return found[:SUGGESTIONS]
