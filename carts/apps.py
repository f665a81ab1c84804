from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _sharer_currency(user) -> str:
    """A catalog share shows prices in the currency of the sharer's home store."""
    from clienteling.selectors.navigation import home_store_for

    store = home_store_for(user) if getattr(user, "is_authenticated", False) else None
    return store.currency if store else ""


class CartsConfig(AppConfig):
    name = "carts"
    verbose_name = _("Remote carts")

    def ready(self):
        from catalog.registry import register_share_currency

        from . import (
            navigation,  # noqa: F401  registers the Catalog and Carts menu items
            personal_data,  # noqa: F401  registers carts for customers' data requests
            sections,  # noqa: F401  registers the "carts" profile section kind
            thread_actions,  # noqa: F401  registers the conversation screen's cart actions
        )

        register_share_currency(_sharer_currency)
