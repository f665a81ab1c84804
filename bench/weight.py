"""What a console page weighs over the wire: its HTML and every static file it loads, gzipped.

Production serves static files pre-compressed by WhiteNoise (gzip) and pages through
gunicorn behind a compressing proxy; gzip at level 6 stands for both here. A file the page
loads twice (the icon sprite, used by every icon) is counted once, as the browser fetches
it once.
"""

import gzip
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

STATIC_REFERENCE = re.compile(r'(?:href|src)="([^"#?]*?)(?:[?#][^"]*)?"')


@dataclass(frozen=True)
class PageWeight:
    path: str
    html_bytes: int
    html_gzip: int
    assets: dict  # static path -> gzipped bytes

    @property
    def total_gzip(self) -> int:
        return self.html_gzip + sum(self.assets.values())


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def static_assets(html: str) -> list[str]:
    """The static files a page loads (stylesheets, scripts, the icon sprite, images)."""
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    found = []
    for url in STATIC_REFERENCE.findall(html):
        path = urlsplit(url).path
        if path.startswith(prefix) and path not in found:
            found.append(path)
    return found


def page_weight(client, path: str) -> PageWeight:
    response = client.get(path)
    if response.status_code != 200:
        raise ValueError(f"{path} answered {response.status_code}")
    html = response.content
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    assets = {}
    for url in static_assets(html.decode()):
        found = finders.find(url[len(prefix):])
        if found:
            assets[url] = gzipped(Path(found).read_bytes())
    return PageWeight(path=path, html_bytes=len(html), html_gzip=gzipped(html), assets=assets)
