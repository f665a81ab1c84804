"""The customer profile as the admin laid it out, masked for the viewer.

Every section's data is loaded once per kind, only for the kinds the admin
enabled, with its related rows joined or prefetched: the page runs a fixed
number of queries whatever the customer's history holds.
"""

import functools
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils import timezone

from catalog.selectors import prices_in
from clienteling.access import MASKED, can_see_sensitive, mask_email, mask_phone, stores_for
from clienteling.dates import store_today
from clienteling.models import (
    ActivityType,
    Channel,
    ClientBookEntry,
    ConsentState,
    Customer,
    CustomerAttribute,
    CustomerAttributeValue,
    Note,
    ProfileSection,
    ProfileSectionAttribute,
    Sale,
    SaleLine,
    StaffProfile,
    Tag,
    Task,
)
from clienteling.registry import profile_sections

from .attributes import CONSOLE, card_for, client_book_group_id, in_client_book, on_channel
from .books import card_properties
from .measures import measures_section, profile_header
from .navigation import home_store_for

TIMELINE_SIZE = 30
NOTES_SHOWN = 30
OPEN_TASKS_SHOWN = 50
DONE_TASKS_SHOWN = 10
SALES_SHOWN = 20
WISHLIST_SHOWN = 25
CONSENT_CHANGES_SHOWN = 20
# Kinds that fit half the width on a large screen; the rest (and every kind
# another app registers) take the full width.
HALF_WIDTH_KINDS = frozenset({"contact", "attributes", "tasks", "notes", "measures"})


def contact_for(customer: Customer, *, sensitive: bool) -> dict:
    """Contact details as plain data, masked for users without the permission."""
    if sensitive:
        return {
            "email": customer.email,
            "phone": customer.phone.as_international if customer.phone else "",
            "birth_date": customer.birth_date,
            "anniversary": customer.anniversary,
            "partner_birth_date": customer.partner_birth_date,
            "address": ", ".join(
                part for part in (customer.address_line1, customer.address_line2, customer.city,
                                  customer.state, customer.zip_code, customer.country) if part
            ),
            "masked": False,
        }
    return {
        "email": mask_email(customer.email),
        "phone": mask_phone(customer.phone),
        "birth_date": MASKED if customer.birth_date else None,
        "anniversary": MASKED if customer.anniversary else None,
        "partner_birth_date": MASKED if customer.partner_birth_date else None,
        "address": MASKED if customer.address_line1 or customer.city else "",
        "masked": True,
    }


@dataclass(frozen=True)
class ProfileRights:
    """What the viewer may do on this profile; templates read these, never perms."""

    edit: bool
    edit_sensitive: bool
    add_to_book: bool
    remove_from_book: bool
    assign_store: bool = False


def profile_rights(user) -> ProfileRights:
    return ProfileRights(
        # Anyone who may open the profile keeps it current: notes, follow-ups,
        # activities, non-sensitive contact details, attributes and tags.
        edit=user.has_perm("clienteling.view_customer_profile"),
        edit_sensitive=can_see_sensitive(user),
        add_to_book=user.has_perm("clienteling.add_to_client_book"),
        remove_from_book=user.has_perm("clienteling.remove_from_client_book"),
        assign_store=user.has_perm("clienteling.assign_customer"),
    )


def profile_clock(user) -> tuple[tzinfo, date]:
    """The viewer's store time zone and today in it (UTC without a store)."""
    store = home_store_for(user)
    if store is None:
        utc = zoneinfo.ZoneInfo("UTC")
        return utc, timezone.now().astimezone(utc).date()
    return store.tzinfo, store_today(store)


def _display_value(value):
    """A stored attribute value as shown: option labels, decimals without trailing zeros."""
    if isinstance(value, Decimal):
        return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
    if hasattr(value, "label"):
        return value.label
    return value


class _ProfileData:
    """Loads each section kind's data once, for the sections on this profile."""

    def __init__(self, *, user, customer: Customer, tz: tzinfo, today: date,
                 in_book: bool | None = None):
        self.user, self.customer, self.tz, self.today = user, customer, tz, today
        self._cache: dict[str, dict] = {}
        self._attribute_values: dict[int, list] | None = None
        self._in_book = in_book

    @property
    def in_book(self) -> bool:
        """Whether the customer is in anyone's client book; asked of the database only when
        a client book attribute group makes it matter (without one, nothing reads it)."""
        if self._in_book is None:
            self._in_book = client_book_group_id() is not None and in_client_book(self.customer)
        return self._in_book

    def _loaded(self, kind: str) -> dict:
        if kind not in self._cache:
            self._cache[kind] = getattr(self, f"kind_{kind}")()
        return self._cache[kind]

    def attribute_values(self) -> dict[int, list]:
        """All the customer's stored values by attribute id, read once for sections and card."""
        if self._attribute_values is None:
            self._attribute_values = {}
            for value in (
                CustomerAttributeValue.objects.filter(customer=self.customer)
                .select_related("option").order_by("option__position", "id")
            ):
                self._attribute_values.setdefault(value.attribute_id, []).append(value.value)
        return self._attribute_values

    def card(self) -> list[dict]:
        """The customer card's properties for the header, from what the sections loaded."""
        ordered = card_for(in_book=self.in_book)
        values, measures = {}, {}
        if any("attribute_id" in item for item in ordered):
            values = {(self.customer.pk, pk): found for pk, found in self.attribute_values().items()}
        if any("measure" in item for item in ordered):
            row = self._loaded("measures")["measures"]
            measures = {self.customer.pk: row} if row else {}
        return card_properties([self.customer], in_book=self.in_book, values=values,
                               measures=measures)[self.customer.pk]

    def section(self, section: ProfileSection, kind) -> dict:
        item = {"section": section, "kind": kind, "wide": kind.key not in HALF_WIDTH_KINDS}
        if kind.shows_attributes:
            item["attributes"] = self.attributes(section)
        if hasattr(self, f"kind_{kind.key}"):
            item.update(self._loaded(kind.key))
        if kind.context:
            item.update(kind.context(user=self.user, customer=self.customer, section=section))
        return item

    def attributes(self, section: ProfileSection) -> list[dict]:
        values = self.attribute_values()
        return [
            {"attribute": item.attribute, "name": item.attribute.name,
             "data_type": item.attribute.data_type,
             "customer_editable": item.attribute.customer_editable,
             "values": [_display_value(v) for v in values.get(item.attribute_id, [])]}
            for item in section.section_attributes.all()
            if _shown_for(item.attribute, in_book=lambda: self.in_book)
        ]

    def kind_activities(self) -> dict:
        return {"timeline": customer_timeline(customer=self.customer, tz=self.tz, today=self.today)}

    def kind_notes(self) -> dict:
        notes = self.customer.notes.select_related("author").order_by("-pinned", "-created_at", "-id")
        return {"notes": [
            {"note": note, "author": _person(note.author),
             "can_edit": note.author_id is not None and note.author_id == self.user.pk,
             "edited": note.updated_at - note.created_at > timedelta(seconds=5)}
            for note in notes[:NOTES_SHOWN]
        ]}

    def kind_tasks(self) -> dict:
        open_tasks = (
            self.customer.tasks.filter(completed_at__isnull=True)
            .select_related("assignee").order_by("due_on", "id")[:OPEN_TASKS_SHOWN]
        )
        done_tasks = (
            self.customer.tasks.filter(completed_at__isnull=False)
            .select_related("assignee", "completed_by").order_by("-completed_at", "-id")
            [:DONE_TASKS_SHOWN]
        )
        return {
            "open_tasks": [
                {"task": task, "assignee": _person(task.assignee),
                 "overdue": task.due_on < self.today, "due_today": task.due_on == self.today}
                for task in open_tasks
            ],
            "done_tasks": [
                {"task": task, "assignee": _person(task.assignee),
                 "completed_by": _person(task.completed_by)}
                for task in done_tasks
            ],
        }

    def kind_purchase_history(self) -> dict:
        sales = list(
            Sale.objects.filter(customer=self.customer)
            .select_related("store", "salesperson")
            .prefetch_related(
                Prefetch("lines", queryset=SaleLine.objects.select_related("designer").order_by("id"))
            )
            .order_by("-sold_at", "-id")[:SALES_SHOWN + 1]
        )
        return {
            "sales": [
                {"sale": sale, "salesperson": _person(sale.salesperson), "lines": list(sale.lines.all())}
                for sale in sales[:SALES_SHOWN]
            ],
            "more_sales": len(sales) > SALES_SHOWN,
        }

    def kind_wishlist(self) -> dict:
        items = list(
            self.customer.wishlist_items.filter(active=True).select_related("product")[:WISHLIST_SHOWN])
        # Priced as the viewer would sell it: in their store's currency.
        store = home_store_for(self.user)
        currency = store.currency if store else ""
        book = prices_in(currency=currency, products=[item.product for item in items]) if currency else None
        return {"wishlist": [
            {"item": item, "product": item.product,
             "price": book.product_price(item.product) if book else item.product.price,
             "currency": currency or item.product.currency}
            for item in items
        ]}

    def kind_measures(self) -> dict:
        return measures_section(customer=self.customer)

    def kind_contact(self) -> dict:
        """Consent on each channel as it stands, and the latest changes that made it so."""
        current = {consent.channel: consent for consent in self.customer.consents.all()}
        consents = [{"channel": label, "state": current[channel].get_state_display(),
                     "code": current[channel].state, "since": current[channel].changed_at}
                    if channel in current else
                    {"channel": label, "state": ConsentState.UNKNOWN.label, "code": ConsentState.UNKNOWN,
                     "since": None}
                    for channel, label in Channel.choices]
        changes = (self.customer.consent_changes.select_related("changed_by")
                   .order_by("-changed_at", "-id")[:CONSENT_CHANGES_SHOWN])
        history = [{"at": change.changed_at, "channel": change.get_channel_display(),
                    "state": change.get_state_display(), "source": change.get_source_display(),
                    "detail": change.detail, "by": _person(change.changed_by)} for change in changes]
        return {"consents": consents, "consent_history": history}


def _shown_for(attribute: CustomerAttribute, *, in_book) -> bool:
    """Dynamics' rule: the client book group's attributes only for customers in a client book."""
    group = client_book_group_id()
    return group is None or attribute.group_id != group or in_book()


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def customer_timeline(*, customer: Customer, tz: tzinfo, today: date,
                      before: datetime | None = None, size: int = TIMELINE_SIZE) -> dict:
    """Activities and notes, newest first, grouped by day in the viewer's store zone."""
    activities = customer.activities.select_related("activity_type", "actor").order_by(
        "-occurred_at", "-id"
    )
    notes = customer.notes.select_related("author").order_by("-created_at", "-id")
    if before is not None:
        activities = activities.filter(occurred_at__lt=before)
        notes = notes.filter(created_at__lt=before)
    entries = [
        {"kind": "activity", "at": a.occurred_at, "icon": a.activity_type.icon,
         "label": a.activity_type.shown_name, "summary": a.shown_summary, "details": a.details,
         "actor": _person(a.actor)}
        for a in activities[:size + 1]
    ] + [
        {"kind": "note", "at": n.created_at, "icon": "journal-text", "label": None,
         "summary": "", "details": n.body, "actor": _person(n.author)}
        for n in notes[:size + 1]
    ]
    entries.sort(key=lambda entry: entry["at"], reverse=True)
    shown = entries[:size]
    days: list[dict] = []
    for entry in shown:
        day = entry["at"].astimezone(tz).date()
        if not days or days[-1]["day"] != day:
            days.append({"day": day, "is_today": day == today,
                         "is_yesterday": day == today - timedelta(days=1), "entries": []})
        days[-1]["entries"].append(entry)
    return {
        "days": days,
        "has_more": len(entries) > size,
        "next_before": shown[-1]["at"].isoformat() if len(entries) > size else "",
    }


def _sections_queryset():
    # The console is the store channel: attributes limited to other channels stay out.
    return ProfileSection.objects.filter(enabled=True).prefetch_related(
        Prefetch(
            "section_attributes",
            queryset=ProfileSectionAttribute.objects.filter(
                on_channel(CONSOLE, prefix="attribute__"), enabled=True,
            ).select_related("attribute").order_by("position", "id"),
        )
    )


def _base_context(*, user, customer: Customer) -> dict:
    tz, today = profile_clock(user)
    return {
        "customer": customer,
        "contact": contact_for(customer, sensitive=can_see_sensitive(user)),
        "rights": profile_rights(user),
        "tz": tz,
        "today": today,
    }


def customer_profile(*, user, customer: Customer) -> dict:
    """Everything the profile page shows, as the admin laid it out."""
    context = _base_context(user=user, customer=customer)
    # Whose books hold the customer: the header's button and the client book attributes.
    owners = set(ClientBookEntry.objects.filter(
        customer=customer, book__legal_entity_id=customer.legal_entity_id,
    ).values_list("book__owner_id", flat=True))
    data = _ProfileData(user=user, customer=customer, tz=context["tz"], today=context["today"],
                        in_book=bool(owners))
    sections = []
    for section in _sections_queryset():
        kind = profile_sections.get(section.kind)
        if kind is None or (kind.permission and not user.has_perm(kind.permission)):
            continue
        sections.append(data.section(section, kind))
    context.update(
        sections=sections,
        card=data.card(),
        # The header at a glance, from the measures and contact sections' data (selectors.measures).
        header=profile_header(measures=data._loaded("measures")["measures"],
                              consents=data._loaded("contact")["consents"], sections=sections),
        tags=customer_tags(customer=customer),
        client_book=client_book_state(user=user, customer=customer, rights=context["rights"],
                                      in_book=user.pk in owners),
    )
    return context


def profile_section(*, user, customer: Customer, kind: str | None = None,
                    section_id: int | None = None) -> dict | None:
    """One section's context (for htmx partials): by id, or the first of a kind."""
    sections = _sections_queryset()
    if section_id is not None:
        sections = sections.filter(pk=section_id)
    if kind is not None:
        sections = sections.filter(kind=kind)
    section = sections.first()
    if section is None:
        return None
    section_kind = profile_sections.get(section.kind)
    if section_kind is None or (section_kind.permission and not user.has_perm(section_kind.permission)):
        return None
    context = _base_context(user=user, customer=customer)
    data = _ProfileData(user=user, customer=customer, tz=context["tz"], today=context["today"])
    context["item"] = data.section(section, section_kind)
    return context


def customer_tags(*, customer: Customer) -> list[Tag]:
    return list(customer.tags.filter(active=True).order_by("name"))


def client_book_state(*, user, customer: Customer, rights: ProfileRights | None = None,
                      in_book: bool | None = None) -> dict:
    """Whether the customer is in the user's own book (`in_book` when the caller knows)."""
    rights = rights or profile_rights(user)
    if in_book is None:
        in_book = ClientBookEntry.objects.filter(
            book__owner=user, book__legal_entity_id=customer.legal_entity_id, customer=customer
        ).exists()
    return {
        "in_book": in_book,
        "can_add": rights.add_to_book and not in_book,
        "can_remove": rights.remove_from_book and in_book,
    }


# Choices for the profile forms, as plain lists so rendering runs no query. ----------------

def tag_choices(*, user, customer: Customer) -> list[Tag]:
    """Active tags the user may put on this customer: global ones, their stores' and
    the customer's home store's, within the customer's legal entity."""
    stores = Q(store__in=stores_for(user).filter(legal_entity_id=customer.legal_entity_id))
    if customer.home_store_id:
        stores |= Q(store_id=customer.home_store_id)
    return list(Tag.objects.filter(Q(store__isnull=True) | stores, active=True).order_by("name"))


def task_assignee_choices(*, user, customer: Customer) -> list[tuple[int, str]]:
    """Active staff of the customer's home store or of the user's stores; the user first."""
    store_ids = set(
        stores_for(user).filter(legal_entity_id=customer.legal_entity_id).values_list("pk", flat=True)
    )
    if customer.home_store_id:
        store_ids.add(customer.home_store_id)
    profiles = (
        StaffProfile.objects.filter(
            active=True, user__is_active=True, legal_entity_id=customer.legal_entity_id,
            pk__in=StaffProfile.stores.through.objects.filter(store_id__in=store_ids)
            .values("staffprofile_id"),
        )
        .exclude(user=user)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    return [(user.pk, _person(user))] + [(p.user_id, _person(p.user)) for p in profiles]


def activity_type_choices() -> list[ActivityType]:
    return list(ActivityType.objects.filter(active=True).order_by("position", "name"))


def section_attributes(*, section: ProfileSection, customer: Customer) -> list[CustomerAttribute]:
    """The attributes a section shows for this customer, with their options, in the admin's
    order: the store channel's, and the client book group's only for a customer in a book."""
    items = section.section_attributes.filter(
        on_channel(CONSOLE, prefix="attribute__"), enabled=True,
    ).select_related("attribute").prefetch_related("attribute__options").order_by("position", "id")
    in_book = functools.cache(lambda: in_client_book(customer))
    return [item.attribute for item in items if _shown_for(item.attribute, in_book=in_book)]


def attribute_values_for(*, customer: Customer, attributes: list[CustomerAttribute]) -> dict[int, list]:
    """Stored values by attribute id (options as AttributeOption)."""
    found: dict[int, list] = {}
    for value in (
        CustomerAttributeValue.objects.filter(customer=customer, attribute__in=attributes)
        .select_related("option").order_by("option__position", "id")
    ):
        found.setdefault(value.attribute_id, []).append(value.value)
    return found


def customer_note(*, customer: Customer, note_id, author=None) -> Note | None:
    """A note of this customer (only the author's own when `author` is given)."""
    notes = Note.objects.filter(customer=customer, pk=note_id)
    if author is not None:
        notes = notes.filter(author=author)
    return notes.select_related("author").first()


def customer_task(*, customer: Customer, task_id) -> Task | None:
    return Task.objects.filter(customer=customer, pk=task_id).first()
