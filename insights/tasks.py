"""Insights' Celery tasks: thin, by id, safe to run twice."""

from celery import shared_task

from catalog.background import BeatJob

from . import services


@shared_task(base=BeatJob)
def action_feeds_build_due() -> int:
    # Idempotent: each store's day is claimed by one insert (FeedRun's unique store and day).
    return services.action_feeds_build_due()


@shared_task(base=BeatJob)
def sale_credits_assign_due() -> int:
    # Idempotent: a credited sale is skipped (SaleCredit.sale is unique).
    return services.sale_credits_assign_due()


@shared_task(acks_late=True)
def sale_credits_assign(sale_ids: list[int], changed_sale_ids: list[int] = ()) -> int:
    # Idempotent: a credited sale is skipped; a changed one is credited again from scratch.
    return (services.sale_credits_assign(sale_ids=list(changed_sale_ids), replace=True)
            + services.sale_credits_assign(sale_ids=list(sale_ids)))


@shared_task(acks_late=True)
def credit_recompute_run(job_id: int) -> int:
    # Idempotent: resumes from the job's last sale.
    return services.credit_recompute_run(job_id=job_id).done
