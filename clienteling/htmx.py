"""Small helpers for htmx responses."""

import json


def with_toast(response, message: str):
    """Ask the page to show a toast (static/js/atelier.js listens for "toast")."""
    response["HX-Trigger"] = json.dumps({"toast": str(message)})
    return response
