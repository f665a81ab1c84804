"""Wiring only: sign-ins, failures and lockouts into the audit trail."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from .models import AuditAction
from .services.audit import audit_record


@receiver(user_logged_in, dispatch_uid="audit-sign-in")
def _signed_in(sender, request, user, **kwargs):
    audit_record(action=AuditAction.SIGN_IN, actor=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit-sign-in-failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    # The typed name only: never the password (Django already masks it).
    audit_record(action=AuditAction.SIGN_IN_FAILED, actor_name=str(credentials.get("username", "")),
                 request=request)


@receiver(user_locked_out, dispatch_uid="audit-locked-out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    audit_record(action=AuditAction.LOCKED_OUT, actor_name=str(username or ""), request=request,
                 detail={"address": ip_address})
