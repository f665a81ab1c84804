from . import audit, configuration, customers, measures, org  # noqa: F401  register the admin screens
from .audit import CredentialsAuditMixin
from .read_only import ReadOnlyAdmin

__all__ = ["CredentialsAuditMixin", "ReadOnlyAdmin"]
