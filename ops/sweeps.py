"""Every "requeue stale" sweep of the project, as beat runs them, for `requeue_stale`.

Each entry calls the very service its beat task calls (never a copy): work whose task was
lost (a broker restart, a worker killed between commit and publish) is queued again from
the database. Every one is safe to run twice: the tasks they queue claim their rows first.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from api.services import webhooks as api_webhooks
from carts import services as cart_services
from clienteling import services as clienteling_services
from conversations import services as conversation_services
from imports import services as import_services


@dataclass(frozen=True)
class Sweep:
    name: str
    label: str
    beat_task: str  # "" when only this command runs it
    run: Callable[[], int | dict]


# Beat's "reconcile-unknown-sends" runs three of them in one task.
RECONCILE = "conversations.tasks.messages_reconcile_unknown"

SWEEPS = [
    Sweep("bulk_jobs", _("Bulk jobs still queued, queued again"),
          "clienteling.tasks.bulk_jobs_requeue_stale", clienteling_services.bulk_jobs_requeue_stale),
    Sweep("queued_messages", _("Messages still queued, their send queued again"),
          RECONCILE, conversation_services.messages_requeue_stale),
    # Sends stuck in "sending" lost their worker: never resent, looked up at the provider.
    Sweep("sending_messages", _("Sends with an unknown outcome, checked with the provider"),
          RECONCILE, conversation_services.messages_reconcile_unknown),
    Sweep("webhook_events", _("Kinds of provider webhook events left unapplied, drained again"),
          RECONCILE, conversation_services.webhook_events_requeue_stale),
    Sweep("payment_events", _("Payment notifications left unprocessed, queued again"),
          "carts.tasks.payment_events_requeue_stale", cart_services.payment_events_requeue_stale),
    # Imports whose worker died mid-file: queued again (an import is idempotent, rows keyed by external id).
    Sweep("import_jobs", _("Imports left running by a lost worker, queued again"),
          "", import_services.import_jobs_requeue_stale),
    # Outbound webhooks to integrators: stale "sending" claims freed, deliveries due queued.
    Sweep("outbound_webhooks", _("Outbound webhook deliveries due or stuck, queued again"),
          "api.tasks.webhook_deliveries_retry_due", api_webhooks.webhook_deliveries_retry_due),
]
SWEEP_NAMES = [sweep.name for sweep in SWEEPS]


def sweeps_run(*, names: list[str] | None = None) -> list[tuple[Sweep, int | dict]]:
    """Run the sweeps (all, or those named) in order; each owns its own transactions."""
    chosen = [sweep for sweep in SWEEPS if names is None or sweep.name in names]
    return [(sweep, sweep.run()) for sweep in chosen]
