"""What conversations adds to the apps below it: the profile's "Conversations" section,
the list's "Send message" bulk action, menu item, module switch, role rights, the
sign-in notice and data requests. Imported once, by ConversationsConfig.ready()."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clienteling.access import customers_available, stores_for
from clienteling.models import Channel
from clienteling.registry import (
    BulkAction,
    LinkComposer,
    LoginNotice,
    ModuleSwitch,
    NavItem,
    PersonalDataPart,
    ProfileSectionKind,
    RolePermissions,
    bulk_actions,
    link_composers,
    login_notices,
    module_switches,
    nav_items,
    personal_data,
    profile_sections,
    push_kinds,
    role_permissions,
)

from . import bulk, push
from . import personal_data as conversations_personal_data
from .access import conversations_enabled
from .link_drafts import link_draft_compose
from .models import Conversation
from .selectors import unread_count, with_unread


def _conversations_section(*, user, customer, section) -> dict:
    stores = list(stores_for(user))
    threads = list(with_unread(Conversation.objects.filter(customer=customer, store__in=stores),
                               user=user).select_related("store").order_by("-last_message_at"))
    return {"threads": threads, "start_stores": stores,
            "channels": [c for c in Channel.choices if c[0] != Channel.EMAIL or customer.email],
            "can_text": bool(customer.phone) and customer.can_receive_texts}


profile_sections.register(ProfileSectionKind(
    "conversations", _("Conversations"), "conversations/sections/conversations.html",
    context=_conversations_section, permission="conversations.access_conversations",
))
bulk_actions.register(BulkAction(
    "send_message", _("Send message"), "send", bulk.bulk_send_chunk,
    permission="conversations.access_conversations", form_class=bulk.SendMessageForm,
    summary=bulk.send_summary, summary_template="conversations/partials/send_counts.html",
))


# --- The console's menu, the module switch, the roles' rights, the sign-in notice --------


def _conversations_available(user) -> bool:
    return (conversations_enabled() and customers_available(user)
            and user.has_perm("conversations.access_conversations"))


def _unread_notice(user) -> str:
    if not _conversations_available(user):
        return ""
    unread = unread_count(user=user)
    return ngettext("You have %(n)s unread message.", "You have %(n)s unread messages.",
                    unread) % {"n": unread} if unread else ""


nav_items.register(NavItem("conversations", _("Conversations"), "chat-dots", "conversations:inbox",
                           available=_conversations_available, shortcut=True,
                           badge_url_name="conversations:unread_badge", short_label=_("Inbox")))
module_switches.register(ModuleSwitch("conversations", _("Conversations"),
                                      _("Texts, WhatsApp and email with customers, and outreach.")))
role_permissions.register(RolePermissions("conversations",
                                          associate=frozenset({"conversations.access_conversations"})))
login_notices.register(LoginNotice("unread_messages", _unread_notice))
link_composers.register(LinkComposer("conversations", link_draft_compose, available=_conversations_available))
push_kinds.register(push.KIND)  # a customer's new message, to the thread's associate or store
personal_data.register(PersonalDataPart("conversations", _("Conversations and messages"),
                                        conversations_personal_data.export, conversations_personal_data.erase,
                                        files=conversations_personal_data.files))
