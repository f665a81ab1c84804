"""Bulk marketing sends: consent, channel and caps decided per customer by the send rules."""

from django import forms
from django.db.models import Q
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from clienteling.access import stores_for
from clienteling.bulk import BulkForm
from clienteling.selectors.navigation import home_store_for

from . import services
from .models import MessageTemplate
from .outreach import outreach_report
from .selectors.rules import skip_reason_label


class SendMessageForm(BulkForm):
    template = forms.ModelChoiceField(
        label=_("Template"), queryset=MessageTemplate.objects.none(),
        help_text=_("Only approved templates can be sent in bulk."))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["template"].queryset = MessageTemplate.objects.filter(
            Q(store__isnull=True) | Q(store__in=stores_for(user)) if user else Q(),
            status=MessageTemplate.Status.APPROVED, active=True,
        ).order_by("channel", "name")

    def clean(self):
        cleaned = super().clean()
        # The job's report is written by a worker: it speaks the language of whoever started it.
        cleaned["language"] = get_language()
        return cleaned


def bulk_store(job):
    """The store a bulk job sends from: the job's own, else the sender's home store; never another's."""
    user = job.created_by
    if job.store_id and stores_for(user).filter(pk=job.store_id).exists():
        return job.store
    if job.store_id:
        return None
    return home_store_for(user)


def bulk_send_chunk(*, job, customer_ids, params) -> tuple[int, int]:
    template = MessageTemplate.objects.get(pk=params["template"])
    store = bulk_store(job)
    summary = job.report or {}
    if store is None:
        report = services.BulkSendReport()
        report.skipped["no_store"] = len(customer_ids)
    else:
        report = services.message_send_bulk(
            customer_ids=customer_ids, store=store, channel=template.channel, sender=job.created_by,
            template=template, bulk_job_id=job.pk)
    codes = summary.setdefault("skipped_codes", {})
    for reason, count in report.skipped.items():
        codes[reason] = codes.get(reason, 0) + count
    # The console's progress partial shows `skipped` as it is: readable reasons in the
    # language of whoever started the job.
    with translation.override(params.get("language") or None):
        summary["skipped"] = {skip_reason_label(code): count for code, count in codes.items()}
    summary["queued"] = summary.get("queued", 0) + report.queued
    summary["scheduled"] = summary.get("scheduled", 0) + report.scheduled
    job.report = summary
    type(job).objects.filter(pk=job.pk).update(report=summary)
    return report.sent, sum(report.skipped.values())


def send_summary(*, job):
    return outreach_report(job=job)
