"""The trimmed Bootstrap stylesheet (bin/trim_bootstrap.py): up to date with the templates,
and keeping what a page needs while dropping what none uses."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("trim_bootstrap", ROOT / "bin" / "trim_bootstrap.py")
trim_bootstrap = importlib.util.module_from_spec(spec)
spec.loader.exec_module(trim_bootstrap)


def test_the_committed_stylesheet_is_the_one_the_templates_need():
    """A template, tag or script that starts using a Bootstrap class needs `make bootstrap-css`."""
    assert trim_bootstrap.main(["--check"]) == 0, "run make bootstrap-css and commit the file"


def test_the_trimmed_stylesheet_is_a_third_of_bootstraps():
    full = trim_bootstrap.SOURCE.stat().st_size
    trimmed = trim_bootstrap.TARGET.stat().st_size
    assert trimmed < full * 0.4, (trimmed, full)
    css = trim_bootstrap.TARGET.read_text()
    for kept in (".btn-primary", ".offcanvas-backdrop", ".collapsing", ".form-control", ".spinner-border",
                 ".visually-hidden-focusable", ".text-bg-danger", ".modal-backdrop", ".is-invalid"):
        assert kept in css, kept
    for dropped in (".carousel", ".popover", ".tooltip", ".placeholder-wave", ".was-validated",
                    '[data-bs-theme=dark]'):
        assert dropped not in css, dropped
    assert "@keyframes spinner-border" in css and "@keyframes spinner-grow" not in css
    assert css.count("{") == css.count("}")


@pytest.mark.parametrize(("css", "words", "prefixes", "kept"), [
    (".a{x:1}.b{y:2}", {"a"}, (), ".a{x:1}"),
    (".a,.b>.c,p{x:1}", {"a"}, (), ".a,p{x:1}"),  # a selector list keeps its used members
    (":is(.a,.b) .c{x:1}", {"a", "b"}, (), ""),
    ("@media (min-width:1px){.a{x:1}.b{y:2}}", {"b"}, (), "@media (min-width:1px){.b{y:2}}"),
    ("@media (min-width:1px){.a{x:1}}", set(), (), ""),
    (".text-bg-danger{x:1}.btn-x{y:2}", set(), ("text-bg-",), ".text-bg-danger{x:1}"),
    ('.a::after{content:"}"}', {"a"}, (), '.a::after{content:"}"}'),
])
def test_rules_are_kept_when_every_class_they_name_is_used(css, words, prefixes, kept):
    assert trim_bootstrap.trim(css, words, prefixes) == kept


def test_a_class_spelled_with_a_template_variable_keeps_its_family(tmp_path, monkeypatch):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "x.html").write_text('<div class="toast text-bg-{{ tone }}" id="col-{{ id }}">')
    monkeypatch.setattr(trim_bootstrap, "ROOT", tmp_path)
    words, prefixes = trim_bootstrap.used_words()
    assert "toast" in words and prefixes == {"text-bg-"}  # an id's prefix is not a class


def test_the_check_names_a_used_class_the_committed_file_lacks(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "bootstrap.min.css"
    stale.write_text(trim_bootstrap.TARGET.read_text().replace(".btn-primary", ".btn-gone"))
    monkeypatch.setattr(trim_bootstrap, "TARGET", stale)
    assert trim_bootstrap.main(["--check"]) == 1
    assert "btn-primary" in capsys.readouterr().err
