"""What carts adds to the conversation screen, through conversations' registry."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from carts.access import carts_available
from conversations.registry import ThreadAction, thread_actions

thread_actions.register(ThreadAction(
    "remote_cart", _("Remote cart"), "cart",
    url=lambda conversation: reverse("carts:open_for_conversation", args=[conversation.pk]),
    available=carts_available, method="post",
))
thread_actions.register(ThreadAction(
    "share_catalog", _("Share from catalog"), "bag",
    url=lambda conversation: reverse("carts:share_picker", args=[conversation.pk]),
    available=carts_available,
))
