from . import audit, configuration, customers, org  # noqa: F401  register the admin screens
from .audit import CredentialsAuditMixin

__all__ = ["CredentialsAuditMixin"]
