"""Build static/icons/sprite.svg from the bootstrap-icons npm package.

Only the icons the console uses go into the sprite, so pages load one small
file. Run after `npm pack bootstrap-icons@1` and extracting it:

    python bin/build_icon_sprite.py path/to/bootstrap-icons/package/icons
"""

import re
import sys
from pathlib import Path

ICONS = """
archive arrow-left arrow-left-right arrow-repeat bag bell book box-arrow-right box-seam
calendar-check calendar-event cart cart-check chat-dots chat-left-text check-circle check2
chevron-down chevron-left chevron-right clipboard-check clock credit-card download envelope
exclamation-triangle eye eye-slash filter funnel gear gift graph-up heart hourglass-split house
image inbox info-circle journal-text lightning link-45deg list list-check lock pencil people
people-fill person person-badge person-lines-fill person-plus pin pin-fill plus-lg search send
shop sort-down sort-up star star-fill sun tag tags telephone three-dots-vertical trash truck
upc-scan whatsapp x-circle x-lg
""".split()


def main(icons_dir: str) -> None:
    source = Path(icons_dir)
    symbols = []
    for name in ICONS:
        svg = (source / f"{name}.svg").read_text()
        view_box = re.search(r'viewBox="([^"]+)"', svg).group(1)
        body = re.sub(r"^<svg[^>]*>|</svg>\s*$", "", svg.strip()).strip()
        symbols.append(f'<symbol id="{name}" viewBox="{view_box}">{body}</symbol>')
    out = Path(__file__).resolve().parent.parent / "static/icons/sprite.svg"
    out.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" style="display:none">\n'
        "<!-- Bootstrap Icons (MIT), subset built by bin/build_icon_sprite.py -->\n"
        + "\n".join(symbols)
        + "\n</svg>\n"
    )
    print(f"wrote {len(symbols)} icons to {out}")


if __name__ == "__main__":
    main(sys.argv[1])
