from celery import shared_task

from catalog.background import BeatJob

from . import services
from .services import tag_import


@shared_task(base=BeatJob)
def customer_measures_refresh_stale() -> int:
    return services.customer_measures_refresh_stale()


@shared_task(acks_late=True)
def bulk_job_run(job_id: int) -> None:
    # Idempotent: the service claims the job with a conditional update.
    services.bulk_job_run(job_id=job_id)


@shared_task(acks_late=True)
def tag_upload_run(upload_id: int) -> None:
    # Idempotent: the service claims the upload with a conditional update and resumes by its progress.
    tag_import.tag_upload_run(upload_id=upload_id)


@shared_task(base=BeatJob)
def bulk_jobs_requeue_stale() -> int:
    return services.bulk_jobs_requeue_stale()


@shared_task(base=BeatJob)
def audit_events_prune() -> int:
    return services.audit_events_prune()
