"""Template lifecycle: published when saved; WhatsApp's checked, then approved or rejected.

Email and SMS templates are APPROVED as soon as they are saved (every placeholder
linked to a data source). A WhatsApp template first passes WhatsApp's rules
(templating.whatsapp_rule_problems): breaking one REJECTS it with the reason. With
Twilio as the WhatsApp provider and an active account, a passing template waits
(RECEIVED) for `templates_approval_sync` (beat) to create it as Twilio content,
submit it for WhatsApp approval and read the verdict; without one (demo) the rule
check decides alone.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.db import fit
from catalog.providers import PermanentError, ProviderError
from clienteling.models import Channel

from ..models import MessageTemplate
from ..providers import provider_name
from ..providers.addresses import active_twilio_account
from ..templating import template_placeholders, whatsapp_rule_problems

logger = logging.getLogger(__name__)
Status = MessageTemplate.Status

# Twilio's WhatsApp approval states, in ours (received and pending: still waiting).
TWILIO_APPROVAL = {"approved": Status.APPROVED, "rejected": Status.REJECTED,
                   "paused": Status.REJECTED, "disabled": Status.REJECTED}


def template_approve(*, template: MessageTemplate) -> MessageTemplate:
    return _template_transition(template, expected=Status.RECEIVED, new=Status.APPROVED,
                                rejection_reason="")


def template_reject(*, template: MessageTemplate, reason: str = "") -> MessageTemplate:
    return _template_transition(template, expected=Status.RECEIVED, new=Status.REJECTED,
                                rejection_reason=fit(MessageTemplate, "rejection_reason", reason))


def twilio_approval_enabled() -> bool:
    """WhatsApp approval comes from Twilio: its provider sends WhatsApp and an account is set up."""
    return provider_name(Channel.WHATSAPP) == "twilio" and active_twilio_account() is not None


def template_problems(template: MessageTemplate) -> list[str]:
    """Why this template cannot be published as it is ([] when it can)."""
    variables = list(template.variables.all())
    linked = {v.position for v in variables if v.source}
    problems = []
    unlinked = [n for n in template_placeholders(template) if n not in linked]
    if unlinked:
        problems.append(_("Link a data source to %(placeholders)s.")
                        % {"placeholders": ", ".join(f"{{{{{n}}}}}" for n in unlinked)})
    if template.channel == Channel.WHATSAPP:
        problems += whatsapp_rule_problems(template, {v.position: v.sample for v in variables})
    return problems


@transaction.atomic
def template_publish(*, template: MessageTemplate) -> MessageTemplate:
    """Decide a new or edited template's status (see the module's docstring).

    An edited WhatsApp template is new content for WhatsApp: it is checked and, with
    Twilio, submitted again under a new Content SID.
    """
    template = MessageTemplate.objects.select_for_update().get(pk=template.pk)
    problems = template_problems(template)
    fields = {"rejection_reason": "", "submitted_at": None}
    if problems:
        fields.update(status=Status.REJECTED,
                      rejection_reason=fit(MessageTemplate, "rejection_reason", " ".join(problems)))
    elif template.channel == Channel.WHATSAPP and twilio_approval_enabled():
        fields.update(status=Status.RECEIVED, content_sid="")
    else:
        fields.update(status=Status.APPROVED)
    MessageTemplate.objects.filter(pk=template.pk).update(updated_at=timezone.now(), **fields)
    template.refresh_from_db()
    return template


def template_submit(*, template: MessageTemplate) -> MessageTemplate:
    """Create the template as Twilio content (once) and ask WhatsApp to approve it.

    Twilio is called outside any transaction; the row changes only if it still waits.
    A content Twilio refuses outright rejects the template with Twilio's reason.
    """
    from ..providers.twilio import TwilioProvider

    provider = TwilioProvider()
    content_sid = template.content_sid
    try:
        if not content_sid:
            content_sid = provider.content_create(template=template)
            # Kept at once: a failed approval request is retried on this content, not a new one.
            MessageTemplate.objects.filter(pk=template.pk, status=Status.RECEIVED).update(
                content_sid=content_sid, updated_at=timezone.now())
        approval = provider.content_approval_request(content_sid=content_sid, template=template)
    except PermanentError as exc:
        MessageTemplate.objects.filter(pk=template.pk, status=Status.RECEIVED).update(
            status=Status.REJECTED, updated_at=timezone.now(),
            rejection_reason=fit(MessageTemplate, "rejection_reason",
                                 _("Twilio refused the template: %(reason)s") % {"reason": exc.message}))
        template.refresh_from_db()
        return template
    MessageTemplate.objects.filter(pk=template.pk, status=Status.RECEIVED).update(
        content_sid=content_sid, submitted_at=timezone.now(), updated_at=timezone.now())
    template.refresh_from_db()
    return _template_settle(template, approval.status, approval.rejection_reason)


def template_approval_fetch(*, template: MessageTemplate) -> MessageTemplate:
    """Read WhatsApp's verdict on a submitted template from Twilio and apply it."""
    from ..providers.twilio import TwilioProvider

    approval = TwilioProvider().content_approval_fetch(content_sid=template.content_sid)
    return _template_settle(template, approval.status, approval.rejection_reason)


def templates_approval_sync() -> dict:
    """Beat: submit the WhatsApp templates that wait, and read the verdict of those submitted.

    A template Twilio cannot be reached for stays as it is for the next run.
    """
    counts = {"submitted": 0, "approved": 0, "rejected": 0, "waiting": 0, "errors": 0}
    if not twilio_approval_enabled():
        return counts
    waiting = MessageTemplate.objects.filter(channel=Channel.WHATSAPP, status=Status.RECEIVED,
                                             active=True).order_by("pk")
    for template in waiting:
        submitted = template.submitted_at is not None
        try:
            if submitted:
                template = template_approval_fetch(template=template)
            else:
                template = template_submit(template=template)
        except (ProviderError, ValidationError) as exc:
            # Unreachable, or the template changed meanwhile: the next run looks again.
            counts["errors"] += 1
            logger.warning("template %s: Twilio approval step failed: %s", template.pk, exc)
            continue
        counts["submitted"] += not submitted and template.submitted_at is not None
        key = {Status.APPROVED: "approved", Status.REJECTED: "rejected"}.get(template.status, "waiting")
        counts[key] += 1
    return counts


def _template_settle(template: MessageTemplate, twilio_status: str | None, reason: str | None):
    new = TWILIO_APPROVAL.get((twilio_status or "").lower())
    if new == Status.APPROVED:
        return template_approve(template=template)
    if new == Status.REJECTED:
        return template_reject(template=template, reason=reason or _(
            "WhatsApp did not approve the template (%(status)s).") % {"status": twilio_status})
    return template


def _template_transition(template: MessageTemplate, *, expected: str, new: str, **fields) -> MessageTemplate:
    changed = MessageTemplate.objects.filter(pk=template.pk, status=expected).update(
        status=new, updated_at=timezone.now(), **fields)
    if not changed:
        raise ValidationError(
            _("The template is %(status)s; it must be %(expected)s for this.") % {
                "status": template.get_status_display(),
                "expected": Status(expected).label},
            code="template_status")
    template.refresh_from_db()
    return template
