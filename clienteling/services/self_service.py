"""The customer's own "my details" page: its signed links, and what the customer saves there.

A link is made by an associate from the profile and sent to the customer; the token is
shown once and only its SHA-256 is kept. Links expire after SELF_SERVICE_LINK_DAYS, can be
revoked from the profile, and are rotated (revoked with a fresh digest) on erasure.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalog.db import fit
from clienteling.models import (
    Activity,
    ActivityType,
    AuditAction,
    ConsentState,
    Customer,
    CustomerAttribute,
    CustomerConsent,
    SalesChannel,
    SelfServiceLink,
    new_self_service_token,
    token_digest,
)

from ..selectors.self_service import SELF_SERVICE_TEXT, self_service_changes, self_service_text
from .audit import audit_record
from .contact_history import customer_consent_set
from .profile import customer_attributes_set, customer_update_contact

__all__ = [
    "SELF_SERVICE_LINK_DAYS",
    "SELF_SERVICE_ACTOR",
    "my_details_save",
    "self_service_link_issue",
    "self_service_links_revoke",
    "self_service_links_rotate",
]

SELF_SERVICE_LINK_DAYS = 7
# Who the audit trail names for a change made on the page (there is no account behind it).
SELF_SERVICE_ACTOR = "customer (my details page)"
# Fields the page offers; the rest of the contact card stays the associates' to keep.
SELF_SERVICE_CONTACT_FIELDS = ("email", "phone")
ACTIVITY_TYPE_SLUG = "customer-self-service"


@dataclass(frozen=True)
class IssuedLink:
    link: SelfServiceLink
    token: str  # shown once: only its digest is stored


def self_service_link_issue(*, customer: Customer, user, request=None) -> IssuedLink:
    """A new link for the customer, valid for SELF_SERVICE_LINK_DAYS."""
    if customer.erased_at is not None:
        raise ValidationError(_("This customer's data was erased."))
    token = new_self_service_token()
    with transaction.atomic():
        link = SelfServiceLink.objects.create(
            customer=customer,
            token_digest=token_digest(token),
            created_by=user,
            expires_at=timezone.now() + timedelta(days=SELF_SERVICE_LINK_DAYS),
        )
        audit_record(
            action=AuditAction.SELF_SERVICE_LINK,
            actor=user,
            customer=customer,
            target=f"link {link.pk}",
            detail={"link": link.pk, "op": "issue"},
            request=request,
        )
    return IssuedLink(link=link, token=token)


def self_service_links_revoke(*, customer: Customer, user, request=None) -> int:
    """Every live link of the customer stops working now; returns how many there were."""
    with transaction.atomic():
        revoked = SelfServiceLink.objects.filter(customer=customer, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            audit_record(
                action=AuditAction.SELF_SERVICE_LINK,
                actor=user,
                customer=customer,
                target="revoke",
                detail={"op": "revoke", "links": revoked},
                request=request,
            )
    return revoked


def self_service_links_rotate(customer: Customer) -> list[str]:
    """Erasure: every link is revoked and its digest replaced, so no token ever opens it again."""
    now = timezone.now()
    rotated = [
        SelfServiceLink(pk=pk, token_digest=token_digest(new_self_service_token()), revoked_at=now)
        for pk in SelfServiceLink.objects.filter(customer=customer).values_list("pk", flat=True)
    ]
    SelfServiceLink.objects.bulk_update(rotated, ["token_digest", "revoked_at"])
    return []


def _activity_type() -> ActivityType:
    # Not offered to associates (inactive): only this page records it.
    kind, _created = ActivityType.objects.get_or_create(
        slug=ACTIVITY_TYPE_SLUG,
        defaults={
            "name": "My details (by the customer)",
            "icon": "person-lines-fill",
            "counts_as_contact": False,
            "active": False,
            "position": 1000,
        },
    )
    return kind


@transaction.atomic
def my_details_save(
    *,
    link: SelfServiceLink,
    contact: Mapping,
    attributes: Iterable[tuple[CustomerAttribute, object]],
    consents: Mapping[str, bool],
    request=None,
) -> list[str]:
    """Save what the customer changed on the page, all or nothing; returns what changed (labels).

    `contact` holds the changed contact fields (email, phone); `attributes` the customer-editable
    attributes of the web channel the customer changed, with the raw values posted; `consents`
    maps a channel the page offered to opted in (True) or out (False). Raises ValidationError
    keyed by attribute slug, having written nothing.
    """
    unknown = set(contact) - set(SELF_SERVICE_CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"not self-service fields: {sorted(unknown)}")
    attributes = list(attributes)
    not_editable = [a.slug for a, _raw in attributes if not a.customer_editable]
    if not_editable:
        raise ValueError(f"attributes the customer may not edit: {not_editable}")
    customer = Customer.objects.select_for_update().get(pk=link.customer_id)
    fields = customer_update_contact(
        customer=customer, changes=dict(contact), updated_by=None, sensitive_allowed=True
    )
    if attributes:
        # The web channel: an attribute limited to other channels is refused, as it is hidden there.
        customer_attributes_set(customer=customer, values=attributes, channel=SalesChannel.WEB)
    current = dict(CustomerConsent.objects.filter(customer=customer).values_list("channel", "state"))
    consent_changes = {}
    for channel, opted_in in consents.items():
        state = ConsentState.OPTED_IN if opted_in else ConsentState.OPTED_OUT
        before = current.get(channel, ConsentState.UNKNOWN)
        # Unchanged, or an unasked channel left unticked: no opt-out to record.
        if before == state or (not opted_in and before == ConsentState.UNKNOWN):
            continue
        customer_consent_set(
            customer=customer,
            channel=channel,
            state=state,
            source=CustomerConsent.Source.WEB,
            detail="my details page",
        )
        consent_changes[channel] = state
    if not (fields or attributes or consent_changes):
        return []
    # Shown in each associate's language (selectors.self_service_text); stored in the site's.
    params = {"fields": list(fields), "attributes": [a.name for a, _raw in attributes],
              "consents": [[channel, state] for channel, state in consent_changes.items()]}
    with translation.override(settings.LANGUAGE_CODE):
        summary = fit(Activity, "summary", self_service_text(params))
    changed = self_service_changes(params)
    now = timezone.now()
    Activity.objects.create(
        customer=customer,
        activity_type=_activity_type(),
        actor=None,
        store=customer.home_store,
        occurred_at=now,
        summary=summary,
        text_key=SELF_SERVICE_TEXT,
        text_params=params,
    )
    SelfServiceLink.objects.filter(pk=link.pk).update(last_used_at=now)
    # Field names and slugs only: the trail outlives erasure.
    audit_record(
        action=AuditAction.SELF_SERVICE,
        actor_name=SELF_SERVICE_ACTOR,
        customer=customer,
        target=f"link {link.pk}",
        request=request,
        detail={
            "link": link.pk,
            "fields": fields,
            "attributes": [a.slug for a, _raw in attributes],
            "consent": consent_changes,
        },
    )
    return changed
