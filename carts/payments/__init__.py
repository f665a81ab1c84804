"""Payment providers, chosen by settings.CARTS_PAYMENT_PROVIDER.

Like Django's email backends: a short name ("demo", "adyen") or a dotted path
to a `PaymentProvider` subclass. Credentials come from the active
PaymentProviderAccount of that provider (Company Admin).
"""

from django.conf import settings

from catalog.providers import provider_class as shared_provider_class

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
    return settings.CARTS_PAYMENT_PROVIDER or "demo"


def provider_class(name: str) -> type[PaymentProvider]:
    return shared_provider_class(name, BUILTIN)


def get_provider(name: str | None = None) -> PaymentProvider:
    from carts.models import PaymentProviderAccount

    cls = provider_class(name or provider_name())
    account = (PaymentProviderAccount.objects.filter(provider=cls.name, active=True)
               .order_by("pk").first())
    return cls(account)


def notification_providers() -> set[str]:
    """Provider names whose notification URL answers.

    The configured provider, and any other real one with an active account (its links
    may still be paid after a switch). The demo answers only while it is the one
    configured: its notifications must never confirm a real provider's payment.
    """
    from carts.models import PaymentProviderAccount

    configured = provider_class(provider_name()).name
    others = set(PaymentProviderAccount.objects.filter(active=True).exclude(provider="demo")
                 .values_list("provider", flat=True))
    return {configured} | others


__all__ = [
    "BUILTIN", "CreatedLink", "InvalidSignature", "LinkLine", "LinkRequest", "Notification",
    "PaymentProvider", "PaymentProviderError", "PermanentError", "TransientError",
    "get_provider", "notification_providers", "provider_class", "provider_name",
]
