"""Customers' home store, set from the profile or in bulk from the list."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from clienteling.models import AuditAction, Customer, Store

from .audit import audit_record


@transaction.atomic
def customers_store_assign(*, customer_ids: Iterable[int], store: Store, assigned_by,
                           request=None) -> int:
    """Make `store` the home store of these customers; returns how many moved.

    Only customers of the store's legal entity move (the caller has checked that the user
    may act for the store); those already there are left as they are.
    """
    ids = list(Customer.objects.filter(pk__in=list(customer_ids), legal_entity_id=store.legal_entity_id)
               .exclude(home_store=store).values_list("pk", flat=True))
    if not ids:
        return 0
    Customer.objects.filter(pk__in=ids).update(home_store=store, updated_at=timezone.now())
    audit_record(action=AuditAction.REASSIGN, actor=assigned_by, request=request,
                 customer=ids[0] if len(ids) == 1 else None, target=f"to store {store.pk}",
                 detail={"home_store": store.pk, "customers": len(ids)})
    return len(ids)
