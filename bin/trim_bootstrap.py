"""Trim Bootstrap's CSS to the classes Atelier uses (a PurgeCSS-like pass, in Python).

    python bin/trim_bootstrap.py          # write static/vendor/bootstrap/bootstrap.min.css
    python bin/trim_bootstrap.py --check  # exit 1 when a used class is missing from the committed file

The full stylesheet stays beside it (bootstrap.full.min.css, as released); the pages load the
trimmed one. A rule is kept when each class its selector names is used somewhere: a word in a
template, in Python that writes markup (template tags), in our JavaScript, or among the classes
Bootstrap's JavaScript adds (SAFELIST: show, collapsing, modal-backdrop...). A class written with a
template variable (`text-bg-{{ tone }}`) keeps every class of that prefix. Element selectors,
custom properties and keyframes in use are kept. The admin has its own CSS and loads none of this.

`make bootstrap-css` runs it; tests/test_bootstrap_trim.py fails when a template uses a class the
trimmed file dropped, so the file is regenerated with the templates.
"""

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "static" / "vendor" / "bootstrap"
SOURCE = FOLDER / "bootstrap.full.min.css"
TARGET = FOLDER / "bootstrap.min.css"
# Where class names are written: templates, Python (template tags writing markup, forms' widgets
# attrs), our scripts and Bootstrap's.
SCANNED = [
    ("templates", "*.html"), ("static/js", "*.js"),
    *[(app, "*.py") for app in ("catalog", "clienteling", "conversations", "carts", "appointments",
                                "insights", "imports", "api", "ops", "demo", "config")],
    *[(app, "*.html") for app in ("catalog", "clienteling", "conversations", "carts", "appointments",
                                  "insights", "imports", "api", "ops")],
]
# Used although no template spells them: the classes Bootstrap's JavaScript adds or reads for the
# components the pages use (collapse, dropdown, modal, offcanvas, toast, tab), Django's form
# errors, and htmx's request classes. Tooltips, popovers and carousels are not used: not kept.
SAFELIST = {
    "show", "showing", "hiding", "hide", "fade", "collapse", "collapsing", "collapsed", "collapse-horizontal",
    "modal-open", "modal-backdrop", "modal-static", "offcanvas-backdrop", "active", "disabled",
    "dropup", "dropend", "dropstart", "dropdown-center", "dropup-center", "dropdown-menu-end",
    "dropdown-menu-start",
    "is-invalid", "invalid-feedback", "form-text",
    "htmx-request", "htmx-indicator", "htmx-swapping", "htmx-settling", "htmx-added",
}
CLASS = re.compile(r"\.((?:\\.|[A-Za-z0-9_-])+)")
WORD = re.compile(r"[A-Za-z0-9_-]+")
# In a class attribute, "btn-{{ kind }}", "text-bg-{{ tone }}", f"alert-{kind}": every class of the prefix.
CLASS_ATTRIBUTE = re.compile(r"""class=(?:"([^"]*)"|'([^']*)')""")
PREFIX = re.compile(r"([a-z][a-z0-9-]*-)(?:\{\{|\{%|\{[a-z_])")


def used_words() -> tuple[set[str], set[str]]:
    words, prefixes = set(SAFELIST), set()
    for folder, pattern in SCANNED:
        base = ROOT / folder
        if not base.exists():
            continue
        for path in base.rglob(pattern):
            if "migrations" in path.parts or "__pycache__" in path.parts:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            words.update(WORD.findall(text))
            for double, single in CLASS_ATTRIBUTE.findall(text):
                prefixes.update(PREFIX.findall(double or single))
    return words, prefixes


def _block_end(css: str, start: int) -> int:
    """The index just past the "}" closing the block whose "{" is at `start`."""
    depth, index, quote = 0, start, None
    while index < len(css):
        char = css[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    raise ValueError("unbalanced braces")


def _split_selectors(prelude: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in prelude:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _selector_used(selector: str, words: set[str], prefixes: tuple[str, ...]) -> bool:
    if "[data-bs-theme=dark]" in selector:  # no page switches to Bootstrap's dark theme
        return False
    for name in CLASS.findall(selector):
        name = name.replace("\\", "")
        if name not in words and not name.startswith(prefixes):
            return False
    return True


def trim(css: str, words: set[str], prefixes: tuple[str, ...]) -> str:
    out, index = [], 0
    while index < len(css):
        if css.startswith("/*", index):
            end = css.index("*/", index) + 2
            if css.startswith("/*!", index):
                out.append(css[index:end])  # the licence comment stays
            index = end
            continue
        brace, semicolon = css.find("{", index), css.find(";", index)
        if brace == -1:
            break
        if semicolon != -1 and semicolon < brace:  # @charset, @import
            out.append(css[index:semicolon + 1])
            index = semicolon + 1
            continue
        prelude = css[index:brace].strip()
        end = _block_end(css, brace)
        body = css[brace + 1:end - 1]
        if prelude.startswith(("@media", "@supports", "@container", "@layer")):
            inner = trim(body, words, prefixes)
            if inner.strip():
                out.append(f"{prelude}{{{inner}}}")
        elif prelude.startswith(("@keyframes", "@-webkit-keyframes", "@font-face", "@page")):
            out.append(f"{prelude}{{{body}}}")
        else:
            kept = [s for s in _split_selectors(prelude) if _selector_used(s, words, prefixes)]
            if kept:
                out.append(f"{','.join(s.strip() for s in kept)}{{{body}}}")
        index = end
    return "".join(out)


def drop_unused_keyframes(css: str) -> str:
    """Keyframes no kept rule animates (spinner-grow when only spinner-border is used ...)."""
    for name in re.findall(r"@keyframes ([A-Za-z0-9_-]+)", css):
        block = re.search(r"@keyframes " + re.escape(name) + r"\{", css)
        start = block.start()
        end = _block_end(css, block.end() - 1)
        rest = css[:start] + css[end:]
        if not re.search(r"(?<![A-Za-z0-9_-])" + re.escape(name) + r"(?![A-Za-z0-9_-])", rest):
            css = rest
    return css


def build() -> str:
    words, prefixes = used_words()
    css = SOURCE.read_text(encoding="utf-8")
    header = ("/* Trimmed by bin/trim_bootstrap.py from bootstrap.full.min.css: "
              "do not edit, run make bootstrap-css. */\n")
    return header + drop_unused_keyframes(trim(css, words, tuple(sorted(prefixes))))


def missing_classes(trimmed: str) -> list[str]:
    """Classes the pages now use that the committed file dropped (one kept for nothing is fine)."""
    current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""

    def classes(css: str) -> set[str]:
        return {name.replace("\\", "") for name in CLASS.findall(re.sub(r"\{[^{}]*\}", "{}", css))}

    return sorted(classes(trimmed) - classes(current))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="fail when a class the pages use is missing from the committed file")
    args = parser.parse_args(argv)
    trimmed = build()
    if args.check:
        missing = missing_classes(trimmed)
        if missing:
            print(f"{TARGET.name} lacks {', '.join(missing)}: run make bootstrap-css", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(trimmed, encoding="utf-8")
    full, now = len(SOURCE.read_bytes()), len(trimmed.encode())
    print(f"{TARGET.relative_to(ROOT)}: {now:,} bytes (from {full:,}, {100 * now / full:.0f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
