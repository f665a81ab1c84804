"""Reads behind the customer-facing "my details" page and the profile's link screen."""

import re
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _

from clienteling.models import (
    Channel,
    ConsentState,
    Customer,
    CustomerAttributeValue,
    CustomerConsent,
    SelfServiceLink,
    Store,
    token_digest,
)

from .attributes import CUSTOMER_FACING, customer_attributes

# secrets.token_urlsafe(32): 43 URL-safe characters. Anything else is not looked up.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
CONSENT_CHANNELS = (Channel.SMS, Channel.WHATSAPP, Channel.EMAIL)


SELF_SERVICE_TEXT = "customer-self-service-update"


def self_service_changes(params: dict) -> list[str]:
    """What the customer changed, in the reader's language: fields, attributes (their names
    as the admin wrote them), and consent per channel."""
    changed = []
    for name in params.get("fields", []):
        try:
            changed.append(str(Customer._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            changed.append(name)
    changed += [str(name) for name in params.get("attributes", [])]
    changed += [_("%(channel)s: %(state)s") % {"channel": Channel(channel).label,
                                               "state": ConsentState(state).label}
                for channel, state in params.get("consents", [])]
    return changed


def self_service_text(params: dict) -> str:
    return _("Updated by the customer: %(what)s") % {"what": ", ".join(self_service_changes(params))}


@dataclass(frozen=True)
class LinkState:
    state: str  # "missing" (404), "expired" or "revoked" (410), "open"
    link: SelfServiceLink | None = None

    @property
    def store(self) -> Store | None:
        return self.link.customer.home_store if self.link else None


def self_service_link_state(*, token: str) -> LinkState:
    if not TOKEN_SHAPE.fullmatch(token or ""):
        return LinkState("missing")
    link = (
        SelfServiceLink.objects.select_related("customer__home_store")
        .filter(token_digest=token_digest(token))
        .first()
    )
    if link is None:
        return LinkState("missing")
    if link.revoked_at is not None or link.customer.erased_at is not None:
        return LinkState("revoked", link)
    if link.expires_at <= timezone.now():
        return LinkState("expired", link)
    return LinkState("open", link)


def editable_attributes(*, customer) -> list:
    """The attributes the customer edits: customer-editable ones shown on the web channel."""
    return [a for a in customer_attributes(customer=customer, channel=CUSTOMER_FACING) if a.customer_editable]


def attribute_values(*, customer, attributes) -> dict[int, list]:
    values: dict[int, list] = {}
    rows = (
        CustomerAttributeValue.objects.filter(customer=customer, attribute__in=attributes)
        .select_related("option")
        .order_by("pk")
    )
    for row in rows:
        values.setdefault(row.attribute_id, []).append(row.value)
    return values


def consent_states(*, customer) -> dict[str, str]:
    stored = dict(CustomerConsent.objects.filter(customer=customer).values_list("channel", "state"))
    return {channel: stored.get(channel, ConsentState.UNKNOWN) for channel in CONSENT_CHANNELS}


def store_contact(store: Store | None) -> dict:
    """How the customer reaches the store that keeps their details (name, address, phone)."""
    if store is None:
        return {"name": "", "address": [], "phone": "", "phone_text": "", "any": False}
    address = [
        part
        for part in (
            store.address_line1,
            store.address_line2,
            " ".join(p for p in (store.zip_code, store.city) if p),
            store.state,
        )
        if part
    ]
    phone = store.clienteling_phone
    text = phone.as_international if phone and phone.is_valid() else str(phone or "")
    return {"name": store.name, "address": address, "phone": str(phone or ""), "phone_text": text,
            "any": bool(phone)}


def live_links(*, customer) -> list[SelfServiceLink]:
    """The customer's links that still open the page, newest first (for the profile)."""
    return list(
        SelfServiceLink.objects.filter(
            customer=customer, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("created_by")
        .order_by("-created_at")[:20]
    )


def self_service_links_export(customer) -> list[dict]:
    """For a data request: when links were made, used and ended (never a token)."""
    return [
        {name: "" if value is None else str(value) for name, value in row.items()}
        for row in SelfServiceLink.objects.filter(customer=customer)
        .order_by("created_at")
        .values("created_at", "expires_at", "revoked_at", "last_used_at")
    ]
