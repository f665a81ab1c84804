"""What the store's WhatsApp setup page reads: its sender, the chat link, the first message in."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from clienteling.access import managed_stores_for
from clienteling.models import Channel, Store

from ..models import Message
from ..providers import provider_name
from ..providers.addresses import active_twilio_account, messaging_settings, phone_e164, sender_number

PROVIDER_LABELS = {"meta": _("Meta (WhatsApp Cloud API)"), "twilio": _("Twilio"),
                   "demo": _("Demo provider (sends nothing)")}


@dataclass(frozen=True)
class WhatsAppSender:
    number: str  # E.164, "" when the store has none
    provider: str  # the provider's short name ("meta", "twilio", "demo")

    @property
    def chat_link(self) -> str:
        """wa.me opens a chat with the number in WhatsApp (its digits, no plus)."""
        return f"https://wa.me/{self.number.lstrip('+')}" if self.number else ""

    @property
    def provider_label(self) -> str:
        return str(PROVIDER_LABELS.get(self.provider, self.provider))


def whatsapp_managed_store(*, user, store_id) -> Store | None:
    """A store whose WhatsApp the user may set up: managers their stores, company admins all."""
    return managed_stores_for(user).filter(pk=store_id).first()


def whatsapp_sender(*, store: Store) -> WhatsAppSender:
    """The number customers write to for this store, as the configured provider sends from it."""
    name = provider_name(Channel.WHATSAPP)
    if name == "meta":
        from ..providers.meta import store_sender

        return WhatsAppSender(number=store_sender(store), provider=name)
    if name == "twilio":
        return WhatsAppSender(number=sender_number(store, Channel.WHATSAPP, active_twilio_account()),
                              provider=name)
    return WhatsAppSender(number=phone_e164(messaging_settings(store).whatsapp_sender), provider=name)


def whatsapp_first_inbound(*, store: Store, since: datetime) -> Message | None:
    """The first WhatsApp message a customer sent the store since `since`, with its customer."""
    return (Message.objects.filter(conversation__store=store, conversation__channel=Channel.WHATSAPP,
                                   direction=Message.Direction.INBOUND, created_at__gte=since)
            .select_related("conversation__customer").order_by("created_at", "pk").first())
