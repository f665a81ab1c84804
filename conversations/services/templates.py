"""Template lifecycle: received, approved or rejected, mapped."""


from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.db import fit
from clienteling.models import Channel

from ..models import MessageTemplate
from ..templating import template_placeholders


def template_approve(*, template: MessageTemplate) -> MessageTemplate:
    return _template_transition(template, expected=MessageTemplate.Status.RECEIVED,
                                new=MessageTemplate.Status.APPROVED, rejection_reason="")


def template_reject(*, template: MessageTemplate, reason: str = "") -> MessageTemplate:
    return _template_transition(template, expected=MessageTemplate.Status.RECEIVED,
                                new=MessageTemplate.Status.REJECTED,
                                rejection_reason=fit(MessageTemplate, "rejection_reason", reason))


@transaction.atomic
def template_map(*, template: MessageTemplate, sources: dict | None = None) -> MessageTemplate:
    """Link every placeholder to a data source; APPROVED -> MAPPED when all are linked.

    `sources` ({1: "customer_first_name", ...}) writes the links first; without
    it the links already made (e.g. in the admin inline) are checked.
    """
    from ..models import TemplateVariable

    if template.status != MessageTemplate.Status.APPROVED:
        raise ValidationError(_("Only an approved template can be mapped."), code="template_not_approved")
    for position, source in (sources or {}).items():
        if source not in TemplateVariable.Source.values:
            raise ValidationError(_("Unknown data source %(source)s.") % {"source": source})
        TemplateVariable.objects.update_or_create(template=template, position=int(position),
                                                  defaults={"source": source})
    linked = set(template.variables.exclude(source="").values_list("position", flat=True))
    missing = [n for n in template_placeholders(template) if n not in linked]
    if missing:
        raise ValidationError(
            _("Link a data source to %(placeholders)s first.")
            % {"placeholders": ", ".join(f"{{{{{n}}}}}" for n in missing)}, code="template_unmapped")
    if template.channel == Channel.WHATSAPP and not template.content_sid:
        raise ValidationError(_("A WhatsApp template needs its Twilio Content SID."),
                              code="template_no_content_sid")
    return _template_transition(template, expected=MessageTemplate.Status.APPROVED,
                                new=MessageTemplate.Status.MAPPED)


def _template_transition(template: MessageTemplate, *, expected: str, new: str, **fields) -> MessageTemplate:
    changed = MessageTemplate.objects.filter(pk=template.pk, status=expected).update(
        status=new, updated_at=timezone.now(), **fields)
    if not changed:
        raise ValidationError(
            _("The template is %(status)s; it must be %(expected)s for this.") % {
                "status": template.get_status_display(),
                "expected": MessageTemplate.Status(expected).label},
            code="template_status")
    template.refresh_from_db()
    return template

