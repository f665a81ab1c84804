"""What the thread's composer may offer, and what a template would say: reads only."""

from datetime import datetime

from django.core.files.storage import default_storage
from django.utils import timezone

from clienteling.models import ConsentState

from ..media import IMAGE_TYPES, MEDIA_FOLDER, MEDIA_NAME
from ..models import Conversation, Message, MessageTemplate
from ..providers.addresses import messaging_settings
from ..templating import template_render, template_variables_for
from .rules import ComposerState, consent_for, images_allowed, send_refusal, window_closes_at


def composer_state(*, conversation: Conversation, now: datetime | None = None) -> ComposerState:
    """What the composer may offer right now, with the reason when it may not."""
    now = now or timezone.now()
    customer = conversation.customer
    consent = consent_for(customer, conversation.channel)
    state = consent.state if consent else ConsentState.UNKNOWN
    closes = window_closes_at(conversation)
    if closes is not None and closes <= now:
        closes = None
    settings = messaging_settings(conversation.store)
    blocked = send_refusal(
        conversation=conversation, customer=customer, consent=consent,
        settings=settings, kind=Message.Kind.TEXT,
        is_marketing=state == ConsentState.OPTED_OUT, template=None, now=now)
    images = images_allowed(conversation, settings)
    if blocked is None:
        return ComposerState(True, None, False, closes, state, images)
    templates_only = blocked.reason_code == "window_closed"
    return ComposerState(False, blocked.messages[0], templates_only, closes, state, images)


def media_open(name: str):
    """(file, content type) of a stored outbound image by its public name, or None."""
    match = MEDIA_NAME.match(name or "")
    path = f"{MEDIA_FOLDER}/{name}"
    if match is None or not default_storage.exists(path):
        return None
    return default_storage.open(path), IMAGE_TYPES[match.group(1)]


def template_preview(*, conversation: Conversation, template: MessageTemplate, sender,
                     variables: dict | None = None) -> str:
    """The text this template would send on this thread now; TemplateRenderError when it cannot."""
    values = template_variables_for(template=template, customer=conversation.customer, sender=sender,
                                    store=conversation.store, extra=dict(variables or {}))
    return template_render(template=template, variables=values)
