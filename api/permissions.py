"""Scopes: each view names its resource; safe methods need ``<resource>:read``, others ``:write``."""

from django.utils.translation import gettext as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import ApiKey


def required_scope(request, view) -> str:
    resource = view.scope_resource
    mode = "read" if request.method in SAFE_METHODS else "write"
    return f"{resource}:{mode}"


class HasScope(BasePermission):
    message = _("This API key lacks the scope this operation needs.")

    def has_permission(self, request, view):
        key = request.auth
        if not isinstance(key, ApiKey):
            return False
        scope = required_scope(request, view)
        if not key.has_scope(scope):
            self.message = _("This API key lacks the scope %(scope)s.") % {"scope": scope}
            return False
        return True
