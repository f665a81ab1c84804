"""What every external provider (messaging, payments) shares: its errors and how it is chosen.

Providers sit behind small interfaces in the apps that use them
(conversations.providers, carts.payments), chosen by a setting like Django's email
backends: a short built-in name or a dotted path. Each maps its own failures to these
three outcomes, so the rest of the code never reads a provider's error codes.
"""

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from django.utils.module_loading import import_string


class ProviderError(Exception):
    """`message` is for people (recorded, shown to staff); `code` is the provider's own."""

    def __init__(self, message: str = "", *, code: str = ""):
        super().__init__(message or code)
        self.message = str(message or code)
        self.code = str(code or "")


class PermanentError(ProviderError):
    """Refused for good (bad credentials, a number that cannot receive texts ...): do not retry.

    `consequence` says what it means for the customer, in the interface's terms:
    "opted_out" (they blocked us) or "cannot_text" (not a mobile number), else "".
    """

    def __init__(self, message: str = "", *, code: str = "", consequence: str = ""):
        super().__init__(message, code=code)
        self.consequence = consequence


class TransientError(ProviderError):
    """Nothing was done (a rate limit, a server error, no connection): retry later, safely."""

    def __init__(self, message: str = "", *, code: str = "", retry_after: float | None = None):
        super().__init__(message, code=code)
        self.retry_after = retry_after


class UnknownOutcome(ProviderError):
    """The request may have arrived: never redo it blindly; reconcile with the provider."""


class InvalidSignature(Exception):
    """An incoming notification whose signature does not verify: nothing may change."""


def provider_class(name: str, builtin: dict[str, str]):
    """The class a setting names: a built-in short name or a dotted path."""
    return import_string(builtin.get(name, name))

def retry_after_seconds(value) -> float | None:
    """A Retry-After header (seconds or an HTTP date) as seconds from now; None when absent or unreadable."""
    value = str(value or "").strip()
    if not value:
        return None
    if value.replace(".", "", 1).isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)
