"""What higher apps plug into the catalog (catalog imports none of them).

A share link shows prices in the currency of the store it was shared from.
The catalog knows no stores, so the app that does registers how to find the
sharer's currency from its AppConfig.ready(); a caller that knows the store
passes `currency=` to the share services instead.
"""

from collections.abc import Callable

_share_currency: list[Callable[[object], str]] = []


def register_share_currency(resolver: Callable[[object], str]) -> None:
    """`resolver(user) -> currency code` ("" when it cannot tell). The last one registered wins."""
    _share_currency.append(resolver)


def share_currency_for(user) -> str:
    if user is None or not _share_currency:
        return ""
    return (_share_currency[-1](user) or "").upper()
