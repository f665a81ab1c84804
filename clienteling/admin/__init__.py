from . import configuration, customers, org  # noqa: F401  register the admin screens
