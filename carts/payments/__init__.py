"""Payment providers, chosen by settings.CARTS_PAYMENT_PROVIDER.

Like Django's email backends: a short name ("demo", "adyen") or a dotted path
to a `PaymentProvider` subclass. Credentials come from the active
PaymentProviderAccount of that provider (Company Admin).
"""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import (
    CreatedLink,
    InvalidSignature,
    LinkLine,
    LinkRequest,
    Notification,
    PaymentProvider,
    PaymentProviderError,
    PermanentError,
    TransientError,
)

BUILTIN = {
    "demo": "carts.payments.demo.DemoProvider",
    "adyen": "carts.payments.adyen.AdyenProvider",
}


def provider_name() -> str:
    return getattr(settings, "CARTS_PAYMENT_PROVIDER", "demo") or "demo"


def provider_class(name: str) -> type[PaymentProvider]:
    return import_string(BUILTIN.get(name, name))


def get_provider(name: str | None = None) -> PaymentProvider:
    from carts.models import PaymentProviderAccount

    cls = provider_class(name or provider_name())
    account = (PaymentProviderAccount.objects.filter(provider=cls.name, active=True)
               .order_by("pk").first())
    return cls(account)


def notification_providers() -> set[str]:
    """Provider names whose notification URL answers: the built-ins and the configured one."""
    return set(BUILTIN) | {provider_class(provider_name()).name}


__all__ = [
    "BUILTIN", "CreatedLink", "InvalidSignature", "LinkLine", "LinkRequest", "Notification",
    "PaymentProvider", "PaymentProviderError", "PermanentError", "TransientError",
    "get_provider", "notification_providers", "provider_class", "provider_name",
]
