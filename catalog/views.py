"""Public, login-free pages behind unguessable share tokens. No customer data."""

from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import get_supported_language_variant
from django.views.decorators.http import require_GET

from .selectors import shared_page


def public_headers(response):
    """Share and cart links carry a secret token: keep them out of indexes, caches and other
    sites' referrer logs (same-origin, not no-referrer: a form post must still send its Origin)."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


def customer_language(code: str | None) -> str | None:
    """The customer's preferred language when Atelier speaks it ("fr-CA" keeps its region)."""
    code = (code or "").strip().replace("_", "-").lower()
    if not code:
        return None
    try:
        get_supported_language_variant(code)
    except LookupError:
        return None
    return code


def render_for_customer(request, template: str, context: dict, *, status: int = 200,
                        language: str | None = None):
    """A customer-facing page in the customer's own language (and region, for money and dates),
    else the browser's, with the public headers."""
    language = customer_language(language)
    if language is None:
        return public_headers(render(request, template, context, status=status))
    with translation.override(language):
        response = render(request, template, context, status=status)
    response["Content-Language"] = language
    return public_headers(response)


@require_GET
def shared(request, token: str):
    page = shared_page(token=token)
    if page is None:
        return public_headers(render(request, "catalog/shared.html", {"missing": True}, status=404))
    share = page["share"]
    if share.expires_at is not None and share.expires_at <= timezone.now():
        return public_headers(render(request, "catalog/shared.html", {"expired": True}, status=410))
    return public_headers(render(request, "catalog/shared.html", page))
