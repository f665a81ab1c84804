"""Who a message goes to and which store number it leaves from."""

from urllib.parse import urlsplit

import phonenumbers
from django.utils.translation import gettext as _

from catalog.links import public_url
from clienteling.models import Channel, Customer, Store

from ..models import StoreMessagingSettings, TwilioAccount
from .base import PermanentError


def messaging_settings(store: Store) -> StoreMessagingSettings:
    """The store's messaging settings, or the defaults (unsaved) when none were made."""
    try:
        return store.messaging_settings
    except StoreMessagingSettings.DoesNotExist:
        return StoreMessagingSettings(store=store)


def active_twilio_account() -> TwilioAccount | None:
    return TwilioAccount.objects.filter(active=True).order_by("-updated_at", "-pk").first()


def sender_number(store: Store, channel: str, account: TwilioAccount | None = None) -> str:
    settings = messaging_settings(store)
    if channel == Channel.WHATSAPP:
        number = settings.whatsapp_sender or (account.whatsapp_sender if account else "")
    else:
        number = settings.sms_number or store.clienteling_phone
    return phone_e164(number)


def phone_e164(value) -> str:
    """E.164 text of a stored number without re-validating it (str() validates: slow in bulk)."""
    if isinstance(value, phonenumbers.PhoneNumber):
        return phonenumbers.format_number(value, phonenumbers.PhoneNumberFormat.E164)
    return str(value or "")


def recipient(customer: Customer, channel: str) -> str:
    if channel == Channel.EMAIL:
        return customer.email or ""
    return phone_e164(customer.phone)


def recipient_of(message) -> str:
    """Where a message goes: the customer's address on its thread's channel, or a permanent refusal."""
    conversation = message.conversation
    to = recipient(conversation.customer, conversation.channel)
    if not to:
        missing = (_("The customer has no email address.") if conversation.channel == Channel.EMAIL
                   else _("The customer has no mobile number."))
        raise PermanentError(missing, code="no_address")
    return to

def absolute_media_url(url: str) -> str:
    """A media URL as a provider fetches it: ours made absolute under PUBLIC_BASE_URL."""
    return url if urlsplit(url).scheme else public_url(url)
