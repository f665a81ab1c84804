"""The customer profile as the admin laid it out, masked for the viewer."""

from django.db.models import Prefetch

from clienteling.access import MASKED, can_see_sensitive, mask_email, mask_phone
from clienteling.models import (
    Customer,
    CustomerAttributeValue,
    CustomerMeasures,
    ProfileSection,
    ProfileSectionAttribute,
    SaleLine,
)
from clienteling.registry import profile_sections


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
