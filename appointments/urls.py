"""Appointments URLs, mounted at /appointments/."""

from django.urls import path  # noqa: F401

app_name = "appointments"

urlpatterns = []
