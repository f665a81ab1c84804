from celery import shared_task

from catalog.background import BeatJob

from . import services


@shared_task
def import_job_run(job_id: int) -> None:
    services.import_job_run(job_id=job_id)


@shared_task(base=BeatJob)
def import_jobs_requeue_stale() -> int:
    return services.import_jobs_requeue_stale()
