"""Ops URLs, mounted at /."""

from django.urls import path  # noqa: F401

app_name = "ops"

urlpatterns = []
