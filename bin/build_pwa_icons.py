"""Build the installable console's PNG icons from static/icons/favicon.svg.

Chromium (Debian's, as the browser tests use) draws the favicon's artwork at each size, so
the home-screen icon is the tab's icon: static/icons/icon-192.png and icon-512.png (the
rounded tile, purpose "any"), and icon-maskable-512.png (purpose "maskable": the tile's
colour to the edges, the letter inside the middle 80 % that every mask shape keeps).

    .venv/bin/python bin/build_pwa_icons.py
"""

import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "static" / "icons"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
# A maskable icon's safe zone is the centre circle of 80 % of its width; the letter's tile
# is drawn at 70 % so it clears it.
MASKABLE_SCALE = 0.7


def page_html(svg: str, size: int, *, maskable: bool) -> str:
    background = re.search(r'fill="(#[0-9a-fA-F]{6})"', svg).group(1)
    if maskable:
        inner = round(size * MASKABLE_SCALE)
        artwork = svg.replace('rx="7"', 'rx="0"')
        body = (f'<div style="width:{size}px;height:{size}px;background:{background};display:flex;'
                f'align-items:center;justify-content:center">'
                f'<div style="width:{inner}px;height:{inner}px">{artwork}</div></div>')
    else:
        body = f'<div style="width:{size}px;height:{size}px">{svg}</div>'
    return ("<!doctype html><html><head><style>html,body{margin:0;background:transparent}"
            "svg{width:100%;height:100%;display:block}</style></head>"
            f"<body>{body}</body></html>")


def main() -> None:
    svg = (ICONS / "favicon.svg").read_text()
    wanted = [("icon-192.png", 192, False), ("icon-512.png", 512, False),
              ("icon-maskable-512.png", 512, True)]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, size, maskable in wanted:
            page = browser.new_page(viewport={"width": size, "height": size})
            page.set_content(page_html(svg, size, maskable=maskable))
            page.screenshot(path=str(ICONS / name), omit_background=True,
                            clip={"x": 0, "y": 0, "width": size, "height": size})
            page.close()
            print(f"static/icons/{name}", file=sys.stderr)
        browser.close()


if __name__ == "__main__":
    main()
