"""Wiring only: the lower apps' facts become outbound webhook deliveries after their commit.

Messages received, carts shared and paid come through `clienteling.events.occurred`; consent
changes and bookings are rows of their own (ConsentChange, Appointment), read from post_save.
"""

import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from appointments.models import Appointment
from catalog import reference
from clienteling.events import CONSENTS_CHANGED, occurred
from clienteling.models import ConsentChange, ConsentState
from clienteling.registry import RolePermissions, role_permissions

from .models import WebhookEndpoint, WebhookEvent
from .services.webhooks import webhook_event_emit

logger = logging.getLogger(__name__)

CONSENT_EVENTS = {ConsentState.OPTED_IN: WebhookEvent.CUSTOMER_OPTED_IN,
                  ConsentState.OPTED_OUT: WebhookEvent.CUSTOMER_OPTED_OUT}
reference.watch(WebhookEndpoint)
# Company Admins hold every api permission (keys, endpoints, the delivery log); no console role does.
role_permissions.register(RolePermissions("api"))


def subscriptions() -> dict[int, frozenset]:
    """The events each legal entity's active endpoints want, read from the cache between saves
    (an inbound drain of thousands of messages asks once, not once a message)."""
    def build():
        wanted: dict[int, set] = {}
        for entity_id, events in WebhookEndpoint.objects.filter(active=True).values_list(
                "legal_entity_id", "events"):
            wanted.setdefault(entity_id, set()).update(events or [])
        return {entity_id: frozenset(events) for entity_id, events in wanted.items()}
    return reference.cached("api-webhook-subscriptions", (WebhookEndpoint,), build)


def emit_after_commit(*, event: str, legal_entity_id: int, data: dict) -> None:
    if event not in subscriptions().get(legal_entity_id, ()):
        return

    def emit():
        webhook_event_emit(legal_entity_id=legal_entity_id, event=event, data=data)

    transaction.on_commit(emit, robust=True)


@receiver(occurred, dispatch_uid="api-webhooks-occurred")
def _occurred(sender, event, legal_entity_id, data, **kwargs):
    if event in WebhookEvent.values:
        emit_after_commit(event=event, legal_entity_id=legal_entity_id, data=data)


@receiver(post_save, sender=ConsentChange, dispatch_uid="api-webhooks-consent")
def _consent_changed(sender, instance, created, raw=False, **kwargs):
    event = CONSENT_EVENTS.get(instance.state)
    if not created or raw or event is None:
        return
    customer = instance.customer
    emit_after_commit(event=event, legal_entity_id=customer.legal_entity_id, data={
        "customer_id": customer.pk, "customer_external_id": customer.external_id,
        "channel": instance.channel, "state": instance.state, "source": instance.source,
        "changed_at": instance.changed_at})


@receiver(occurred, dispatch_uid="api-webhooks-consents-imported")
def _consents_imported(sender, event, legal_entity_id, data, **kwargs):
    """A bulk import's consent changes (no post_save): the same webhook per opt-in or opt-out."""
    if event != CONSENTS_CHANGED:
        return
    for change in data.get("changes", []):
        webhook_event = CONSENT_EVENTS.get(change["state"])
        if webhook_event is not None:
            emit_after_commit(event=webhook_event, legal_entity_id=legal_entity_id, data=change)


@receiver(post_save, sender=Appointment, dispatch_uid="api-webhooks-appointment")
def _appointment_saved(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    emit_after_commit(event=WebhookEvent.APPOINTMENT_BOOKED, legal_entity_id=instance.store.legal_entity_id,
                      data={"appointment_id": instance.pk, "customer_id": instance.customer_id,
                            "customer_external_id": instance.customer.external_id,
                            "store_id": instance.store_id, "associate_id": instance.associate_id,
                            "appointment_type": instance.appointment_type.name,
                            "starts_at": instance.starts_at, "ends_at": instance.ends_at,
                            "status": instance.status, "source": instance.source})
