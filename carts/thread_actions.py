"""What carts adds to the conversation screen, through conversations' registry."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clienteling.models import ModuleSettings
from conversations.registry import ThreadAction, thread_actions


def _carts_on(user) -> bool:
    # The same rule as carts.access.require_carts, as a yes/no for the button.
    return (ModuleSettings.load().remote_carts_enabled
            and user.has_perm("clienteling.view_customer_profile"))


thread_actions.register(ThreadAction(
    "remote_cart", _("Remote cart"), "cart",
    url=lambda conversation: reverse("carts:open_for_conversation", args=[conversation.pk]),
    available=_carts_on,
))
thread_actions.register(ThreadAction(
    "share_catalog", _("Share from catalog"), "bag",
    url=lambda conversation: reverse("carts:share_picker", args=[conversation.pk]),
    available=_carts_on,
))
