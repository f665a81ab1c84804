"""Customers' own access to their details, and tag uploads from a file."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .customer import Customer, Tag


def new_self_service_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the database keeps of a link's token: a leaked table opens no one's details."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SelfServiceLink(models.Model):
    """A signed link to the customer-facing "my details" page, sent by an associate.

    Only the token's SHA-256 is stored; the token itself is shown once, when the link is made.
    """

    customer = models.ForeignKey(
        Customer, models.CASCADE, related_name="self_service_links", verbose_name=_("customer")
    )
    token_digest = models.CharField(_("token digest"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("my details link")
        verbose_name_plural = _("my details links")
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="selfservice_customer"),
            models.Index(fields=["customer"], condition=Q(revoked_at__isnull=True), name="selfservice_live"),
        ]

    def __str__(self):
        return f"#{self.pk} ({self.customer_id})"


class TagUpload(models.Model):
    """A file of customer ids, emails or phones to put one tag on, and what came of it.

    The file's rows are kept until the upload is done (a background run reads them from
    here, so a worker on another machine needs no shared disk), then only the report is.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Kind(models.TextChoices):
        ID = "id", _("Customer number")
        EXTERNAL_ID = "external_id", _("External id (POS)")
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    tag = models.ForeignKey(Tag, models.CASCADE, related_name="+", verbose_name=_("tag"))
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    kind = models.CharField(_("matched on"), max_length=12, choices=Kind.choices)
    region = models.CharField(_("phone region"), max_length=2, blank=True)
    # [[line, value as written, normalised value], ...] still to do; emptied when the upload is done.
    rows = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    tagged = models.PositiveIntegerField(default=0)
    already = models.PositiveIntegerField(default=0)
    not_found = models.PositiveIntegerField(default=0)
    # [[line, value as written, reason], ...]: rows that could not be read.
    invalid = models.JSONField(default=list, blank=True)
    invalid_count = models.PositiveIntegerField(default=0)
    # [[line, value as written], ...]: rows that matched no customer the user may see.
    unmatched = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tag upload")
        verbose_name_plural = _("tag uploads")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} → {self.tag_id}"

    @property
    def percent(self) -> int:
        return int(self.processed * 100 / self.total) if self.total else 100
