from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientelingConfig(AppConfig):
    name = "clienteling"
    verbose_name = _("Clienteling")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import registrations, signals  # noqa: F401  the audit's wiring
        from .roles import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, sender=self)
