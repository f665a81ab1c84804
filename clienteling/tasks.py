from celery import shared_task
from django.conf import settings

from catalog.background import BeatJob, retry_delay

from . import services
from .services import push, tag_import
from .services import sales as sales_services


@shared_task(base=BeatJob)
def customer_measures_refresh_stale() -> int:
    return services.customer_measures_refresh_stale()


@shared_task(base=BeatJob)
def customer_measures_fit() -> int | None:
    # Nightly refit; too little history yet is not an error (the previous model keeps scoring).
    from .measures.model import NotEnoughHistory

    try:
        return sales_services.customer_measures_fit().pk
    except NotEnoughHistory:
        return None


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


@shared_task(bind=True, acks_late=True)
def push_send(self, kind: str, object_ids: list[int], subscription_ids: list[int] | None = None) -> int:
    # A retry goes only to the devices whose push service was busy or unreachable.
    outcome = push.push_send(kind=kind, object_ids=object_ids, subscription_ids=subscription_ids)
    retries = self.request.retries or 0
    if outcome.retry and not self.request.is_eager and retries < settings.TASK_MAX_RETRIES:
        raise self.retry(args=(kind, object_ids, outcome.retry), max_retries=settings.TASK_MAX_RETRIES,
                         countdown=retry_delay(retries, outcome.retry_after))
    return outcome.sent
