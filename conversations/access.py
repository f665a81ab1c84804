
from django.core.exceptions import PermissionDenied
from django.http import Http404

from clienteling.access import module_view
from clienteling.models import ModuleSettings


def conversations_enabled() -> bool:
    """The module switch (registered by conversations); it needs the customer module too."""
    return ModuleSettings.load().enabled("conversations")


def require_conversations(user) -> None:
    if not conversations_enabled():
        raise Http404
    if not user.has_perm("conversations.access_conversations"):
        raise PermissionDenied


def access_conversation(user, conversation_id):
    """A conversation on one of the user's stores (store inbox rule), else 404."""
    from clienteling.access import stores_for

    from .models import Conversation

    conversation = (Conversation.objects.select_related("customer", "store", "assigned_to")
                    .filter(pk=conversation_id, store__in=stores_for(user)).first())
    if conversation is None:
        raise Http404
    return conversation


conversations_view = module_view(require_conversations)
