"""Bulk marketing sends: consent, channel and caps decided per customer by the send rules."""

from clienteling.models import Store

from . import services
from .models import MessageTemplate


def bulk_send_chunk(*, job, customer_ids, params) -> tuple[int, int]:
    template = MessageTemplate.objects.get(pk=params["template"])
    store = job.store or Store.objects.filter(active=True).order_by("pk").first()
    report = services.message_send_bulk(
        customer_ids=customer_ids, store=store, channel=template.channel, sender=job.created_by,
        template=template, bulk_job_id=job.pk)
    summary = job.report or {}
    skipped = summary.setdefault("skipped", {})
    for reason, count in report.skipped.items():
        skipped[reason] = skipped.get(reason, 0) + count
    job.report = summary
    type(job).objects.filter(pk=job.pk).update(report=summary)
    return report.sent, sum(report.skipped.values())
