"""The small interface every payment provider implements.

A provider creates a hosted payment link for one cart version, expires a link,
and turns a notification request into verified events. Adding one (Stripe
Checkout, say) is one new module with these three methods, listed in
carts.payments.BUILTIN or named by dotted path in settings.CARTS_PAYMENT_PROVIDER.

Errors: `PermanentError` (do not retry: bad credentials, refused request;
the reason is recorded and staff are told) or `TransientError` (nothing was
done or the outcome is unknown: retry with the same idempotency key).
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from catalog.money import minor_unit_exponent
from catalog.providers import InvalidSignature, PermanentError, ProviderError, TransientError

__all__ = ["InvalidSignature", "PaymentProviderError", "PermanentError", "TransientError"]


# The errors every provider family shares (catalog.providers): PermanentError(message, code=),
# TransientError(message, code=, retry_after=), InvalidSignature.
PaymentProviderError = ProviderError


@dataclass(frozen=True)
class LinkLine:
    id: str
    description: str
    quantity: int
    amount_including_tax_minor: int  # per unit
    amount_excluding_tax_minor: int  # per unit
    tax_amount_minor: int  # per unit
    tax_percentage_minor: int  # Adyen's convention: 2000 = 20 %


@dataclass(frozen=True)
class LinkRequest:
    """Everything a provider needs to create a hosted payment link for one cart version."""

    reference: str
    amount_minor: int
    amount: Decimal
    currency: str
    expires_at: datetime  # aware; the store's midnight
    idempotency_key: str
    description: str
    country: str
    shopper_reference: str
    shopper_locale: str
    return_url: str
    lines: list[LinkLine] = field(default_factory=list)


@dataclass(frozen=True)
class CreatedLink:
    provider_link_id: str
    url: str


@dataclass(frozen=True)
class Notification:
    """One verified event from the provider, in our words.

    `kind` is the interface's: "payment" (the outcome of a payment, `success` says which),
    or "other" (recorded, not acted on). `event_code` is the provider's own, for support.
    """

    psp_reference: str
    event_code: str
    kind: str
    merchant_reference: str
    success: bool
    amount_minor: int | None
    currency: str
    reason: str
    payload: dict


class PaymentProvider(ABC):
    name = "base"
    # What the provider expects back from a notification (body, content type).
    notification_response = ("", "text/plain")
    # Currencies whose amounts the provider counts in other minor units than ISO 4217.
    minor_unit_exponents: dict[str, int] = {}

    @classmethod
    def exponent(cls, currency: str) -> int:
        """Decimals of the provider's minor units for `currency` (amount_minor = amount x 10^n)."""
        return cls.minor_unit_exponents.get((currency or "").upper(), minor_unit_exponent(currency))

    def __init__(self, account=None):
        self.account = account

    @abstractmethod
    def create_link(self, request: LinkRequest) -> CreatedLink:
        """A hosted payment link for one cart version (idempotent on request.idempotency_key)."""

    @abstractmethod
    def expire_link(self, *, provider_link_id: str) -> None:
        """Make the link refuse payment from now on."""

    @abstractmethod
    def parse_notifications(self, *, body: bytes, headers) -> list[Notification]:
        """Verified events of one notification request; raises InvalidSignature."""
