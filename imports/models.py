from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clienteling.models import LegalEntity, Store

from .formats import KINDS


class ImportJob(models.Model):
    """A file uploaded in the admin: previewed, then imported by a Celery task with its progress.

    The file's bytes are kept in the database (ImportFileChunk) until the job is done, so any
    worker on any machine reads them, a chunk at a time. The rejected rows (line, key,
    reasons, the row's cells) are kept for the report and its CSV download, up to
    `imports.services.files.KEEP_REJECTED`.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("what"), max_length=16, choices=list(KINDS.items()))
    legal_entity = models.ForeignKey(
        LegalEntity, models.PROTECT, related_name="+", verbose_name=_("legal entity")
    )
    store = models.ForeignKey(
        Store,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("store"),
        help_text=_(
            "The store the file is about when its rows do not say: customers' home store, "
            "orders without a location, the stock of a products export."
        ),
    )
    file_name = models.CharField(_("file name"), max_length=255)
    format_code = models.CharField(_("format"), max_length=40)
    dry_run = models.BooleanField(_("dry run"), default=False, help_text=_("Check and count; write nothing."))
    all_or_nothing = models.BooleanField(
        _("all or nothing"), default=False, help_text=_("Keep nothing of the file if one record is refused.")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    size_bytes = models.PositiveBigIntegerField(_("size"), default=0)
    done_bytes = models.PositiveBigIntegerField(default=0)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    records = models.PositiveIntegerField(_("records"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    rolled_back = models.BooleanField(_("nothing kept"), default=False)
    header = models.JSONField(default=list, blank=True)
    rejected_rows = models.JSONField(default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="import_job_status")]

    def __str__(self):
        return self.file_name

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(int(100 * self.done_bytes / self.size_bytes), 99) if self.size_bytes else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class ImportFileChunk(models.Model):
    """One megabyte of an uploaded file, in order."""

    job = models.ForeignKey(ImportJob, models.CASCADE, related_name="chunks")
    position = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "position"], name="import_chunk_unique")]
