from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CartsConfig(AppConfig):
    name = "carts"
    verbose_name = _("Remote carts")

    def ready(self):
        from . import (
            navigation,  # noqa: F401  registers the Catalog and Carts menu items
            sections,  # noqa: F401  registers the "carts" profile section kind
            thread_actions,  # noqa: F401  registers the conversation screen's cart actions
        )
