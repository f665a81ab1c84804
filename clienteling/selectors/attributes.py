"""Which customer attributes a screen shows: the two rules, here and nowhere else.

- Channels. An attribute an admin limited to some channels shows only on those. The
  associates' console is the store channel (`CONSOLE`); customer-facing pages are the web
  channel (the app's screens, the app channel). Writes state their channel as well
  (`services.attribute_values_set(channel=...)`): the console writes as the store, and an
  API write will pass the channel it serves.
- The client book attribute group (Dynamics 365 Commerce), picked once in module settings.
  When set, client book refinement and the card's marked attributes come from that group,
  and a customer's profile shows its attributes only while the customer is in a client
  book; other customers show the standard attributes (every other group's).
"""

from django.db.models import Q

from catalog import reference
from clienteling.models import (
    AttributeGroup,
    ClientBookEntry,
    CustomerAttribute,
    CustomerCardProperty,
    ModuleSettings,
    SalesChannel,
)

CONSOLE = SalesChannel.STORE
CUSTOMER_FACING = SalesChannel.WEB
DISPLAY_ORDER = ("position", "name")


def on_channel(channel: str, *, prefix: str = "") -> Q:
    """Active attributes shown on `channel` (`prefix` reaches them through a relation)."""
    if channel not in SalesChannel.values:
        raise ValueError(f"unknown channel {channel!r}")
    return Q(**{f"{prefix}active": True, f"{prefix}channel_{channel}": True})


def client_book_group_id() -> int | None:
    return ModuleSettings.load().client_book_attribute_group_id


def in_client_book(customer) -> bool:
    """In anyone's client book (books belong to the customer's legal entity)."""
    return ClientBookEntry.objects.filter(customer=customer).exists()


def for_customer(*, channel: str, in_book: bool, prefix: str = "") -> Q:
    """The attributes shown for one customer on `channel`: the client book group's only
    while the customer is in a client book."""
    rule = on_channel(channel, prefix=prefix)
    group = client_book_group_id()
    if group is None or in_book:
        return rule
    return rule & ~Q(**{f"{prefix}group_id": group})


def customer_attributes(*, customer, channel: str) -> list[CustomerAttribute]:
    """The attributes a page on `channel` shows for this customer, with their options, in
    display order: what a customer-facing page reads (the console's profile sections apply
    the same rule to the attributes the admin put in each section)."""
    rule = for_customer(channel=channel, in_book=in_client_book(customer))
    return list(CustomerAttribute.objects.filter(rule).prefetch_related("options")
                .order_by(*DISPLAY_ORDER))


def client_book_refiners() -> Q:
    """Client book refinement: attributes that can be refined, of the client book group if set."""
    group = client_book_group_id()
    rule = on_channel(CONSOLE) & Q(can_be_refined=True)
    return rule if group is None else rule & Q(group_id=group)


CARD_MODELS = (CustomerCardProperty, CustomerAttribute, AttributeGroup)


def card_definition() -> list[dict]:
    """What a customer card may show, in order, before the cut to three: the measures the
    admin pinned, then the attributes (pinned one by one, or marked "show on customer card",
    from the client book group when one is set) in display order. Plain data, cached."""
    group = client_book_group_id()

    def build():
        pins = list(CustomerCardProperty.objects.order_by("position"))
        pinned = {pin.attribute_id for pin in pins if pin.attribute_id}
        marked = Q(show_on_card=True) if group is None else Q(show_on_card=True, group_id=group)
        attributes = (CustomerAttribute.objects.filter(on_channel(CONSOLE))
                      .filter(marked | Q(pk__in=pinned)).order_by(*DISPLAY_ORDER))
        return ([{"measure": pin.measure} for pin in pins if pin.measure]
                + [{"attribute_id": a.pk, "label": a.name, "group_id": a.group_id} for a in attributes])

    return reference.cached(f"customer-card:{group}", CARD_MODELS, build)


def card_for(*, in_book: bool) -> list[dict]:
    """The card's properties for a customer in a client book or not: at most three."""
    group = client_book_group_id()
    shown = [item for item in card_definition()
             if in_book or group is None or item.get("group_id") != group]
    return shown[:CustomerCardProperty.MAX_PROPERTIES]
