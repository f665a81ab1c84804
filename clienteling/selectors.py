"""Reads that are more than one ORM call, already scoped to the user."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from .access import (
    MASKED,
    can_see_sensitive,
    customers_for,
    is_company_admin,
    mask_email,
    mask_phone,
    staff_profile,
    stores_for,
)
from .dates import store_today
from .models import (
    ClientBookEntry,
    Customer,
    CustomerAttributeValue,
    CustomerMeasures,
    ModuleSettings,
    ProfileSection,
    ProfileSectionAttribute,
    SaleLine,
    Task,
)
from .registry import profile_sections


@dataclass(frozen=True)
class Navigation:
    customers: bool
    conversations: bool
    client_book: bool
    store_client_book: bool
    admin: bool
    store_names: tuple[str, ...]
    role_label: str


def console_navigation(*, user) -> Navigation:
    module = ModuleSettings.load()
    customers = module.customers_enabled and user.has_perm("clienteling.view_customer_profile")
    profile = staff_profile(user)
    return Navigation(
        customers=customers,
        conversations=customers
        and module.conversations_enabled
        and user.has_perm("conversations.access_conversations"),
        client_book=customers and user.has_perm("clienteling.view_own_client_book"),
        store_client_book=customers and user.has_perm("clienteling.view_store_client_book"),
        admin=user.is_staff,
        store_names=tuple(stores_for(user).values_list("name", flat=True)[:5]),
        role_label=profile.get_role_display() if profile else (
            "Superuser" if is_company_admin(user) else ""
        ),
    )


# --- Presenting customers -------------------------------------------------------



def home_store_for(user):
    profile = staff_profile(user)
    if profile and profile.home_store_id:
        return profile.home_store
    return stores_for(user).order_by("pk").first()


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


def customer_profile(*, user, customer: Customer) -> dict:
    """Everything the profile page shows, as the admin laid it out."""
    sensitive = can_see_sensitive(user)
    sections = list(
        ProfileSection.objects.filter(enabled=True).prefetch_related(
            Prefetch(
                "section_attributes",
                queryset=ProfileSectionAttribute.objects.filter(
                    enabled=True, attribute__active=True
                ).select_related("attribute"),
            )
        )
    )
    values_by_attribute: dict[int, list] = {}
    for value in CustomerAttributeValue.objects.filter(customer=customer).select_related("option"):
        values_by_attribute.setdefault(value.attribute_id, []).append(value.value)

    rendered = []
    for section in sections:
        kind = profile_sections.get(section.kind)
        if kind is None or (kind.permission and not user.has_perm(kind.permission)):
            continue
        context = {"section": section, "kind": kind}
        if kind.shows_attributes:
            context["attributes"] = [
                {"name": item.attribute.name, "data_type": item.attribute.data_type,
                 "values": values_by_attribute.get(item.attribute_id, [])}
                for item in section.section_attributes.all()
            ]
        if kind.context:
            context.update(kind.context(user=user, customer=customer, section=section))
        rendered.append(context)

    return {
        "customer": customer,
        "contact": contact_for(customer, sensitive=sensitive),
        "sections": rendered,
        "tags": list(customer.tags.values_list("name", flat=True)),
        "measures": CustomerMeasures.objects.filter(customer=customer).first(),
        "purchase_lines": list(
            SaleLine.objects.filter(customer=customer)
            .select_related("sale__store", "designer", "category")
            .order_by("-sold_at", "-id")[:25]
        ),
        "activities": list(
            customer.activities.select_related("activity_type", "actor").order_by(
                "-occurred_at", "-id"
            )[:25]
        ),
        "notes": list(customer.notes.select_related("author")[:25]),
        "tasks": list(customer.tasks.select_related("assignee").order_by("completed_at", "due_on")[:25]),
        "wishlist": list(
            customer.wishlist_items.filter(active=True).select_related("product")[:25]
        ),
    }


def today_for(*, user) -> dict:
    """The associate's Today page: follow-ups, dates coming up, recent customers."""
    store = home_store_for(user)
    today = store_today(store) if store else timezone.localdate()
    visible = customers_for(user)
    book_customer_ids = ClientBookEntry.objects.filter(book__owner=user).values("customer_id")
    keys = [(today + timedelta(days=n)) for n in range(7)]
    month_days = [d.month * 100 + d.day for d in keys]
    if 228 in month_days and not _is_leap(today.year):
        month_days.append(229)  # 29 February birthdays are celebrated on the 28th
    dates_coming = list(
        visible.filter(pk__in=book_customer_ids)
        .filter(Q(birthday_key__in=month_days) | Q(anniversary_key__in=month_days))
        .only("id", "first_name", "last_name", "birthday_key", "anniversary_key")[:50]
    )
    return {
        "store": store,
        "today": today,
        "tasks_due": list(
            Task.objects.filter(assignee=user, completed_at__isnull=True, due_on__lte=today,
                                customer__in=visible)
            .select_related("customer").order_by("due_on")[:50]
        ),
        "dates_coming": [
            {"customer": c,
             "birthday": c.birthday_key in month_days,
             "anniversary": c.anniversary_key in month_days}
            for c in dates_coming
        ],
        "recent_customers": list(
            visible.filter(measures__last_purchase_at__gte=timezone.now() - timedelta(days=7),
                           pk__in=book_customer_ids)
            .select_related("measures").order_by("-measures__last_purchase_at")[:20]
        ),
    }


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
