"""Customer-facing booking pages, mounted at /b/ (no sign-in)."""

from django.urls import path

from . import views_public

app_name = "booking"

urlpatterns = [
    path("m/<str:token>/", views_public.manage, name="manage"),
    path("m/<str:token>/calendar.ics", views_public.ics, name="ics"),
    path("m/<str:token>/cancel/", views_public.cancel, name="cancel"),
    path("m/<str:token>/move/", views_public.move, name="move"),
    path("<str:token>/", views_public.page, name="page"),
    path("<str:token>/<int:type_id>/", views_public.slots, name="slots"),
    path("<str:token>/<int:type_id>/book/", views_public.book, name="book"),
]
