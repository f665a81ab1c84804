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
