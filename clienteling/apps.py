from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientelingConfig(AppConfig):
    name = "clienteling"
    verbose_name = _("Clienteling")

    def ready(self):
        from . import sections  # noqa: F401  registers the built-in profile sections
