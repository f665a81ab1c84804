"""Provider webhooks, mounted at /webhooks/ (exact paths configured in Twilio and in Meta's app)."""

from django.urls import path

from . import webhooks

urlpatterns = [
    path("twilio/messages/", webhooks.twilio_messages, name="twilio_messages"),
    path("twilio/status/", webhooks.twilio_status, name="twilio_status"),
    path("meta/whatsapp/", webhooks.meta_whatsapp, name="meta_whatsapp"),
]
