"""Adyen Pay by Link through the official `Adyen` SDK.

- Create: POST /paymentLinks with the amount in minor units, the reference of
  the cart version, line items, `expiresAt` = the store's midnight and an
  `Idempotency-Key` header (the PaymentLink row's key), so a retried request
  returns the link already made instead of a second one.
- Expire: PATCH /paymentLinks/{id} {"status": "expired"}.
- Standard notifications: every NotificationRequestItem carries its own HMAC
  in additionalData.hmacSignature, checked with the SDK's
  `is_valid_hmac_notification`; an item without one is invalid. Adyen wants
  "[accepted]" back for every delivery: a refused delivery stays at the head
  of the endpoint's retry queue and holds back the webhooks behind it.
"""

import json
import logging
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import requests
from Adyen import Adyen, AdyenError
from Adyen.util import is_valid_hmac_notification
from django.conf import settings
from django.utils.translation import gettext as _
from urllib3.exceptions import NewConnectionError

from catalog.links import ProviderAddressRefused, provider_base_url_check

from .base import (
    CreatedLink,
    InvalidSignature,
    LinkRequest,
    Notification,
    PaymentProvider,
    PermanentError,
    TransientError,
)

logger = logging.getLogger(__name__)

API_VERSION = "v72"
_VERSIONED = re.compile(r"/v\d+/?$")
# docs.adyen.com/development-resources/api-idempotency: a request whose key another request
# is still working on is refused with this code; it is answered properly once that one ends.
IN_PROGRESS = "704"


class AdyenProvider(PaymentProvider):
    name = "adyen"
    notification_response = ("[accepted]", "text/plain")
    # docs.adyen.com/development-resources/currency-codes: where Adyen differs from ISO 4217.
    minor_unit_exponents = {"CLP": 2, "ISK": 2, "CVE": 0}

    def _api(self):
        account = self.account
        if account is None or not account.api_key or not account.merchant_account:
            raise PermanentError(_("Adyen is not configured: add an active account with an API key "
                                   "and merchant account."), code="not_configured")
        environment = "live" if account.environment == "live" else "test"
        adyen = Adyen(
            xapikey=account.api_key, platform=environment,
            merchant_account=account.merchant_account,
            live_endpoint_prefix=account.live_endpoint_prefix or None,
            http_timeout=settings.CARTS_PROVIDER_TIMEOUT,
        )
        api = adyen.checkout.payment_links_api
        try:
            provider_base_url_check(account.api_base_url, own_domains=account.OWN_DOMAINS)
        except ProviderAddressRefused:
            raise PermanentError(_("The Adyen account's API base URL is not an Adyen address."),
                                 code="api_base_url") from None
        if account.api_base_url:
            base = account.api_base_url.rstrip("/")
            api.baseUrl = base if _VERSIONED.search(base) else f"{base}/{API_VERSION}"
        return api

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except requests.ConnectionError as error:
            if isinstance(error, requests.ConnectTimeout) or _never_connected(error):
                raise TransientError(_("Adyen could not be reached."), code="connection") from error
            # The request may have arrived: the retry carries the same idempotency key (a
            # link) or asks for the same end state (an expiry), so Adyen does it once.
            raise TransientError(_("No answer from Adyen."), code="timeout") from error
        except requests.RequestException as error:
            raise TransientError(_("No answer from Adyen."), code="timeout") from error
        except AdyenError as error:
            status = int(error.status_code or 0) if str(error.status_code or "").isdigit() else 0
            message = _error_message(error)
            if status == 429:
                raise TransientError(_("Adyen is rate limiting requests."), code="429",
                                     retry_after=_retry_after(error.headers)) from error
            if status >= 500 or status == 409 or (status == 422 and str(error.error_code) == IN_PROGRESS):
                raise TransientError(_("Adyen had a server error (HTTP %(status)s): %(message)s") % {
                    "status": status, "message": message}, code=str(status),
                    retry_after=_retry_after(error.headers)) from error
            raise PermanentError(_("Adyen refused the request: %(message)s") % {"message": message},
                                 code=str(error.error_code or status)) from error

    def create_link(self, request: LinkRequest) -> CreatedLink:
        api = self._api()
        body = {
            "reference": request.reference,
            "amount": {"value": request.amount_minor, "currency": request.currency},
            "merchantAccount": self.account.merchant_account,
            "expiresAt": request.expires_at.isoformat(timespec="seconds"),
            "description": request.description[:280],
            "countryCode": request.country,
            "shopperReference": request.shopper_reference,
            "shopperLocale": request.shopper_locale,
            "returnUrl": request.return_url,
            "reusable": False,
            "lineItems": [
                {
                    "id": line.id, "description": line.description[:280],
                    "quantity": line.quantity,
                    "amountIncludingTax": line.amount_including_tax_minor,
                    "amountExcludingTax": line.amount_excluding_tax_minor,
                    "taxAmount": line.tax_amount_minor,
                    "taxPercentage": line.tax_percentage_minor,
                }
                for line in request.lines
            ],
        }
        result = self._call(api.payment_links, body, idempotency_key=request.idempotency_key)
        message = result.message if isinstance(result.message, dict) else {}
        if not message.get("id") or not message.get("url"):
            # A 2xx we cannot read (the SDK makes an unreadable body {}): the link may exist. Asking
            # again with the same idempotency key returns it, never a second one.
            raise TransientError(_("Adyen's answer could not be read."), code="bad_response")
        return CreatedLink(provider_link_id=str(message["id"]), url=str(message["url"]))

    def expire_link(self, *, provider_link_id: str) -> None:
        api = self._api()
        try:
            self._call(api.update_payment_link, {"status": "expired"}, provider_link_id)
        except PermanentError as error:
            # Already paid or expired at Adyen: nothing left to stop. (The code is Adyen's own,
            # "14_1" and the like, so the HTTP status is read from the SDK's error.)
            if getattr(error.__cause__, "status_code", None) in {422, 400}:
                logger.info("Adyen link %s not expired: %s", provider_link_id, error.message)
                return
            raise

    def parse_notifications(self, *, body: bytes, headers) -> list[Notification]:
        try:
            data = json.loads(body)
            items = [entry["NotificationRequestItem"] for entry in data["notificationItems"]]
        except (ValueError, KeyError, TypeError) as error:
            raise InvalidSignature(f"not an Adyen notification: {error}") from error
        key = (self.account.hmac_key if self.account else "") or ""
        merchant = self.account.merchant_account if self.account else ""
        verified, rejected = [], 0
        for item in items:
            if not key or not _valid_item(item, key):
                rejected += 1
                continue
            if merchant and item.get("merchantAccountCode") not in ("", None, merchant):
                rejected += 1
                continue
            verified.append(_notification(item))
        if rejected:
            logger.warning("Adyen notification: %s item(s) with a missing or bad HMAC ignored",
                           rejected)
        if not verified:
            raise InvalidSignature("no Adyen notification item verified")
        return verified


def _valid_item(item: dict, key: str) -> bool:
    additional = item.get("additionalData")
    signature = additional.get("hmacSignature") if isinstance(additional, dict) else None
    if not signature:
        return False  # a missing signature is invalid, never "not checked"
    try:
        return bool(is_valid_hmac_notification(item, key))
    except (KeyError, ValueError, TypeError):
        return False


def _notification(item: dict) -> Notification:
    amount = item.get("amount") or {}
    value = amount.get("value")
    return Notification(
        psp_reference=str(item.get("pspReference", "")),
        event_code=str(item.get("eventCode", "")),
        kind="payment" if item.get("eventCode") == "AUTHORISATION" else "other",
        merchant_reference=str(item.get("merchantReference", "")),
        success=str(item.get("success", "")).lower() == "true",
        amount_minor=int(value) if isinstance(value, int | str) and str(value).isdigit() else None,
        currency=str(amount.get("currency", "")),
        reason=str(item.get("reason", "")),
        payload=item,
    )


def _never_connected(error: requests.ConnectionError) -> bool:
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, NewConnectionError)


def _retry_after(headers) -> float | None:
    """Adyen's Retry-After (seconds or an HTTP date) as seconds from now."""
    value = str((headers or {}).get("Retry-After") or "").strip() if hasattr(headers, "get") else ""
    if value.replace(".", "", 1).isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def _error_message(error: AdyenError) -> str:
    message = error.message
    if isinstance(message, dict):
        return str(message.get("message") or message.get("errorCode") or message)[:255]
    return str(message)[:255]
