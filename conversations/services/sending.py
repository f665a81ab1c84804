"""One-to-one sends: the composer, opt-in requests, scheduled messages.

A message row is committed first; its Celery task is queued on commit.
"""

import secrets
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.db import fit
from clienteling import services as clienteling_services
from clienteling.models import Channel, ConsentState, CustomerConsent

from ..media import IMAGE_MAX_BYTES, IMAGE_SIGNATURES, MEDIA_FOLDER
from ..models import ClientelingEvent, Conversation, Message, MessageTemplate
from ..providers import get_provider
from ..providers.addresses import messaging_settings
from ..selectors.rules import (
    MAX_BODY,
    SendBlocked,
    Status,
    consent_for,
    customer_tzinfo,
    marketing_allowed_at,
    recent_bulk_counts,
    send_refusal,
    window_open,
)
from ..templating import (
    TemplateRenderError,
    template_media_urls,
    template_render,
    template_render_subject,
    template_variables_for,
)
from .threads import (
    conversation_touch,
    conversation_unarchive,
    customer_next_scheduled_refresh,
    message_sends_queue,
)


def message_send(*, conversation: Conversation, sender, body: str = "", kind: str = Message.Kind.TEXT,
                 template: MessageTemplate | None = None, variables: dict | None = None,
                 media_urls: Iterable[str] = (), is_marketing: bool = False,
                 scheduled_for: datetime | None = None, bulk_job_id: int | None = None,
                 images: Iterable[UploadedFile] = (), intro: str = "", ignore_consent: bool = False,
                 use_content_api: bool = True) -> Message:
    """Validate every rule, store the message and queue its send once committed.

    `images` are uploads to attach (MMS or WhatsApp): checked with the other
    rules, then stored under an unguessable name at a public URL the provider
    fetches.

    `variables` fills a template: "1", "2" ... set placeholders directly; other
    keys (product, collection, cart_link, custom_text ...) feed the mapped
    data sources. Raises SendBlocked (writing nothing) when a rule forbids it.
    Marketing outside the store's allowed hours is stored SCHEDULED for the
    next allowed time, with schedule_reason "quiet_hours".

    `intro` goes before the body (the store's opt-in introduction); `ignore_consent` is for
    the store's own notices and keyword answers (HELP), which a customer always gets.
    """
    now = timezone.now()
    # A product shared or a marketing template sent one to one is marketing, as in bulk:
    # it needs the customer's opt-in and counts as marketing contact.
    is_marketing = bool(is_marketing or kind == Message.Kind.PRODUCT or (
        template is not None and template.category == MessageTemplate.Category.MARKETING))
    media_urls = [str(url) for url in (media_urls or ()) if url]
    if template is not None:
        # A media template's header image goes first, checked like any image (MMS allowed?).
        media_urls = template_media_urls(template) + media_urls
    images = list(images or ())
    for image in images:
        image_validate(image)
    with transaction.atomic():
        # The row lock serialises sends on one thread (frequency cap, preview).
        conversation = (Conversation.objects.select_for_update(of=("self",))
                        .select_related("customer", "store").get(pk=conversation.pk))
        customer, store, channel = conversation.customer, conversation.store, conversation.channel
        settings = messaging_settings(store)
        consent = consent_for(customer, channel)
        bulk = bulk_job_id is not None
        recent = recent_bulk_counts([customer.pk], now).get(customer.pk, 0) if bulk and is_marketing else 0
        blocked = send_refusal(
            conversation=conversation, customer=customer, consent=consent, settings=settings,
            kind=kind, is_marketing=is_marketing, template=template,
            media_urls=media_urls + ["upload"] * len(images), bulk=bulk,
            recent_bulk=recent, now=now, ignore_consent=ignore_consent,
            # An opt-in request with an intro is free text: the window check applies to it.
            check_window=True)
        if blocked:
            raise blocked
        subject, content_sid, values = "", "", {}
        if template is not None:
            values = template_variables_for(template=template, customer=customer, sender=sender,
                                            store=store, extra=dict(variables or {}))
            try:
                rendered = template_render(template=template, variables=values)
                subject = template_render_subject(template=template, variables=values)
            except TemplateRenderError as exc:
                raise SendBlocked("template_variable_missing", exc.messages[0]) from exc
            if channel == Channel.WHATSAPP and use_content_api:
                content_sid = get_provider(channel).template_reference(template)
            body = rendered
            if kind == Message.Kind.TEXT:
                kind = Message.Kind.TEMPLATE
        body = (f"{intro.strip()}\n\n{body}" if intro.strip() else body or "").strip()
        if not body and not media_urls and not images:
            raise SendBlocked("empty", _("Write a message first."))
        if len(body) > MAX_BODY and channel != Channel.EMAIL:
            raise SendBlocked("too_long", _("The message is longer than %(max)s characters.")
                              % {"max": MAX_BODY})
        media_urls += [media_store(image) for image in images]
        status, reason, when = Status.QUEUED, "", None
        if scheduled_for and scheduled_for > now:
            status, reason, when = Status.SCHEDULED, Message.ScheduleReason.REQUESTED, scheduled_for
        if is_marketing:
            allowed, next_at = marketing_allowed_at(settings, customer_tzinfo(customer, store), when or now)
            if not allowed:
                status, reason, when = Status.SCHEDULED, Message.ScheduleReason.QUIET_HOURS, next_at
        message = Message.objects.create(
            conversation=conversation, direction=Message.Direction.OUTBOUND, kind=kind,
            is_marketing=is_marketing, body=body, subject=fit(Message, "subject", subject),
            media_urls=media_urls,
            template=template, template_variables=values if template else {},
            content_sid=content_sid, status=status, schedule_reason=reason, scheduled_for=when,
            sent_by=sender if getattr(sender, "pk", None) else None, bulk_job_id=bulk_job_id,
        )
        if status == Status.QUEUED:
            conversation_touch(conversation_id=conversation.pk, at=now, preview=body)
            clienteling_services.contact_history_record_message(
                customer_id=customer.pk, at=now, preview=body, inbound=False,
                is_marketing=is_marketing, channel=channel)
            message_sends_queue(message_ids=[message.pk])
        else:
            if conversation.status == Conversation.Status.ARCHIVED:
                conversation_unarchive(conversation=conversation)
            customer_next_scheduled_refresh(customer_id=customer.pk)
    return message


def _opt_in_template(conversation: Conversation) -> MessageTemplate | None:
    return (MessageTemplate.objects.filter(
        channel=conversation.channel, event=ClientelingEvent.OPT_IN, active=True,
        status=MessageTemplate.Status.APPROVED)
        .filter(Q(store__isnull=True) | Q(store=conversation.store))
        .order_by(F("store_id").desc(nulls_last=True), "pk").first())


def opt_in_request(*, conversation: Conversation, sender) -> Message:
    """Introduction + the opt-in template (or the built-in text); consent becomes REQUESTED.

    WhatsApp outside the 24-hour window takes a template only, so the store's
    introduction is left out there.
    """
    settings = messaging_settings(conversation.store)
    intro = settings.opt_in_intro or ""
    template = _opt_in_template(conversation)
    with transaction.atomic():
        if template is not None:
            closed = not window_open(conversation)
            message = message_send(
                conversation=conversation, sender=sender, kind=Message.Kind.OPT_IN, template=template,
                intro="" if (closed and get_provider(conversation.channel).template_reference(template))
                else intro,
                use_content_api=closed or not intro)
        else:
            message = message_send(
                conversation=conversation, sender=sender, kind=Message.Kind.OPT_IN, intro=intro,
                body=_("Reply START to chat with us, STOP to opt out."))
        now = timezone.now()
        Conversation.objects.filter(pk=conversation.pk).update(opt_in_requested_at=now)
        conversation.opt_in_requested_at = now
        consent = consent_for(conversation.customer, conversation.channel)
        if consent is None or consent.state != ConsentState.OPTED_IN:
            clienteling_services.customer_consent_set(
                customer=conversation.customer, channel=conversation.channel,
                state=ConsentState.REQUESTED, source=CustomerConsent.Source.ASSOCIATE,
                detail=_("Opt-in request sent"), at=now, changed_by=sender, message_id=message.pk)
    return message


# --- images ----------------------------------------------------------------------------

def _image_kind(upload) -> str | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    return next((kind for signature, kind in IMAGE_SIGNATURES if head.startswith(signature)), None)


def image_validate(upload) -> str:
    """The image's kind (jpg, png, gif), or a ValidationError saying what is wrong with it."""
    if upload.size > IMAGE_MAX_BYTES:
        raise ValidationError(_("The image is larger than 5 MB."), code="image_too_large")
    kind = _image_kind(upload)
    if kind is None:
        raise ValidationError(_("Attach a JPEG, PNG or GIF image."), code="image_type")
    return kind


def media_store(upload) -> str:
    """Save an outbound image under an unguessable name; returns its public path."""
    kind = image_validate(upload)
    name = f"{secrets.token_urlsafe(24)}.{kind}"
    default_storage.save(f"{MEDIA_FOLDER}/{name}", upload)
    return reverse("conversations:public_media", args=[name])


# --- scheduled messages ----------------------------------------------------------------


def message_schedule_cancel(*, message: Message, by) -> bool:
    """Cancel a message scheduled by staff before it goes; False when it already went."""
    changed = Message.objects.filter(pk=message.pk, status=Status.SCHEDULED).update(
        status=Status.CANCELED, status_updated_at=timezone.now(), scheduled_for=None,
        error_message=fit(Message, "error_message", _("Cancelled by %(name)s") % {
            "name": by.get_full_name() or by.get_username()}))
    if changed:
        customer_next_scheduled_refresh(customer_id=message.conversation.customer_id)
        message.status = Status.CANCELED
    return bool(changed)


