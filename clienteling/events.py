"""Facts the apps above may act on (the integration API's outbound webhooks), as one signal.

The app that writes a fact sends it once, inside the transaction that wrote it, with ids and
plain values only; a receiver that fails never takes the sender down (send_robust), and one
that does work outside the database waits for the commit (transaction.on_commit).
Events: "message.received", "cart.shared", "cart.paid", "sales.recorded" (data: `sale_ids`
new, `changed_sale_ids` rewritten by an import), "consents.changed" (data: `changes`, the
ConsentChange rows a bulk import wrote, which fire no post_save). Single consent changes and
bookings are rows of their own (ConsentChange, Appointment), read from their post_save.
"""

import logging

from django.dispatch import Signal

logger = logging.getLogger(__name__)

SALES_RECORDED = "sales.recorded"
CONSENTS_CHANGED = "consents.changed"
occurred = Signal()  # keyword arguments: event (str), legal_entity_id (int), data (dict)


def event_occurred(*, event: str, legal_entity_id: int, data: dict) -> None:
    for receiver, result in occurred.send_robust(sender=event, event=event,
                                                 legal_entity_id=legal_entity_id, data=data):
        if isinstance(result, Exception):
            logger.error("event %s: receiver %r failed: %r", event, receiver, result)
