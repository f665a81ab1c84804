"""Finding customers."""

from django.db.models import Q, QuerySet

from clienteling.access import customers_for
from clienteling.models import Customer


def customer_search(*, user, query: str = "") -> QuerySet[Customer]:
    customers = customers_for(user).select_related("primary_salesperson", "home_store")
    query = (query or "").strip()
    if query:
        condition = Q(first_name__icontains=query) | Q(last_name__icontains=query)
        if "@" in query:
            condition |= Q(email__iexact=query)
        digits = "".join(ch for ch in query if ch.isdigit())
        if len(digits) >= 4:
            condition |= Q(phone__endswith=digits[-10:])
        customers = customers.filter(condition)
    return customers.order_by("last_name", "first_name", "id")
