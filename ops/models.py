"""Heartbeats: the last time beat and each Celery worker showed they were alive."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """One row per beater: "beat" (beat's heartbeat task ran) or "worker:<hostname>".

    Kept in the database, not the cache: the embedded default's cache is per process, so
    `doctor` (a process of its own) could never read a worker's mark there.
    """

    name = models.CharField(_("name"), max_length=200, primary_key=True)
    at = models.DateTimeField(_("last beat at"))
    hostname = models.CharField(_("host"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"
