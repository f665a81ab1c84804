"""Ops URLs, mounted at /: the load balancer's probes and the Prometheus scrape."""

from django.urls import path

from . import views

app_name = "ops"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics_view, name="metrics"),
]
