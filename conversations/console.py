"""What conversations adds to clienteling's screens, through its registries."""

from django import forms
from django.db.models import Q
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from clienteling.access import customers_available, stores_for
from clienteling.bulk import BulkForm
from clienteling.models import Channel
from clienteling.registry import (
    BulkAction,
    LoginNotice,
    ModuleSwitch,
    NavItem,
    ProfileSectionKind,
    RolePermissions,
    bulk_actions,
    login_notices,
    module_switches,
    nav_items,
    profile_sections,
    role_permissions,
)

from .access import conversations_enabled
from .models import Conversation, MessageTemplate
from .selectors import unread_count, with_unread


def conversations_section(*, user, customer, section) -> dict:
    stores = list(stores_for(user))
    threads = list(with_unread(Conversation.objects.filter(customer=customer, store__in=stores),
                               user=user).select_related("store").order_by("-last_message_at"))
    return {"threads": threads, "start_stores": stores,
            "channels": [c for c in Channel.choices if c[0] != Channel.EMAIL or customer.email],
            "can_text": bool(customer.phone) and customer.can_receive_texts}


class SendMessageForm(BulkForm):
    template = forms.ModelChoiceField(
        label=_("Template"), queryset=MessageTemplate.objects.none(),
        help_text=_("Only approved, mapped templates can be sent in bulk."))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["template"].queryset = MessageTemplate.objects.filter(
            Q(store__isnull=True) | Q(store__in=stores_for(user)) if user else Q(),
            status=MessageTemplate.Status.MAPPED, active=True,
        ).order_by("channel", "name")

    def clean(self):
        cleaned = super().clean()
        # The job's report is written by a worker: it speaks the language of whoever started it.
        cleaned["language"] = get_language()
        return cleaned


def send_message(*, job, customer_ids, params):
    from .bulk import bulk_send_chunk

    return bulk_send_chunk(job=job, customer_ids=customer_ids, params=params)


profile_sections.register(ProfileSectionKind(
    "conversations", _("Conversations"), "conversations/sections/conversations.html",
    context=conversations_section, permission="conversations.access_conversations",
))
def send_summary(*, job):
    from .outreach import outreach_report

    return outreach_report(job=job)


bulk_actions.register(BulkAction(
    "send_message", _("Send message"), "send", send_message,
    permission="conversations.access_conversations", form_class=SendMessageForm,
    summary=send_summary, summary_template="conversations/partials/send_counts.html",
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
