"""Provider webhooks, mounted at /webhooks/ (exact paths configured in Twilio)."""

from django.urls import path

from . import webhooks

urlpatterns = [
    path("twilio/messages/", webhooks.twilio_messages, name="twilio_messages"),
    path("twilio/status/", webhooks.twilio_status, name="twilio_status"),
]
