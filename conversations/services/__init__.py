"""Conversations: every write (threads, sends, consent, inbound, delivery status, sweeps).

One module per aggregate of work; this package re-exports the public names, so
callers (views, tasks, admin, carts, clienteling's registries) keep writing
`services.message_send(...)`. The rules a message must pass live in one place
(`rules._blocking_reason`), used by the composer, bulk outreach, scheduled
dispatch and the send task alike, so no path can skip one. Sending happens in
a Celery task queued on commit; `message_dispatch` claims the row, calls the
provider with no transaction open and records the outcome with guarded status
updates.
"""

from .bulk_send import BulkSendReport, message_send_bulk
from .dispatch import DispatchOutcome, message_dispatch, message_give_up, message_status_update
from .inbound import inbound_receive, prospect_lock, store_for_number
from .retention import messages_redact, messages_redact_expired
from .rules import (
    HELP_KEYWORDS,
    MAX_BODY,
    START_KEYWORDS,
    STOP_KEYWORDS,
    ComposerState,
    SendBlocked,
    consent_for,
    customer_tzinfo,
    images_allowed,
    marketing_allowed_at,
    skip_reason_label,
    window_closes_at,
    window_open,
    works_in,
)
from .sending import (
    composer_state,
    image_validate,
    media_open,
    media_store,
    message_schedule_cancel,
    message_send,
    opt_in_request,
    template_preview,
)
from .sharing import catalog_share_send, event_template
from .sweeps import conversations_archive_due, messages_reconcile_unknown, scheduled_messages_send_due
from .templates import template_approve, template_map, template_reject
from .threads import (
    conversation_archive,
    conversation_assign,
    conversation_for,
    conversation_mark_read,
    conversation_notice_add,
    conversation_unarchive,
)
from .twilio_events import (
    media_fetch,
    twilio_event_process,
    twilio_test_message_send,
    webhook_events_requeue_stale,
)

__all__ = [
    "HELP_KEYWORDS", "MAX_BODY", "START_KEYWORDS", "STOP_KEYWORDS",
    "BulkSendReport", "ComposerState", "DispatchOutcome", "SendBlocked",
    "catalog_share_send", "composer_state", "consent_for", "conversation_archive", "conversation_assign",
    "conversation_for", "conversation_mark_read", "conversation_notice_add", "conversation_unarchive",
    "conversations_archive_due", "customer_tzinfo", "event_template", "inbound_receive",
    "marketing_allowed_at", "media_fetch", "message_dispatch", "message_give_up", "message_send",
    "message_send_bulk", "message_status_update", "messages_reconcile_unknown", "opt_in_request",
    "scheduled_messages_send_due", "store_for_number", "template_approve", "template_map",
    "template_reject", "twilio_event_process", "twilio_test_message_send", "webhook_events_requeue_stale",
    "window_closes_at", "window_open", "works_in", "image_validate", "media_open", "media_store",
    "message_schedule_cancel", "template_preview", "prospect_lock", "images_allowed", "skip_reason_label",
    "messages_redact", "messages_redact_expired",
]
