"""The installable console's files: the web app manifest, the service worker at the root
scope with its settings, the offline page, and the head partial every console page includes."""

import json
import re
import struct
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from clienteling.views import pwa

pytestmark = pytest.mark.django_db
STATIC = Path(settings.BASE_DIR) / "static"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_manifest_makes_the_console_installable(client):
    response = client.get(reverse("pwa:manifest"))

    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert {key: manifest[key] for key in ("name", "short_name", "start_url", "scope", "display")} == {
        "name": "Atelier", "short_name": "Atelier", "start_url": "/", "scope": "/", "display": "standalone"}
    # The console's dark navigation bar: base.html's theme-color and atelier.css's --ink.
    assert manifest["theme_color"] == manifest["background_color"] == "#1f2933"
    base = (Path(settings.BASE_DIR) / "templates/base.html").read_text()
    assert '<meta name="theme-color" content="#1f2933">' in base
    assert "--ink: #1f2933" in (STATIC / "css/atelier.css").read_text()
    icons = {(icon["sizes"], icon["purpose"]): icon["src"] for icon in manifest["icons"]}
    assert set(icons) == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for (sizes, _purpose), src in icons.items():
        width = int(sizes.split("x")[0])
        assert png_size(STATIC / src.removeprefix("/static/")) == (width, width)


def test_the_service_worker_is_served_at_the_root_with_its_settings(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/" and response["Cache-Control"] == "no-cache"
    text = response.content.decode()
    config = json.loads(re.match(r"self\.ATELIER = (\{.*\});\n", text).group(1))
    assert re.fullmatch(r"[0-9a-f]{16}", config["version"])
    assert (config["offline"], config["login"], config["static"]) == ("/offline/", "/login/", "/static/")
    assert "/static/css/atelier.css" in config["shell"] and "/static/js/pwa.js" in config["shell"]
    for url in config["shell"]:
        assert (STATIC / url.removeprefix("/static/")).exists() or url.startswith("/static/django_htmx/")
    # Customers' pages, webhooks and the admin are never the console's to keep.
    assert {"/c/", "/d/", "/s/", "/webhooks/", "/admin/"} <= set(config["passThrough"])
    assert (STATIC / "js/sw.js").read_text() in text


def test_a_new_cache_version_names_a_new_cache(client, settings):
    pwa._shell_version.cache_clear()
    first = pwa.shell_version()
    settings.PWA_CACHE_VERSION = "2"
    pwa._shell_version.cache_clear()
    try:
        assert pwa.shell_version() != first
    finally:
        pwa._shell_version.cache_clear()


def test_the_offline_page_says_honestly_what_works_and_holds_nobodys_data(client, associate_a):
    client.force_login(associate_a)

    response = client.get(reverse("pwa:offline"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "You are offline" in page and "nothing can be looked up, sent or saved" in page
    assert "read only and as they were then" in page
    assert associate_a.first_name not in page and "<script" not in page  # cached for anyone, CSP-clean


def test_console_pages_link_the_manifest_and_load_the_worker_from_a_static_file(client, associate_a):
    anonymous = client.get(reverse("login")).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in anonymous
    assert 'src="/static/js/pwa.js" defer data-worker="/sw.js"' in anonymous
    assert "data-notifications-url" not in anonymous

    client.force_login(associate_a)
    page = client.get(reverse("clienteling:today")).content.decode()

    assert 'data-notifications-url="/account/notifications/"' in page
    assert 'data-unsubscribe-url="/account/notifications/unsubscribe/"' in page
    assert "serviceWorker" not in page  # registration lives in static/js/pwa.js (no inline script)


def test_in_production_the_worker_keeps_the_builds_hashed_files(client, settings, tmp_path):
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
    call_command("collectstatic", interactive=False, verbosity=0)
    pwa._shell_version.cache_clear()
    try:
        text = client.get("/sw.js").content.decode()
        manifest = json.loads(client.get(reverse("pwa:manifest")).content)
    finally:
        pwa._shell_version.cache_clear()

    config = json.loads(re.match(r"self\.ATELIER = (\{.*\});\n", text).group(1))
    assert all(re.search(r"\.[0-9a-f]{12}\.\w+$", url) for url in config["shell"]), config["shell"]
    assert all((tmp_path / url.removeprefix("/static/")).exists() for url in config["shell"])
    assert all(re.search(r"\.[0-9a-f]{12}\.png$", icon["src"]) for icon in manifest["icons"])
