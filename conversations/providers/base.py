"""The small interface every messaging provider implements.

A provider turns one outbound `Message` into a provider-side message and maps
every failure to one of three outcomes the send task knows how to handle:

- `PermanentError`: do not retry; the code and readable reason are recorded.
- `TransientError`: nothing was sent; retry with backoff.
- `UnknownOutcome`: the request left and no answer came back (a read timeout):
  the message may exist at the provider, so it is never sent again blindly;
  it is reconciled from the status callback or by looking it up.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True)
class SendResult:
    provider_sid: str
    status: str  # one of Message.Status: sent, delivered ...


class ProviderError(Exception):
    def __init__(self, code: str = "", message: str = ""):
        super().__init__(message or code)
        self.code = str(code or "")
        self.message = message


class PermanentError(ProviderError):
    """The provider refused the message for good (bad number, opted out ...)."""


class TransientError(ProviderError):
    """Nothing was sent (rate limit, server error, connection refused): retry later."""

    def __init__(self, code: str = "", message: str = "", retry_after: float | None = None):
        super().__init__(code, message)
        self.retry_after = retry_after


class UnknownOutcome(ProviderError):
    """The request may have reached the provider; do not resend, reconcile."""


class BaseProvider(ABC):
    """Subclasses implement `send`; `lookup` helps reconcile unknown outcomes."""

    name = "base"

    @abstractmethod
    def send(self, message) -> SendResult:
        """Send one message; raise PermanentError, TransientError or UnknownOutcome on failure."""

    def lookup(self, message) -> SendResult | None:
        """Find a message whose send outcome is unknown; None when not found."""
        return None

    def after_sent(self, *, message_id: int, result: SendResult) -> None:  # noqa: B027  optional hook
        """Hook run once the send is recorded (the console provider fakes delivery); most need none."""
