"""Appointments URLs, mounted at /appointments/."""

from django.urls import path

from . import views

app_name = "appointments"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("links/", views.booking_links, name="booking_links"),
    path("customers/<int:customer_id>/book/", views.book, name="book"),
    path("<int:appointment_id>/", views.detail, name="detail"),
    path("<int:appointment_id>/move/", views.move, name="move"),
    path("<int:appointment_id>/cancel/", views.cancel, name="cancel"),
    path("<int:appointment_id>/mark/", views.mark, name="mark"),
    path("conversations/<int:conversation_id>/booking-link/", views.booking_link_compose,
         name="booking_link_compose"),
]
