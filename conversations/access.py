from django.core.exceptions import PermissionDenied
from django.http import Http404

from clienteling.models import ModuleSettings


def require_conversations(user) -> None:
    module = ModuleSettings.load()
    if not (module.customers_enabled and module.conversations_enabled):
        raise Http404
    if not user.has_perm("conversations.access_conversations"):
        raise PermissionDenied
