"""Absolute links to Atelier: pages customers open, payment returns, provider webhooks.

Production sets `PUBLIC_BASE_URL` (its settings refuse to start without it). Unset,
on the embedded demo and in tests, links follow the address the product runs on:
the origin of the request being served (the host is checked against ALLOWED_HOSTS
first), else `LOCAL_BASE_URL`, which `make run HOST=… PORT=…` fills for the worker.
"""

from contextvars import ContextVar

from django.conf import settings

_request_origin: ContextVar[str] = ContextVar("atelier_request_origin", default="")


def public_base_url() -> str:
    configured = settings.PUBLIC_BASE_URL
    if configured:
        return configured.rstrip("/")
    return _request_origin.get() or settings.LOCAL_BASE_URL.rstrip("/")


def public_url(path: str) -> str:
    """`path` (absolute or relative to the root) on the public address."""
    return f"{public_base_url()}/{path.lstrip('/')}"


class RequestOriginMiddleware:
    """Remembers the request's origin while it is served, for links made on the way.

    Tasks queued by the request run in this context too when Celery runs them eagerly
    (the tests) or after commit in the same thread.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.PUBLIC_BASE_URL:
            return self.get_response(request)
        token = _request_origin.set(f"{request.scheme}://{request.get_host()}")
        try:
            return self.get_response(request)
        finally:
            _request_origin.reset(token)


class ProviderAddressRefused(ValueError):
    """An API base URL that would hand a provider's credentials to another host."""


def provider_base_url_check(url: str, *, own_domains: tuple[str, ...]) -> str:
    """`url` if credentials may go there, else ProviderAddressRefused.

    Pointing a provider at another address is for test doubles and development only
    (PROVIDER_TEST_DOUBLES, off in production): there, only the provider's own hosts
    over https are accepted, so an admin cannot send the account's secrets elsewhere.
    """
    from urllib.parse import urlsplit

    if not url or settings.PROVIDER_TEST_DOUBLES:
        return url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and any(host == d or host.endswith("." + d) for d in own_domains):
        return url
    raise ProviderAddressRefused(", ".join(own_domains))
