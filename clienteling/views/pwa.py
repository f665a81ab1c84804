"""The installable console (docs/pwa.md): web app manifest, service worker, offline page,
and each staff member's push notifications on this device."""

import hashlib
import json
from functools import cache

from django import forms
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from clienteling.access import module_view, staff_profile
from clienteling.htmx import bad_request, form_errors_text
from clienteling.models import PushSubscription
from clienteling.services import push

# The console's dark navigation bar (--ink in atelier.css): the installed app's frame.
THEME_COLOR = "#1f2933"
# What the service worker keeps for offline use: every page's own files. Their contents'
# hash names its cache, so a deploy that changes any of them replaces the cache.
SHELL_STATIC = (
    "vendor/bootstrap/bootstrap.min.css", "css/atelier.css", "vendor/bootstrap/bootstrap.bundle.min.js",
    "django_htmx/htmx-2.min.js", "django_htmx/django-htmx.js", "js/atelier.js", "js/pwa.js",
    "icons/sprite.svg", "icons/favicon.svg", "icons/icon-192.png",
)
# Customers' pages (carts, my details, shared products), providers' webhooks, the admin and
# media: the service worker leaves them to the network and never keeps a copy.
PASS_THROUGH = ("/admin/", "/webhooks/", "/c/", "/d/", "/s/", "/media/", "/logout/")


def _require_staff(user) -> None:
    """Push is for the console's staff (any role); a user without an active profile is refused."""
    profile = staff_profile(user)
    if not user.is_superuser and (profile is None or not profile.active):
        raise PermissionDenied


account_view = module_view(_require_staff)


@require_GET
@cache_control(max_age=3600)
def manifest(request):
    """The web app manifest: open to anyone, as browsers fetch it without cookies."""
    icons = [{"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
             {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
             {"src": static("icons/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png",
              "purpose": "maskable"}]
    data = {
        "id": "/", "name": "Atelier", "short_name": "Atelier", "lang": get_language(),
        "description": _("Clienteling for store teams"),
        "start_url": "/", "scope": "/", "display": "standalone", "orientation": "any",
        "theme_color": THEME_COLOR, "background_color": THEME_COLOR, "icons": icons,
    }
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")


@cache
def _shell_version() -> str:
    """PWA_CACHE_VERSION and a hash of the app shell's files (their URLs carry the build's
    hashes in production; their contents count in development)."""
    digest = hashlib.sha256(settings.PWA_CACHE_VERSION.encode())
    for name in SHELL_STATIC:
        digest.update(static(name).encode())
        found = finders.find(name)
        if found:
            with open(found, "rb") as file:
                digest.update(hashlib.sha256(file.read()).digest())
    return digest.hexdigest()[:16]


def shell_version() -> str:
    return _shell_version() if not settings.DEBUG else _shell_version.__wrapped__()


@cache
def _worker_source() -> str:
    with open(finders.find("js/sw.js"), encoding="utf-8") as file:
        return file.read()


@require_GET
def service_worker(request):
    """static/js/sw.js at the site's root (its scope is the whole console), with its settings:
    the cache's version, the app shell to keep, the offline page, the pages it leaves alone."""
    config = {
        "version": shell_version(),
        "shell": [static(name) for name in SHELL_STATIC],
        "static": settings.STATIC_URL,
        "offline": reverse("pwa:offline"),
        "login": reverse("login"),
        "passThrough": PASS_THROUGH,
        "icon": static("icons/icon-192.png"),
    }
    source = _worker_source() if not settings.DEBUG else _worker_source.__wrapped__()
    response = HttpResponse(f"self.ATELIER = {json.dumps(config)};\n{source}",
                            content_type="application/javascript; charset=utf-8")
    # Browsers look for a new worker at most daily anyway; no-cache makes every check real.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request):
    """What the service worker shows when the network is gone: no one's data, so open to all."""
    return render(request, "offline.html", {"theme_color": THEME_COLOR})


@account_view
@require_GET
def notifications(request):
    """Notifications on this device: switched on and off by static/js/pwa.js (Push API)."""
    devices = PushSubscription.objects.filter(user=request.user).count()
    return render(request, "clienteling/notifications.html", {
        "push_enabled": push.push_enabled(), "push_public_key": settings.PUSH_VAPID_PUBLIC_KEY,
        "devices": devices})


class SubscriptionForm(forms.Form):
    endpoint = forms.CharField(label=gettext_lazy("Push address"),
                               max_length=PushSubscription._meta.get_field("endpoint").max_length)
    p256dh = forms.CharField(label=gettext_lazy("Public key"),
                             max_length=PushSubscription._meta.get_field("p256dh").max_length)
    auth = forms.CharField(label=gettext_lazy("Authentication secret"),
                           max_length=PushSubscription._meta.get_field("auth").max_length)


@account_view
@require_POST
def subscribe(request):
    """Keep this browser's PushSubscription (endpoint and keys) for the signed-in staff member."""
    if not push.push_enabled():
        return bad_request(_("Notifications are not set up on this server."))
    form = SubscriptionForm(request.POST)
    if not form.is_valid():
        return bad_request(form_errors_text(form))
    try:
        push.push_subscribe(user=request.user, user_agent=request.headers.get("User-Agent", ""),
                            **form.cleaned_data)
    except ValidationError as error:
        return bad_request(" ".join(error.messages))
    return JsonResponse({"message": _("Notifications are on for this device.")}, status=201)


@account_view
@require_POST
def unsubscribe(request):
    """Forget this browser's subscription (only if it is the signed-in staff member's own)."""
    endpoint = request.POST.get("endpoint", "").strip()
    if not endpoint:
        return bad_request(_("Push address: This field is required."))
    push.push_unsubscribe(user=request.user, endpoint=endpoint)
    return JsonResponse({"message": _("Notifications are off for this device.")})


@account_view
@require_GET
def vapid_key(request):
    """The server's VAPID public key, for the browser's pushManager.subscribe(), and whether
    the browser's subscription (`?endpoint=`) is the signed-in staff member's."""
    endpoint = request.GET.get("endpoint", "").strip()
    mine = PushSubscription.objects.filter(user=request.user, endpoint=endpoint)
    subscribed = bool(endpoint) and mine.exists()
    return JsonResponse({"publicKey": settings.PUSH_VAPID_PUBLIC_KEY if push.push_enabled() else "",
                         "subscribed": subscribed})
