"""imports write services: reading files into the ingest services, the admin's import jobs."""

from .files import (
    FileUnreadable,
    ImportReport,
    Preview,
    RejectedRow,
    file_import,
    file_preview,
    rejected_csv_rows,
)
from .jobs import (
    import_job_create,
    import_job_file,
    import_job_progress,
    import_job_rejected_csv,
    import_job_run,
    import_job_start,
    import_jobs_requeue_stale,
)

__all__ = [
    "FileUnreadable",
    "ImportReport",
    "Preview",
    "RejectedRow",
    "file_import",
    "file_preview",
    "import_job_create",
    "import_job_file",
    "import_job_progress",
    "import_job_rejected_csv",
    "import_job_run",
    "import_job_start",
    "import_jobs_requeue_stale",
    "rejected_csv_rows",
]
