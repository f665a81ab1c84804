from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo and scale data (seed_demo): the top of the stack, it fills every app's tables."""

    name = "demo"
    verbose_name = _("Demo data")
