"""Who saw or changed what: an append-only trail, kept for AUDIT_RETENTION_DAYS."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .customer import Customer


class AuditAction(models.TextChoices):
    VIEW_SENSITIVE = "customer.view_sensitive", _("Viewed unmasked customer details")
    EXPORT = "customers.export", _("Exported a customer list")
    BULK_ACTION = "customers.bulk_action", _("Ran a bulk action")
    REASSIGN = "client_book.reassign", _("Reassigned a client book")
    CONSENT_CHANGE = "consent.change", _("Changed consent")
    ROLE_CHANGE = "staff.role_change", _("Changed a role or store access")
    PERMISSION_CHANGE = "staff.permission_change", _("Changed permissions")
    CREDENTIALS_CHANGE = "provider.credentials_change", _("Changed provider credentials")
    SIGN_IN = "auth.sign_in", _("Signed in")
    SIGN_IN_FAILED = "auth.sign_in_failed", _("Failed to sign in")
    LOCKED_OUT = "auth.locked_out", _("Locked out after failed sign-ins")
    DATA_EXPORT = "customer.data_export", _("Exported a customer's personal data")
    ERASURE = "customer.erasure", _("Erased a customer's personal data")
    SELF_SERVICE_LINK = "customer.self_service_link", _("Sent or revoked a my-details link")
    SELF_SERVICE = "customer.self_service", _("Customer changed their own details")
    API_WRITE = "api.write", _("Wrote through the integration API")


class AuditEvent(models.Model):
    """One recorded action. Rows are only ever added (and pruned when they age out)."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("who"))
    # The name as it was, kept if the account goes (or for a failed sign-in's typed name).
    actor_name = models.CharField(_("who (as recorded)"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=AuditAction.choices, db_index=True)
    customer = models.ForeignKey(Customer, models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("customer"))
    target = models.CharField(_("what"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-at"], name="audit_customer"),
            models.Index(fields=["actor", "-at"], name="audit_actor"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("audit events are never changed")
        super().save(*args, **kwargs)
