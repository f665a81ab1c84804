"""Operations: health and readiness checks, metrics, doctor and the sweeps runnable by hand."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = _("Operations")

    def ready(self):
        from django.core.signals import request_finished

        from . import request_id

        # Wiring, not business logic: a request's id ends with the request.
        request_finished.connect(request_id.unbind, dispatch_uid="ops.request_id.unbind")
