"""Finding customers."""

from django.db.models import QuerySet

from clienteling.access import can_see_sensitive, customers_for
from clienteling.filters import search_condition
from clienteling.models import Customer

from .navigation import home_store_for


def customer_search(*, user, query: str = "") -> QuerySet[Customer]:
    """Customers the user may see by name, email or phone (national numbers read in
    the user's store country)."""
    customers = customers_for(user).select_related("primary_salesperson", "home_store")
    query = (query or "").strip()
    if query:
        store = home_store_for(user)
        customers = customers.filter(search_condition(query, region=store.country if store else "",
                                                      sensitive=can_see_sensitive(user)))
    return customers.order_by("last_name", "first_name", "id")
