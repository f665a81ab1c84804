from django.db.models import Q, QuerySet

from clienteling.access import stores_for

from .models import Conversation


def my_inbox(*, user, archived: bool = False) -> QuerySet[Conversation]:
    status = Conversation.Status.ARCHIVED if archived else Conversation.Status.OPEN
    return (
        Conversation.objects.filter(Q(assigned_to=user) | Q(started_by=user), status=status,
                                    store__in=stores_for(user))
        .select_related("customer", "store")
        .order_by("-last_message_at", "-id")
    )
