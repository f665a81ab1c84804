"""Messaging providers, chosen per channel by settings.MESSAGING_PROVIDERS.

Like Django's email backends: a short name ("twilio", "console", "email") or a
dotted path to a `BaseProvider` subclass.
"""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import (
    BaseProvider,
    PermanentError,
    ProviderError,
    SendResult,
    TransientError,
    UnknownOutcome,
)

BUILTIN = {
    "twilio": "conversations.providers.twilio.TwilioProvider",
    "console": "conversations.providers.console.ConsoleProvider",
    "email": "conversations.providers.email.EmailProvider",
}
DEFAULTS = {"sms": "console", "whatsapp": "console", "email": "email"}


def provider_name(channel: str) -> str:
    configured = getattr(settings, "MESSAGING_PROVIDERS", {}) or {}
    return configured.get(channel, DEFAULTS.get(channel, "console"))


def get_provider(channel: str) -> BaseProvider:
    name = provider_name(channel)
    return import_string(BUILTIN.get(name, name))()


__all__ = [
    "BaseProvider", "PermanentError", "ProviderError", "SendResult", "TransientError",
    "UnknownOutcome", "get_provider", "provider_name",
]
