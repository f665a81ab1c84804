"""Bulk actions on customers: queued as a job, run in chunks by a Celery task."""

from bisect import bisect_right
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.background import TRANSIENT_DATABASE_ERRORS
from clienteling.access import customers_for
from clienteling.models import AuditAction, BulkJob
from clienteling.registry import bulk_actions

from .audit import audit_record

CHUNK_SIZE = 500
MAX_SELECTED_IDS = 5000
# The last customer id a bulk job has done (in its report): where a run after a crash resumes.
RESUME_AFTER = "resume_after"


@transaction.atomic
def bulk_job_start(*, user, action_key: str, params: dict, ids: list[int] | None = None,
                   query: str | None = None, store=None) -> BulkJob:
    """Record the job, then queue it once the row is committed."""
    action = bulk_actions.get(action_key)
    if action is None or action.run is None:
        raise ValidationError(_("Unknown bulk action."))
    if action.permission and not user.has_perm(action.permission):
        raise PermissionDenied
    if not ids and query is None:
        raise ValidationError(_("Select at least one customer."))
    if ids and len(ids) > MAX_SELECTED_IDS:
        raise ValidationError(_("Select at most %(n)s customers, or choose all matching.")
                              % {"n": MAX_SELECTED_IDS})
    if ids:
        # Only customers the user may see: ids from elsewhere are refused, not quietly kept.
        ids = list(customers_for(user).filter(pk__in=[int(pk) for pk in ids]).values_list("pk", flat=True))
        if not ids:
            raise ValidationError(_("Select at least one customer."))
    selection = {"ids": ids} if ids else {"query": query}
    job = BulkJob.objects.create(action=action_key, created_by=user, store=store,
                                 params={"action": params, "selection": selection})
    audit_record(action=AuditAction.BULK_ACTION, actor=user, target=f"{action_key} (job {job.pk})",
                 detail={"action": action_key, "selected": len(ids) if ids else "all matching"})
    from clienteling.tasks import bulk_job_run

    bulk_job_run.delay_on_commit(job.pk)
    return job


def _selected_ids(job: BulkJob) -> list[int]:
    from clienteling.selectors.lists import filtered_customers

    selection = job.params.get("selection", {})
    # Re-scoped to the user on every run: a selection cannot reach customers
    # the user may not see, whatever ids the request carried.
    _filterset, queryset = filtered_customers(
        user=job.created_by, params=QueryDict(selection.get("query") or "")
    )
    if "ids" in selection:
        queryset = queryset.filter(pk__in=selection["ids"])
    return list(queryset.order_by("pk").values_list("pk", flat=True))


def bulk_job_run(*, job_id: int) -> BulkJob | None:
    """Claim the job (queued -> running) and work through it; safe to run twice, and resumable.

    Each chunk commits together with the job's progress, under a lock on the job's row: a
    run after a crash (the task handed out again by the broker) carries on after the last
    customer done, and two runs of one job never do a chunk twice.
    """
    BulkJob.objects.filter(pk=job_id, status=BulkJob.Status.QUEUED).update(status=BulkJob.Status.RUNNING)
    job = BulkJob.objects.select_related("created_by", "store").filter(
        pk=job_id, status=BulkJob.Status.RUNNING).first()
    if job is None:
        return None
    action = bulk_actions.get(job.action)
    # Ordered by id: what is left after a crash is what comes after the last id done.
    ids = _selected_ids(job)
    left = ids[bisect_right(ids, job.report.get(RESUME_AFTER, 0)):]
    BulkJob.objects.filter(pk=job.pk).update(total=job.processed + len(left))
    try:
        more = True
        while more:
            more = _bulk_job_chunk_run(job_id=job.pk, action=action, ids=ids)
    except TRANSIENT_DATABASE_ERRORS:
        raise  # the task runs again (catalog.background) and resumes after the last chunk
    except Exception as exc:
        BulkJob.objects.filter(pk=job.pk).update(
            status=BulkJob.Status.FAILED, finished_at=timezone.now(),
            report={"error": str(exc)[:500]})
        raise
    BulkJob.objects.filter(pk=job.pk, status=BulkJob.Status.RUNNING).update(
        status=BulkJob.Status.DONE, finished_at=timezone.now(), total=F("processed"))
    job.refresh_from_db()
    return job


def bulk_jobs_requeue_stale(*, older_than: timedelta = timedelta(minutes=15)) -> int:
    """Beat: jobs still queued long after they were started (their task lost with a Redis
    restart) are queued again; a run that was only late finds the job taken or done."""
    from clienteling.tasks import bulk_job_run as run

    stale = timezone.now() - older_than
    ids = list(BulkJob.objects.filter(status=BulkJob.Status.QUEUED, created_at__lt=stale)
               .order_by("pk").values_list("pk", flat=True)[:100])
    for job_id in ids:
        run.delay_on_commit(job_id)
    return len(ids)


def _bulk_job_chunk_run(*, job_id: int, action, ids: list[int]) -> bool:
    """The next chunk of the job, committed with its progress; False when nothing is left."""
    with transaction.atomic():
        job = (BulkJob.objects.select_for_update(of=("self",)).select_related("created_by", "store")
               .get(pk=job_id))
        start = bisect_right(ids, job.report.get(RESUME_AFTER, 0))
        chunk = ids[start:start + CHUNK_SIZE]
        if job.status != BulkJob.Status.RUNNING or not chunk:
            return False
        done, not_done = action.run(job=job, customer_ids=chunk, params=job.params.get("action", {}))
        # The action may have written its own summary into the report (job.report is it).
        BulkJob.objects.filter(pk=job.pk).update(
            processed=F("processed") + len(chunk), succeeded=F("succeeded") + done,
            skipped=F("skipped") + not_done, report={**(job.report or {}), RESUME_AFTER: chunk[-1]})
    return True
