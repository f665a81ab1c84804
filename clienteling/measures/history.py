"""Orders and preferences of a batch of customers, each read in one grouped query."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Field, ForeignObject, Lookup, Max, Sum

from clienteling.models import SaleLine

PREFERRED_TOP = 3


class AnyOf(Lookup):
    """`field__any_of=ids`: one array parameter on PostgreSQL (`= ANY(%s)`), a plain IN elsewhere.

    A refresh chunk names 5,000 customers in five queries: as 25,000 parameters Django spent
    longer preparing them than PostgreSQL spent answering.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = [int(value) for value in self.rhs]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, values]
        if not values:
            return "1 = 0", list(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)  # relations look their lookups up on their own classes


@dataclass
class Orders:
    """A customer's receipts, oldest first: day numbers (proleptic ordinal) and net amounts."""

    days: list[int] = field(default_factory=list)
    amounts: list[float] = field(default_factory=list)


def orders_of(ids: list[int]) -> dict[int, Orders]:
    """Receipts by customer, without layaway payments (money on account, not a purchase).

    A receipt's amount is net of its returns; a receipt whose net is not positive (a return
    on its own) is not an order.
    """
    rows = (SaleLine.objects.filter(customer_id__any_of=ids)
            .exclude(kind=SaleLine.Kind.LAYAWAY_PAYMENT)
            .values_list("customer_id", "sale_id")
            .annotate(at=Max("sold_at"), amount=Sum("amount"))
            .order_by())
    found: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for customer_id, _sale_id, at, amount in rows:
        if amount is not None and amount > 0:
            found[customer_id].append((at.toordinal(), float(amount)))
    orders = {}
    for customer_id, receipts in found.items():
        receipts.sort()
        orders[customer_id] = Orders([d for d, _a in receipts], [a for _d, a in receipts])
    return orders


def preferences_of(ids: list[int]) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Top designers and categories by goods spend per customer (ids, best first)."""
    result = []
    for column in ("designer_id", "category_id"):
        rows = (SaleLine.objects.filter(customer_id__any_of=ids, kind=SaleLine.Kind.GOODS,
                                        **{f"{column}__isnull": False})
                .values_list("customer_id", column).annotate(spent=Sum("amount")).order_by())
        ranked: dict[int, list[tuple[float, int]]] = defaultdict(list)
        for customer_id, key, spent in rows:
            ranked[customer_id].append((-float(spent or 0), key))
        result.append({pk: [key for _s, key in sorted(items)[:PREFERRED_TOP]]
                       for pk, items in ranked.items()})
    return result[0], result[1]
