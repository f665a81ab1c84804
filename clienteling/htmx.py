"""The console's small response helpers, one of each: toast, bad request, form errors."""

import json

from django.http import HttpResponseBadRequest


def with_toast(response, message: str):
    """Ask the page to show a toast (static/js/atelier.js listens for "toast")."""
    response["HX-Trigger"] = json.dumps({"toast": str(message)})
    return response


def bad_request(message: str) -> HttpResponseBadRequest:
    """A 400 that says what was wrong, in plain text (htmx shows it as a toast)."""
    return HttpResponseBadRequest(str(message), content_type="text/plain; charset=utf-8")


def form_errors_text(form) -> str:
    """Every error of a form as one readable line ("Quantity: Enter a whole number.")."""
    texts = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        texts += [f"{label}: {error}" if label else str(error) for error in errors]
    return " ".join(texts)
