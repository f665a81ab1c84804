"""API reads, scoped to the key's legal entity."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from carts.models import Cart, CartLine
from catalog.replica import heavy_reads
from clienteling.models import Customer
from clienteling.paging import Page, SortKey, keyset_page
from clienteling.selectors.lists import CustomerList, customer_list
from conversations.models import Conversation, Message

from .models import WebhookDelivery

__all__ = ["api_carts_page", "api_conversation", "api_customer", "api_customer_conversations",
           "api_customer_list", "api_deliveries_page", "api_messages_page"]

# Filters that name the caller (my customers, my book) mean nothing to an integration.
PERSONAL_FILTERS = frozenset({"scope"})
MESSAGE_KEYS = [SortKey("created_at", True), SortKey("id", True)]
CART_KEYS = [SortKey("id", True)]


def customers_of(legal_entity) -> QuerySet[Customer]:
    return Customer.objects.filter(legal_entity=legal_entity, erased_at__isnull=True)


def _id(value) -> int:
    """An id from the URL; anything else (or an id no row can have) is 404."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < number < 2 ** 63:
        raise Http404
    return number


def api_customer(*, legal_entity, customer_id) -> Customer:
    customer = customers_of(legal_entity).filter(pk=_id(customer_id)).first()
    if customer is None:
        raise Http404
    return customer


def api_customer_list(*, legal_entity, params, size: int) -> CustomerList:
    """A keyset page of the key's customers through the console list's own selector: the same
    filters, sorts and query plans (a search finds its matches first); no count."""
    data = params.copy()
    for name in PERSONAL_FILTERS:
        data.pop(name, None)
    data["size"] = str(size)
    with heavy_reads():
        return customer_list(user=AnonymousUser(), params=data, base=customers_of(legal_entity),
                             columns=[], count_budget_ms=0)


def api_customer_conversations(*, customer: Customer, limit: int = 100) -> list[Conversation]:
    return list(Conversation.objects.filter(customer=customer).order_by("-created_at", "-id")[:limit])


def api_conversation(*, legal_entity, conversation_id) -> Conversation:
    conversation = Conversation.objects.filter(
        pk=_id(conversation_id), customer__legal_entity=legal_entity, customer__erased_at__isnull=True,
    ).first()
    if conversation is None:
        raise Http404
    return conversation


def api_messages_page(*, conversation: Conversation, cursor: str | None, size: int) -> Page:
    return keyset_page(Message.objects.filter(conversation=conversation), MESSAGE_KEYS,
                       cursor=cursor, size=size)


def api_carts_page(*, legal_entity, customer_id: int | None, status: str | None, cursor: str | None,
                   size: int) -> Page:
    carts = Cart.objects.filter(customer__legal_entity=legal_entity, customer__erased_at__isnull=True)
    if customer_id is not None:
        carts = carts.filter(customer_id=customer_id)
    if status:
        carts = carts.filter(status=status)
    carts = carts.prefetch_related(Prefetch(
        "lines", queryset=CartLine.objects.select_related("variant").order_by("position", "id")))
    return keyset_page(carts, CART_KEYS, cursor=cursor, size=size)


def api_deliveries_page(*, legal_entity, status: str | None, cursor: str | None, size: int) -> Page:
    deliveries = WebhookDelivery.objects.filter(endpoint__legal_entity=legal_entity)
    if status:
        deliveries = deliveries.filter(status=status)
    return keyset_page(deliveries, CART_KEYS, cursor=cursor, size=size)
