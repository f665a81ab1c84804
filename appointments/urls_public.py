"""Customer-facing booking pages, mounted at /b/ (no sign-in)."""

from django.urls import path  # noqa: F401

app_name = "booking"

urlpatterns = []
