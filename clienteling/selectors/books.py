"""Client books: my book, the store client book and the customer cards."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from clienteling.access import customers_for, staff_profile, stores_for
from clienteling.filters import store_book_owner_ids
from clienteling.measures.display import measure_display
from clienteling.models import (
    ClientBook,
    ClientBookEntry,
    CustomerAttributeValue,
    CustomerCardProperty,
    CustomerMeasures,
    StaffProfile,
)

from .attributes import card_for

User = get_user_model()


def my_book_customers(*, user) -> QuerySet:
    return customers_for(user).filter(
        Exists(ClientBookEntry.objects.filter(customer=OuterRef("pk"), book__owner=user)))


def store_book_customers(*, user, owner_id: int | None = None) -> QuerySet:
    owners = store_book_owner_ids(user)
    entries = ClientBookEntry.objects.filter(customer=OuterRef("pk"), book__owner__in=owners)
    if owner_id:
        entries = entries.filter(book__owner_id=owner_id)
    return customers_for(user).filter(Exists(entries))


def store_book_owners(*, user) -> list:
    """Whose books make the store client book; `has_left` marks deactivated staff and
    `book_number` is their book's identifier in the user's legal entity.

    Leavers come last, so a manager moving their customers finds them at once.
    """
    left = Q(is_active=False) | Q(staff_profile__active=False)
    books = ClientBook.objects.filter(owner=OuterRef("pk"))
    profile = staff_profile(user)
    if profile is not None:
        books = books.filter(legal_entity_id=profile.legal_entity_id)
    return list(
        User.objects.filter(pk__in=store_book_owner_ids(user))
        .annotate(has_left=Case(When(left, then=Value(True)), default=Value(False),
                                output_field=BooleanField()),
                  book_number=Subquery(books.order_by("pk").values("number")[:1]))
        .order_by("has_left", "first_name", "last_name", "pk")
    )


def own_book_number(*, user) -> str:
    """The identifier of the user's own client book ("" before they have one)."""
    profile = staff_profile(user)
    if profile is None:
        return ""
    return (ClientBook.objects.filter(owner=user, legal_entity_id=profile.legal_entity_id)
            .values_list("number", flat=True).first() or "")


def store_book_by_number(*, user, number: str) -> ClientBook | None:
    """A book of the store client book found by its identifier (any case, spaces trimmed)."""
    number = (number or "").strip()
    if not number or len(number) > ClientBook._meta.get_field("number").max_length:
        return None
    return (ClientBook.objects.filter(number__iexact=number, owner__in=store_book_owner_ids(user))
            .first())


def reassign_targets(*, user) -> list:
    """Active associates and managers of the user's stores who can take customers over."""
    return list(User.objects.filter(is_active=True, staff_profile__active=True,
                                    staff_profile__stores__in=stores_for(user),
                                    staff_profile__role__in=[StaffProfile.Role.ASSOCIATE,
                                                             StaffProfile.Role.STORE_MANAGER])
                .distinct().order_by("first_name", "last_name", "pk"))


def book_owners_by_customer(customer_ids: list[int], owners: list) -> dict[int, list[dict]]:
    """Per customer, whose books they are in: [{"name", "has_left"}], in the owners' order."""
    by_id = {owner.pk: owner for owner in owners}
    found: dict[int, list] = {}
    entries = (ClientBookEntry.objects.filter(customer_id__in=customer_ids,
                                              book__owner_id__in=list(by_id))
               .values_list("customer_id", "book__owner_id"))
    for customer_id, owner_id in entries:
        found.setdefault(customer_id, []).append(by_id[owner_id])
    order = {owner.pk: index for index, owner in enumerate(owners)}
    return {customer_id: [{"name": owner.get_full_name() or owner.username,
                           "has_left": owner.has_left}
                          for owner in sorted(people, key=lambda o: order[o.pk])]
            for customer_id, people in found.items()}


def _display(value) -> str:
    if isinstance(value, Decimal):  # 38.5, not 38.5000
        return str(value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize())
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _measure_kind(measure: str) -> str:
    if "sales" in measure or "spend" in measure or measure == "average_order_value":
        return "money"
    return "date" if measure.endswith("_at") else "text"


def _measure_value(measure: str, value):
    """Churn risk (0 to 1) reads as a percentage in the user's number format; the segment
    by its name, the next purchase window as two dates (clienteling.measures.display)."""
    if measure == "churn_risk" and value is not None:
        percent = (Decimal(value) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return _("%(percent)s%%") % {"percent": number_format(percent, 0)}
    return measure_display(measure, value)


def card_properties(customers: list, *, in_book: bool = True, values: dict | None = None,
                    measures: dict | None = None) -> dict[int, list[dict]]:
    """Up to three properties per card: the pinned measures, then attributes in display order.

    Client books show customers who are in one (`in_book`); the profile passes its own
    answer, and the customer's attribute values and measures it already loaded
    (`values` by (customer id, attribute id), `measures` by customer id), so the header's
    card costs no query of its own.
    """
    ordered = card_for(in_book=in_book)
    attribute_ids = [p["attribute_id"] for p in ordered if "attribute_id" in p]
    # Measures in one query, whether or not the list joined them (no query per card).
    if measures is None:
        measures = {}
        if customers and any("measure" in p for p in ordered):
            measures = {m.customer_id: m for m in CustomerMeasures.objects.filter(customer__in=customers)}
    if values is None:
        values = {}
        if attribute_ids and customers:
            for value in (CustomerAttributeValue.objects
                          .filter(customer__in=customers, attribute_id__in=attribute_ids)
                          .select_related("option").order_by("option__position", "id")):
                values.setdefault((value.customer_id, value.attribute_id), []).append(value.value)
    cards = {}
    for customer in customers:
        cells = []
        for prop in ordered:
            if "measure" in prop:
                measure = prop["measure"]
                value = getattr(measures.get(customer.pk), measure, None)
                cells.append({"label": CustomerCardProperty.Measure(measure).label,
                              "value": _measure_value(measure, value), "kind": _measure_kind(measure)})
            else:
                found = [_display(v) for v in values.get((customer.pk, prop["attribute_id"]), [])]
                cells.append({"label": prop["label"], "value": ", ".join(found) if found else None,
                              "kind": "text"})
        cards[customer.pk] = cells
    return cards
