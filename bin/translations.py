#!/usr/bin/env python
"""Work on the translation catalogs (locale/<lang>/LC_MESSAGES/django.po).

    bin/translations.py todo fr [--out todo.json]   what is untranslated or fuzzy in French
    bin/translations.py apply fr done.json           write translations in, checked first
    bin/translations.py check                        every language complete, placeholders kept

`todo` writes a JSON list of {"key", "msgid", "msgid_plural", "context", "nplurals",
"where"}; `apply` reads {"<key>": "translation"} or, for plurals, {"<key>": ["form 0",
"form 1", ...]} with as many forms as the language has. A translation that loses or adds
a placeholder (%(name)s, %s, {name}) or has the wrong number of plural forms is refused
with the reason, and nothing of that entry is written.
"""

import argparse
import json
import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
# The placeholders Python and Django put in messages: %(name)s, %s / %d, {name}.
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdifr]|%[sdifr]|\{[a-zA-Z_][a-zA-Z0-9_]*\}")


def catalog_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "django.po"


def languages() -> list[str]:
    return sorted(path.parent.parent.name for path in LOCALE.glob("*/LC_MESSAGES/django.po"))


def key_of(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid


def nplurals(catalog: polib.POFile) -> int:
    found = re.search(r"nplurals\s*=\s*(\d+)", catalog.metadata.get("Plural-Forms", ""))
    return int(found.group(1)) if found else 2


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def entry_problems(entry: polib.POEntry, forms: int) -> list[str]:
    """What is wrong with an entry's translation; empty when it is complete and sound."""
    if entry.obsolete:
        return []
    if "fuzzy" in entry.flags:
        return ["fuzzy"]
    if entry.msgid_plural:
        translations = [entry.msgstr_plural.get(n, "") for n in range(forms)]
        if len(entry.msgstr_plural) != forms or not all(translations):
            return [f"needs {forms} plural forms"]
        # A form may leave out the number ("Un message"), never add a placeholder; the last
        # form (the general one) keeps them all.
        expected = set(placeholders(entry.msgid)) | set(placeholders(entry.msgid_plural))
        problems = [f"plural form {n}: placeholders {sorted(found)} not in {sorted(expected)}"
                    for n, found in enumerate(set(placeholders(text)) for text in translations)
                    if not found <= expected]
        if set(placeholders(translations[-1])) != expected:
            problems.append(f"last plural form must keep {sorted(expected)}")
        return problems
    if not entry.msgstr:
        return ["untranslated"]
    if placeholders(entry.msgstr) != placeholders(entry.msgid):
        return [f"placeholders {placeholders(entry.msgstr)} != {placeholders(entry.msgid)}"]
    return []


def todo(lang: str, out: str | None) -> None:
    catalog = polib.pofile(str(catalog_path(lang)))
    forms = nplurals(catalog)
    items = [{
        "key": key_of(entry), "msgid": entry.msgid, "msgid_plural": entry.msgid_plural or None,
        "context": entry.msgctxt, "nplurals": forms if entry.msgid_plural else None,
        "where": [f"{path}:{line}" for path, line in entry.occurrences[:2]],
        "previous": entry.msgstr or None,
    } for entry in catalog if entry_problems(entry, forms)]
    text = json.dumps(items, ensure_ascii=False, indent=1)
    if out:
        Path(out).write_text(text)
        print(f"{len(items)} to translate in {lang} -> {out}")
    else:
        print(text)


def apply(lang: str, source: str) -> int:
    path = catalog_path(lang)
    catalog = polib.pofile(str(path), wrapwidth=100)
    forms = nplurals(catalog)
    done = json.loads(Path(source).read_text())
    by_key = {key_of(entry): entry for entry in catalog if not entry.obsolete}
    written, refused = 0, []
    for key, translation in done.items():
        entry = by_key.get(key)
        if entry is None:
            refused.append(f"{key!r}: no such message")
            continue
        before = (entry.msgstr, dict(entry.msgstr_plural), list(entry.flags))
        if entry.msgid_plural:
            if not isinstance(translation, list):
                refused.append(f"{key!r}: a plural message needs a list of {forms} forms")
                continue
            entry.msgstr_plural = dict(enumerate(translation))
        else:
            if not isinstance(translation, str):
                refused.append(f"{key!r}: needs one string")
                continue
            entry.msgstr = translation
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        problems = entry_problems(entry, forms)
        if problems:
            entry.msgstr, entry.msgstr_plural, entry.flags = before[0], before[1], before[2]
            refused.append(f"{key!r}: {'; '.join(problems)}")
            continue
        written += 1
    catalog.save(str(path))
    print(f"{lang}: {written} written, {len(refused)} refused")
    for reason in refused:
        print("  refused", reason)
    return 1 if refused else 0


def check(langs: list[str]) -> int:
    failures = 0
    for lang in langs:
        catalog = polib.pofile(str(catalog_path(lang)))
        forms = nplurals(catalog)
        problems = [(entry.msgid, problem) for entry in catalog for problem in entry_problems(entry, forms)]
        failures += len(problems)
        print(f"{lang}: {len(problems)} problem(s) in {len([e for e in catalog if not e.obsolete])} messages")
        for msgid, problem in problems[:5]:
            print(f"  {msgid[:60]!r}: {problem}")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    todo_parser = commands.add_parser("todo")
    todo_parser.add_argument("lang")
    todo_parser.add_argument("--out")
    apply_parser = commands.add_parser("apply")
    apply_parser.add_argument("lang")
    apply_parser.add_argument("source")
    check_parser = commands.add_parser("check")
    check_parser.add_argument("langs", nargs="*")
    args = parser.parse_args()
    if args.command == "todo":
        todo(args.lang, args.out)
        return 0
    if args.command == "apply":
        return apply(args.lang, args.source)
    return check(args.langs or languages())


if __name__ == "__main__":
    sys.exit(main())
