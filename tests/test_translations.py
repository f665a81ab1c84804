"""Every language Atelier declares is complete, sound and current with the code.

A message untranslated or fuzzy in any language, a translation that loses or adds a
placeholder, or a plural with the wrong number of forms fails here (bin/translations.py
check says which); so does a string in the code that the catalogs do not hold yet
(`make messages`, then translate it).
"""

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("translations", ROOT / "bin" / "translations.py")
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)

DECLARED = [code for code, _name in settings.LANGUAGES]


def shares_its_base_catalog(code: str) -> bool:
    """A regional variant ("fr-ca") of a declared language reads that language's catalog, as
    Django falls back; "zh-hant" has no declared base ("zh") and keeps a catalog of its own."""
    base = code.split("-")[0]
    return code != base and base in DECLARED


# The languages with a catalog of their own: every one is held to the whole strictness below.
LANGUAGES = [code for code in DECLARED if code != "en" and not shares_its_base_catalog(code)]
VARIANTS = [code for code in DECLARED if shares_its_base_catalog(code) and not code.startswith("en")]


def locale_dir(code: str) -> str:
    return translation.to_locale(code)


def test_every_declared_language_has_a_catalog():
    assert sorted(locale_dir(code) for code in LANGUAGES) == tool.languages()


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_catalog_is_complete_and_keeps_every_placeholder(code):
    catalog = polib.pofile(str(tool.catalog_path(locale_dir(code))))
    forms = tool.nplurals(catalog)
    problems = [f"{entry.msgid[:70]!r}: {problem}"
                for entry in catalog for problem in tool.entry_problems(entry, forms)]
    assert not problems, f"{len(problems)} message(s) in {code}:\n" + "\n".join(problems[:20])


def test_a_translation_that_drops_a_placeholder_is_refused(tmp_path):
    entry = polib.POEntry(msgid="%(count)s customers tagged", msgstr="clients étiquetés")
    assert tool.entry_problems(entry, 2)
    entry.msgstr = "%(count)s clients étiquetés"
    assert not tool.entry_problems(entry, 2)
    plural = polib.POEntry(msgid="%(n)s message", msgid_plural="%(n)s messages",
                           msgstr_plural={0: "Jedna wiadomość", 1: "%(n)s wiadomości"})
    assert tool.entry_problems(plural, 3) == ["needs 3 plural forms"]


def test_the_catalogs_hold_every_string_of_the_code(tmp_path):
    """The catalogs were refreshed after the last string was added (`make messages`)."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is needed to read the code's strings: apt-get install gettext")
    copy = tmp_path / "atelier"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(
        ".venv", ".git", "var", "node_modules", "staticfiles", "media", "test-artifacts", "locale",
        "__pycache__", "*.pyc", "*.sqlite3"))
    (copy / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-obsolete", "-v", "0",
         "--ignore=tests/*", "--ignore=bench/*"],
        cwd=copy, check=True, capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings.local",
             "HOME": str(tmp_path)})
    wanted = {tool.key_of(entry) for entry in polib.pofile(str(copy / "locale/fr/LC_MESSAGES/django.po"))}
    held = {tool.key_of(entry) for entry in polib.pofile(str(tool.catalog_path("fr"))) if not entry.obsolete}
    missing = sorted(wanted - held)
    stale = sorted(held - wanted)
    assert not missing, "not in the catalogs yet (run `make messages`, then translate):\n" + "\n".join(
        repr(key[:80]) for key in missing[:20])
    assert not stale, "in the catalogs but no longer in the code (run `make messages`):\n" + "\n".join(
        repr(key[:80]) for key in stale[:20])


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_compiled_catalog_is_used(code):
    with translation.override(code):
        assert translation.gettext("Customers") != "Customers"
        rendered = Template(
            "{% load i18n %}{% blocktranslate count n=5 %}{{ n }} unread message{% plural %}"
            "{{ n }} unread messages{% endblocktranslate %}").render(Context())
    assert "5" in rendered and "unread" not in rendered


@pytest.mark.parametrize("code", VARIANTS)
def test_a_regional_variant_speaks_its_base_catalog(code):
    base = code.split("-")[0]
    assert base in LANGUAGES
    with translation.override(base):
        expected = translation.gettext("Customers")
    with translation.override(code):
        assert translation.gettext("Customers") == expected != "Customers"
        assert translation.get_language() == code  # its own formats (Django's <lang>_<REGION>)


def test_traditional_chinese_is_in_sync_with_simplified():
    """locale/zh_Hant is made from zh_Hans (bin/zh_hant.py, run by `make messages`)."""
    spec = importlib.util.spec_from_file_location("zh_hant", ROOT / "bin" / "zh_hant.py")
    zh_hant = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(zh_hant)
    expected = str(zh_hant.converted())
    assert zh_hant.TARGET.read_text(encoding="utf-8") == expected, "run bin/zh_hant.py"
    catalog = polib.pofile(expected)
    assert catalog.find("Customers").msgstr == "客戶"  # Traditional characters, not 客户
