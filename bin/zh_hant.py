#!/usr/bin/env python
"""Make the Traditional Chinese catalog from the Simplified one (OpenCC, Taiwan usage).

    bin/zh_hant.py           write locale/zh_Hant/LC_MESSAGES/django.po from zh_Hans
    bin/zh_hant.py --check   exit 1 when the written catalog differs from what zh_Hans gives

`make messages` runs it after the catalogs are refreshed: nobody translates zh_Hant by hand,
so a change to zh_Hans (a new or corrected translation) reaches Traditional Chinese here.
OpenCC's "s2twp" converts characters and Taiwanese phrasing (软件 -> 軟體); placeholders
and markup are ASCII and pass through unchanged.
"""

import argparse
import sys
from pathlib import Path

import polib
from opencc import OpenCC

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
TARGET = ROOT / "locale" / "zh_Hant" / "LC_MESSAGES" / "django.po"
HEADER = "Atelier's messages in Traditional Chinese: made from zh_Hans by bin/zh_hant.py, do not edit."


def converted(source: Path = SOURCE) -> polib.POFile:
    """The zh_Hans catalog with every translation in Traditional Chinese."""
    convert = OpenCC("s2twp").convert
    catalog = polib.pofile(str(source), wrapwidth=100)
    catalog.header = HEADER
    catalog.metadata["Language"] = "zh_Hant"
    for entry in catalog:
        if entry.msgstr:
            entry.msgstr = convert(entry.msgstr)
        if entry.msgstr_plural:
            entry.msgstr_plural = {n: convert(text) for n, text in entry.msgstr_plural.items()}
    return catalog


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args()
    catalog = converted()
    text = str(catalog)
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET.relative_to(ROOT)} is not in sync with zh_Hans: run bin/zh_hant.py")
            return 1
        print("zh_Hant is in sync with zh_Hans")
        return 0
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(text, encoding="utf-8")
    print(f"{TARGET.relative_to(ROOT)}: {len(catalog)} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
