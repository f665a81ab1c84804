"""What a compact customer card on the phone list shows beyond the grid's own cells."""

from clienteling.models import ClientBookEntry, Customer, CustomerMeasures, CustomerTag

from .books import card_properties

TAGS_SHOWN = 2


def customer_card_facts(*, user, customers: list) -> dict[int, dict]:
    """Per customer of a list page: in the user's own client book, the first tags (and how many
    more), the last purchase, and the card's properties. At most four queries for the page,
    whatever its size (fewer when the grid's columns already loaded tags and measures)."""
    ids = [customer.pk for customer in customers]
    if not ids:
        return {}
    in_book = set(ClientBookEntry.objects.filter(book__owner=user, customer_id__in=ids)
                  .values_list("customer_id", flat=True))
    # The grid's page query prefetched tags and measures when a column shows them: reuse them.
    if all("tags" in getattr(customer, "_prefetched_objects_cache", {}) for customer in customers):
        tags = {customer.pk: sorted(tag.name for tag in customer.tags.all()) for customer in customers}
    else:
        tags: dict[int, list[str]] = {}
        for customer_id, name in (CustomerTag.objects.filter(customer_id__in=ids)
                                  .order_by("tag__name").values_list("customer_id", "tag__name")):
            tags.setdefault(customer_id, []).append(name)
    if all(Customer.measures.is_cached(customer) for customer in customers):
        measures = {customer.pk: customer.measures for customer in customers
                    if getattr(customer, "measures", None) is not None}
    else:
        measures = {m.customer_id: m for m in CustomerMeasures.objects.filter(customer_id__in=ids)}
    properties = card_properties(customers, in_book=True, measures=measures)
    facts = {}
    for customer in customers:
        names = tags.get(customer.pk, [])
        found = measures.get(customer.pk)
        facts[customer.pk] = {
            "in_book": customer.pk in in_book,
            "tags": names[:TAGS_SHOWN],
            "more_tags": max(0, len(names) - TAGS_SHOWN),
            "last_purchase": found.last_purchase_at if found else None,
            "properties": [prop for prop in properties.get(customer.pk, [])
                           if prop["value"] not in (None, "")],
        }
    return facts
