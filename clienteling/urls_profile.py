"""URLs under /customers/<id>/ for working on a customer's profile."""

from django.urls import path

from .views import profile

urlpatterns = [
    path("sections/<int:section_id>/", profile.profile_section, name="profile_section"),
    path("timeline/", profile.timeline, name="profile_timeline"),
    path("notes/new/", profile.note_create, name="profile_note_create"),
    path("notes/<int:note_id>/edit/", profile.note_edit, name="profile_note_edit"),
    path("notes/<int:note_id>/pin/", profile.note_pin, name="profile_note_pin"),
    path("follow-ups/new/", profile.task_create, name="profile_task_create"),
    path("follow-ups/<int:task_id>/done/", profile.task_done, name="profile_task_done"),
    path("activities/new/", profile.activity_create, name="profile_activity_create"),
    path("contact/edit/", profile.contact_edit, name="profile_contact_edit"),
    path("attributes/<int:section_id>/edit/", profile.attributes_edit, name="profile_attributes_edit"),
    path("tags/", profile.tags, name="profile_tags"),
    path("tags/edit/", profile.tags_edit, name="profile_tags_edit"),
    path("client-book/add/", profile.client_book_add, name="profile_client_book_add"),
    path("home-store/", profile.home_store_edit, name="profile_home_store_edit"),
    path("client-book/remove/", profile.client_book_remove, name="profile_client_book_remove"),
]
