"""The installable console at the site's root (the service worker's scope is "/"), and
each staff member's push notifications."""

from django.urls import path

from .views import pwa

app_name = "pwa"

urlpatterns = [
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("account/notifications/", pwa.notifications, name="notifications"),
    path("account/notifications/key/", pwa.vapid_key, name="vapid_key"),
    path("account/notifications/subscribe/", pwa.subscribe, name="subscribe"),
    path("account/notifications/unsubscribe/", pwa.unsubscribe, name="unsubscribe"),
]
