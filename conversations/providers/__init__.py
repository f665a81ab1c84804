"""Messaging providers, chosen per channel by settings.MESSAGING_PROVIDERS.

Like Django's email backends: a short name ("twilio", "meta" for WhatsApp, "demo", "email") or a
dotted path to a `BaseProvider` subclass.
"""

from django.conf import settings

from catalog.providers import provider_class

from .base import (
    BaseProvider,
    DeliveryReport,
    InboundMessage,
    PermanentError,
    ProviderError,
    SendResult,
    TransientError,
    UnknownOutcome,
)

BUILTIN = {
    "twilio": "conversations.providers.twilio.TwilioProvider",
    "meta": "conversations.providers.meta.MetaWhatsAppProvider",
    "demo": "conversations.providers.demo.DemoProvider",
    "email": "conversations.providers.email.EmailProvider",
}
DEFAULTS = {"sms": "demo", "whatsapp": "demo", "email": "email"}


def provider_name(channel: str) -> str:
    return settings.MESSAGING_PROVIDERS.get(channel, DEFAULTS.get(channel, "demo"))


def get_provider(channel: str) -> BaseProvider:
    return provider_by_name(provider_name(channel))


def provider_by_name(name: str) -> BaseProvider:
    """A provider by its short name or dotted path (webhooks name theirs in the URL)."""
    return provider_class(name, BUILTIN)()


__all__ = [
    "BaseProvider", "DeliveryReport", "InboundMessage", "PermanentError", "ProviderError", "SendResult",
    "TransientError", "UnknownOutcome", "get_provider", "provider_by_name", "provider_name",
]
