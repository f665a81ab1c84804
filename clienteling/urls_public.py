"""Customer-facing, login-free clienteling pages, mounted at /d/."""

from django.urls import path

from .views import self_service

app_name = "clienteling_public"

urlpatterns = [
    path("<str:token>/", self_service.my_details, name="my_details"),
]
