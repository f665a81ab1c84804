from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientelingConfig(AppConfig):
    name = "clienteling"
    verbose_name = _("Clienteling")

    def ready(self):
        from . import bulk, sections  # noqa: F401  register built-in sections and bulk actions
