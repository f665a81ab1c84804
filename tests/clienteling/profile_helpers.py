"""Helpers the customer profile tests share."""

import json
from datetime import UTC, datetime

from django.urls import reverse

from clienteling.models import ProfileSection

HTMX = {"HX-Request": "true"}
# 15 January 2026, 17:00 UTC = noon in New York (store A's zone).
NOON_IN_NEW_YORK = datetime(2026, 1, 15, 17, 0, tzinfo=UTC)


def profile_url(customer):
    return reverse("clienteling:customer_detail", args=[customer.pk])


def url(name, customer, *args):
    return reverse(f"clienteling:{name}", args=[customer.pk, *args])


def toast(response) -> str:
    return json.loads(response.headers["HX-Trigger"])["toast"]


def section(kind) -> ProfileSection:
    return ProfileSection.objects.get(kind=kind)


def field(attribute) -> str:
    return f"attribute_{attribute.pk}"
