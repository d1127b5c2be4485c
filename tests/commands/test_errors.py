"""Editors get `path:line: message`, exit 1, and an untouched output/ (issue: core)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURE, NOW, REPO, copy_site, snapshot, write


def test_broken_yaml_names_file_and_line_and_keeps_output(built: Path, run) -> None:
    before = snapshot(built / "output")
    write(built, "content/news/kaputt.md", '---\ntitle: "Offen\ndate: 2019-11-04\n---\nText\n')
    result = run("--root", built, "--now", NOW)
    assert result.code == 1
    assert (
        "content/news/kaputt.md:2: error: invalid YAML: the quote opened on this line is never closed"
        in result.err
    )
    assert "Traceback" not in result.err
    assert snapshot(built / "output") == before


def test_all_problems_are_reported_not_only_the_first(built: Path, run) -> None:
    write(built, "content/news/a.md", "---\ndate: 2019-11-04\n---\nText\n")
    write(built, "content/news/b.md", "---\ntitle: B\ndate: 31.02.2019\n---\n")
    write(built, "content/events/c.md", "---\ntitle: C\nstart: 2019-11-11\nend: 2019-11-10\n---\n")
    result = run("--root", built, "--now", NOW)
    assert result.code == 1
    lines = result.err.splitlines()
    assert (
        "content/news/a.md:2: error: 'title' is missing; add a line 'title: ...' to the front matter"
        in lines
    )
    assert any(
        line.startswith("content/news/b.md:3: error: 'date': '31.02.2019'") for line in lines
    )
    assert (
        "content/events/c.md:4: error: the event ends before it starts: "
        "'end' must not be before 'start'" in lines
    )


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("title: X\n", 1, "no front matter: the file must start with a line '---'"),
        ("---\ntitle: X\n", 1, "front matter is not closed"),
        ("---\ntitle: X\ntitle: Y\ndate: 2020-01-01\n---\n", 3, "duplicate key 'title'"),
        ("---\ntitle: X\ndate: 2020-01-01\ntags: {a: b}\n---\n", 4, "'tags' must be a list"),
        ("---\ntitle: [a, b]\ndate: 2020-01-01\n---\n", 2, "'title' must be text, not a list"),
        ("---\ntitle: X\ndate: 11/04/2019\n---\n", 3, "'date': '11/04/2019' is ambiguous"),
        ("---\ntitle: X\ndate: 2020-01-01\nslug: ../../etc\n---\n", 4, "slug '../../etc' may only"),
        ("---\ntitle: X\ndate: 2020-01-01\naliases: [../x]\n---\n", 4, "alias '../x' must be"),
        ("", 1, "file is empty"),
    ],
)
def test_each_mistake_gets_its_line(built: Path, run, text: str, line: int, message: str) -> None:
    write(built, "content/news/fehler.md", text)
    result = run("--root", built, "--now", NOW)
    assert result.code == 1
    assert f"content/news/fehler.md:{line}: error: {message}" in result.err


def test_german_dates_are_accepted(built: Path, run) -> None:
    write(built, "content/news/d.md", "---\ntitle: D\ndate: 4.11.19 10 Uhr\n---\nText\n")
    assert run("--root", built, "--now", NOW).code == 0
    page = (built / "output/aktuelles/d/index.html").read_text()
    assert 'datetime="2019-11-04T10:00:00+01:00"' in page


def test_same_address_twice_names_both_files(built: Path, run) -> None:
    write(built, "content/news/doppelt.md", "---\ntitle: X\ndate: 2020-01-01\nslug: pflege\n---\n")
    result = run("--root", built, "--now", NOW)
    assert result.code == 1
    assert (
        "address /aktuelles/pflege/ is also used by content/news/2021-05-01-pflege.md" in result.err
    )


def test_alias_clash_is_reported(built: Path, run) -> None:
    text = "---\ntitle: X\ndate: 2020-01-01\naliases: [/alt/fachtag-goerlitz]\n---\n"
    write(built, "content/news/alias.md", text)
    result = run("--root", built, "--now", NOW)
    assert result.code == 1
    assert "address /alt/fachtag-goerlitz is also used by" in result.err


def test_likely_typo_is_a_warning_with_the_key_meant(built: Path, run) -> None:
    text = "---\ntitle: T\nzusammenfassung: Kurz\ndate: 2020-01-01\n---\n"
    write(built, "content/news/t.md", text)
    result = run("--root", built, "--now", NOW)
    assert result.code == 0
    assert (
        "content/news/t.md:3: warning: unknown key 'zusammenfassung'; did you mean 'summary'?"
        in result.err
    )
    strict = run("--root", built, "--now", NOW, "--strict")
    assert strict.code == 1


def test_unknown_keys_reach_templates_as_extra(built: Path, run) -> None:
    write(built, "content/news/x.md", "---\ntitle: X\ndate: 2020-01-01\nfoerderer: Stiftung\n---\n")
    result = run("--root", built, "--now", NOW)
    assert result.code == 0
    assert result.err == ""


def test_config_errors_name_config_line(built: Path, run) -> None:
    config = built / "config.yaml"
    text = config.read_text().replace("language: de", "language: fr")
    config.write_text(text.replace("page_size: 2", "page_size: zwei"))
    result = run("--root", built, "--now", NOW)
    assert result.code == 1
    assert (
        "config.yaml:4: error: 'language' must be one of de, de-x-ls, en, uk, ar, fa, tr, not 'fr'"
        in result.err
    )
    assert "config.yaml:14: error: 'page_size' must be a whole number of at least 1" in result.err


def test_template_errors_name_template_and_line(built: Path, run) -> None:
    template = built / "templates/page.html"
    lines = template.read_text().splitlines()
    lines.insert(6, "{{ page.nonexistent_field }}")
    template.write_text("\n".join(lines) + "\n")
    result = run("--root", built, "--now", NOW)
    assert result.code == 1
    assert "templates/page.html:7: error: template error:" in result.err
    assert "nonexistent_field" in result.err


def test_template_syntax_error(built: Path, run) -> None:
    (built / "templates/page.html").write_text("{% extends 'base.html' %}\n{% block content %}\n")
    result = run("--root", built, "--now", NOW)
    assert result.code == 1
    assert "templates/page.html:" in result.err
    assert "Traceback" not in result.err


def test_a_page_whose_template_is_missing_names_the_template(tmp_path: Path) -> None:
    """In the checkout the site's templates/ is the default theme itself, so a template the
    editor deleted there has no fallback: the build names it instead of crashing."""
    checkout = tmp_path / "checkout"
    site = copy_site(FIXTURE, checkout)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "litfass", checkout / "litfass", ignore=ignore)
    shutil.copy(REPO / "build.py", checkout / "build.py")
    env = {**os.environ, "LITFASS_LANG": "en"}
    env.pop("PYTHONPATH", None)  # `python build.py` imports the litfass beside it

    def build() -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "build.py", "--now", NOW, "--quiet"]
        return subprocess.run(command, cwd=site, env=env, capture_output=True, text=True)

    assert build().returncode == 0, build().stderr
    before = snapshot(site / "output")
    (site / "templates" / "event.html").unlink()
    result = build()
    assert result.returncode == 1
    assert "templates/event.html: error: template not found (needed for /veranstaltungen/" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr
    assert snapshot(site / "output") == before
