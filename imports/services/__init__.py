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

__all__ = [
    "FileUnreadable",
    "ImportReport",
    "Preview",
    "RejectedRow",
    "file_import",
    "file_preview",
    "rejected_csv_rows",
]
