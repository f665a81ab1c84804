"""Import jobs: a file uploaded in the admin, previewed, then imported in the background."""

import csv
import io
import logging
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.db import fit
from clienteling.models import LegalEntity, Store

from ..models import ImportFileChunk, ImportJob
from .files import FileUnreadable, RejectedRow, file_import, file_preview, rejected_csv_rows

__all__ = [
    "import_job_create",
    "import_job_progress",
    "import_job_rejected_csv",
    "import_job_run",
    "import_job_start",
    "import_jobs_requeue_stale",
]

logger = logging.getLogger(__name__)
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
CHUNK_BYTES = 1024 * 1024


def _progress_key(job_id: int) -> str:
    return f"imports:job:{job_id}:progress"


def import_job_create(
    *,
    kind: str,
    legal_entity: LegalEntity,
    upload,
    created_by,
    store: Store | None = None,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    format_code: str = "",
) -> ImportJob:
    """Keep an uploaded file after checking it can be read (ValidationError with the reason otherwise).

    The job waits for its preview to be confirmed (`import_job_start`).
    """
    if store is not None and store.legal_entity_id != legal_entity.pk:
        raise ValidationError(_("The store belongs to another legal entity."))
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The file is larger than %(size)s MB.") % {"size": MAX_UPLOAD_BYTES // 2**20})
    try:
        preview = file_preview(stream=upload, kind=kind, format_code=format_code)
    except FileUnreadable as error:
        raise ValidationError(error.messages) from None
    upload.seek(0)
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind,
            legal_entity=legal_entity,
            store=store,
            dry_run=dry_run,
            all_or_nothing=all_or_nothing,
            format_code=preview.format.code,
            size_bytes=upload.size,
            created_by=created_by,
            header=preview.header,
            file_name=fit(ImportJob, "file_name", getattr(upload, "name", "") or "import.csv"),
        )
        for position, data in enumerate(upload.chunks(CHUNK_BYTES)):
            ImportFileChunk.objects.create(job=job, position=position, data=data)
    return job


class JobFile(io.RawIOBase):
    """A job's stored file as a stream of bytes, read a chunk from the database at a time."""

    def __init__(self, job_id: int):
        self.job_id, self.position, self.buffer = job_id, 0, b""

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=io.SEEK_SET):
        if offset != 0 or whence != io.SEEK_SET:
            raise io.UnsupportedOperation("a job's file is read from its start")
        self.position, self.buffer = 0, b""
        return 0

    def readinto(self, target):
        while not self.buffer:
            data = (
                ImportFileChunk.objects.filter(job_id=self.job_id, position=self.position)
                .values_list("data", flat=True)
                .first()
            )
            if data is None:
                return 0
            self.buffer, self.position = bytes(data), self.position + 1
        size = min(len(target), len(self.buffer))
        target[:size], self.buffer = self.buffer[:size], self.buffer[size:]
        return size


def import_job_file(*, job: ImportJob) -> io.BufferedReader:
    """The job's file, to read (the preview, the run)."""
    return io.BufferedReader(JobFile(job.pk), buffer_size=CHUNK_BYTES)


def import_job_start(*, job: ImportJob) -> bool:
    """Queue a previewed job (once: a second click changes nothing)."""
    from ..tasks import import_job_run as task

    with transaction.atomic():
        started = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PENDING).update(
            status=ImportJob.Status.QUEUED
        )
        if started:
            task.delay_on_commit(job.pk)
    job.refresh_from_db()
    return bool(started)


def import_job_progress(*, job: ImportJob) -> ImportJob:
    """The job with its latest progress: the cache's (shared by web and workers on Redis) else its row's."""
    mark = cache.get(_progress_key(job.pk))
    if mark and not job.finished:
        job.done_bytes, job.rows_read = max(mark[0], job.done_bytes), max(mark[1], job.rows_read)
    return job


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run a queued job: claim it (two workers never both run it), import, record the result."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("legal_entity", "store", "created_by").get(pk=job_id)

    def progress(done: int, rows: int) -> None:
        cache.set(_progress_key(job_id), (done, rows), 3600)
        if not job.all_or_nothing:  # inside the file's transaction the row would be seen only at its end
            ImportJob.objects.filter(pk=job_id).update(done_bytes=done, rows_read=rows)

    try:
        with import_job_file(job=job) as handle:
            report = file_import(
                stream=handle,
                kind=job.kind,
                legal_entity=job.legal_entity,
                store=job.store,
                source=f"import {job.file_name}",
                actor=job.created_by,
                dry_run=job.dry_run,
                all_or_nothing=job.all_or_nothing,
                format_code=job.format_code,
                progress=progress,
            )
    except (FileUnreadable, OSError) as error:
        message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED, error=message, finished_at=timezone.now()
        )
        return ImportJob.objects.get(pk=job_id)
    result = report.result
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.DONE,
        finished_at=timezone.now(),
        done_bytes=job.size_bytes,
        rows_read=report.rows_read,
        records=report.records,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        rejected=report.rejected_count,
        rolled_back=result.rolled_back,
        rejected_rows=[[r.line, r.key, r.reasons, r.cells] for r in report.rejected_rows],
    )
    cache.delete(_progress_key(job_id))
    ImportFileChunk.objects.filter(job_id=job_id).delete()  # the report keeps what was refused
    return ImportJob.objects.get(pk=job_id)


def import_jobs_requeue_stale(*, older_than_minutes: int = 60) -> int:
    """Jobs whose worker died while running: queued again (the import is idempotent)."""
    from ..tasks import import_job_run as task

    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    ids = list(
        ImportJob.objects.filter(status=ImportJob.Status.RUNNING, started_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    requeued = 0
    for pk in ids:
        with transaction.atomic():
            if ImportJob.objects.filter(pk=pk, status=ImportJob.Status.RUNNING).update(
                status=ImportJob.Status.QUEUED
            ):
                requeued += 1
                task.delay_on_commit(pk)
    return requeued


def import_job_rejected_csv(*, job: ImportJob) -> str:
    """The job's rejected rows as a CSV text (line, key, reasons, then the row's cells)."""
    out = io.StringIO()
    rows = [RejectedRow(line, key, reasons, cells) for line, key, reasons, cells in job.rejected_rows]
    csv.writer(out).writerows(rejected_csv_rows(rows, job.header))
    return out.getvalue()
