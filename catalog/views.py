"""Public, login-free pages behind unguessable share tokens. No customer data."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from .selectors import shared_page


def public_headers(response):
    """Share and cart links carry a secret token: keep them out of indexes, caches and other
    sites' referrer logs (same-origin, not no-referrer: a form post must still send its Origin)."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def shared(request, token: str):
    page = shared_page(token=token)
    if page is None:
        return public_headers(render(request, "catalog/shared.html", {"missing": True}, status=404))
    share = page["share"]
    if share.expires_at is not None and share.expires_at <= timezone.now():
        return public_headers(render(request, "catalog/shared.html", {"expired": True}, status=410))
    return public_headers(render(request, "catalog/shared.html", page))
