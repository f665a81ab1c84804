"""Conversations: every write (threads, sends, consent, inbound, delivery status, sweeps).

One module per aggregate of work; this package re-exports the public names, so
callers (views, tasks, admin, carts, clienteling's registries) keep writing
`services.message_send(...)`. The rules a message must pass live in one place
(`selectors.rules.send_refusal`), used by the composer, bulk outreach, scheduled
dispatch and the send task alike, so no path can skip one. Sending happens in
a Celery task queued on commit; `message_dispatch` claims the row, calls the
provider with no transaction open and records the outcome with guarded status
updates.
"""

from ..selectors.rules import SendBlocked
from .bulk_send import BulkSendReport, message_send_bulk
from .dispatch import DispatchOutcome, message_dispatch, message_give_up, message_status_update
from .inbound import inbound_receive, prospect_lock, store_for_number
from .retention import messages_redact, messages_redact_expired, webhook_events_prune
from .sending import image_validate, media_store, message_schedule_cancel, message_send, opt_in_request
from .sharing import catalog_share_send, event_template
from .sweeps import (
    conversations_archive_due,
    messages_reconcile_unknown,
    messages_requeue_stale,
    scheduled_messages_send_due,
)
from .templates import (
    template_approval_fetch,
    template_approve,
    template_publish,
    template_reject,
    template_submit,
    templates_approval_sync,
)
from .threads import (
    conversation_archive,
    conversation_assign,
    conversation_get_or_create,
    conversation_mark_read,
    conversation_notice_add,
    conversation_touch,
    conversation_unarchive,
    customer_next_scheduled_refresh,
    message_sends_queue,
)
from .webhook_events import (
    media_fetch,
    webhook_event_process,
    webhook_events_drain,
    webhook_events_drain_soon,
    webhook_events_requeue_stale,
)

__all__ = [
    "BulkSendReport", "DispatchOutcome", "SendBlocked",
    "catalog_share_send", "conversation_archive", "conversation_assign", "conversation_get_or_create",
    "conversation_mark_read", "conversation_notice_add", "conversation_touch", "conversation_unarchive",
    "conversations_archive_due", "customer_next_scheduled_refresh", "event_template", "image_validate",
    "inbound_receive", "media_fetch", "media_store", "message_dispatch", "message_give_up",
    "message_schedule_cancel", "message_send", "message_send_bulk", "message_sends_queue",
    "message_status_update", "messages_reconcile_unknown", "messages_redact",
    "messages_requeue_stale", "messages_redact_expired",
    "opt_in_request", "prospect_lock", "scheduled_messages_send_due", "store_for_number",
    "template_approval_fetch", "template_approve", "template_publish", "template_reject",
    "template_submit", "templates_approval_sync", "webhook_event_process",
    "webhook_events_drain", "webhook_events_drain_soon", "webhook_events_prune",
    "webhook_events_requeue_stale",
]
