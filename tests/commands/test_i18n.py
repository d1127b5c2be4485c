"""Messages in the editor's language: complete German catalogs, chosen as an editor meets them.

The catalog tests read the committed files with Babel; the command-line tests run the real
`python -m litfass` on a German site, as a press officer would.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from conftest import FIXTURE, NOW, REPO, copy_site
from translations import LANGUAGES, TEMPLATE, catalog, extract

BRACES = re.compile(r"\{(\w*)[^{}]*\}")
PERCENT = re.compile(r"%\((\w+)\)[sdr]|%[sdr]")


def messages(path: Path):
    with path.open("rb") as handle:
        return read_po(handle, locale="de" if path.suffix == ".po" else None)


def ids(found) -> set[object]:
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in found if m.id}


def test_the_template_holds_every_message_of_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / "litfass.pot"
    extract(fresh)
    missing = ids(messages(fresh)) - ids(messages(TEMPLATE))
    stale = ids(messages(TEMPLATE)) - ids(messages(fresh))
    assert not missing and not stale, "run: python tests/translations.py"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language: str) -> None:
    po = messages(catalog(language))
    assert ids(po) == ids(messages(TEMPLATE)), "run: python tests/translations.py"
    for message in po:
        if not message.id:
            continue
        assert not message.fuzzy, f"fuzzy: {message.id!r}"
        pairs = (
            zip(message.id, message.string, strict=True)
            if isinstance(message.id, tuple)
            else [(message.id, message.string)]
        )
        for source, translated in pairs:
            assert translated, f"not translated: {source!r}"
            for pattern in (BRACES, PERCENT):  # the same placeholders, or .format() fails
                assert sorted(pattern.findall(source)) == sorted(pattern.findall(translated)), (
                    source
                )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_is_the_translations_as_committed(language: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, messages(catalog(language)))
    shipped = catalog(language).with_suffix(".mo")
    assert shipped.read_bytes() == compiled.getvalue(), "run: python tests/translations.py"


def litfass(*args: str | Path, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m litfass` as an editor runs it, with this checkout's code."""
    environment = {k: v for k, v in os.environ.items() if k not in ("LITFASS_LANG", "LANGUAGE")}
    environment.update(PYTHONPATH=str(REPO), LITFASS_NOW=NOW, **env)
    return subprocess.run(
        [sys.executable, "-m", "litfass", *map(str, args)],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


@pytest.fixture
def german_site(tmp_path: Path) -> Path:
    """The fixture site (config.yaml without `language`: German) with one broken file."""
    site = copy_site(FIXTURE, tmp_path / "site")
    broken = site / "content/news/2026-11-18-kaputt.md"
    broken.write_text("---\ntitle: Kaputt\ndate: 2026-11-18\nort: Leipzig\n", encoding="utf-8")
    return site


def test_a_build_on_a_german_site_speaks_german(german_site: Path) -> None:
    result = litfass("build", cwd=german_site)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "content/news/2026-11-18-kaputt.md:1: Fehler: der Kopf der Datei ist nicht "
        "geschlossen: ergänzen Sie eine Zeile '---' nach dem letzten Schlüssel",
        "1 Fehler; output/ wurde nicht verändert.",
    ]
    assert not (german_site / "output").exists()


def test_check_on_a_german_site_speaks_german(german_site: Path) -> None:
    broken = german_site / "content/news/2026-11-18-kaputt.md"
    broken.write_text("---\ntitle: Kaputt\ndate: 2026-11-18\nort: Leipzig\n---\nText\n")
    result = litfass("check", cwd=german_site)
    assert result.stdout.splitlines()[0] == (
        "content/news/2026-11-18-kaputt.md:4: Warnung: unbekannter Schlüssel 'ort': "
        "'location' gibt es nur für Veranstaltungen"
    )
    assert result.stderr == "12 Dateien geprüft: 1 Warnung, 1 Hinweis\n"


def test_help_is_german_argparse_words_too(german_site: Path) -> None:
    result = litfass("check", "--help", cwd=german_site)
    assert result.returncode == 0
    assert result.stdout.startswith("Aufruf: build.py check [-h] [--root ORDNER]")
    assert "  -h, --help     diese Hilfe zeigen und beenden\n" in result.stdout
    assert "\nOptionen:\n" in result.stdout and "\nBeispiele:\n" in result.stdout
    wrong = litfass("check", "--bogus", cwd=german_site)
    assert (wrong.returncode, wrong.stderr.splitlines()[-1]) == (
        2,
        "build.py: Fehler: unbekannte Argumente: --bogus",
    )


def test_litfass_lang_overrides_the_site(german_site: Path) -> None:
    result = litfass("build", cwd=german_site, LITFASS_LANG="en")
    assert result.stderr.splitlines()[-1] == "1 error; output/ was not changed."
    english = german_site / "config.yaml"
    english.write_text(english.read_text(encoding="utf-8") + "language: en\n", encoding="utf-8")
    assert litfass("build", cwd=german_site).stderr.splitlines()[-1] == (
        "1 error; output/ was not changed."
    )
    assert litfass("build", cwd=german_site, LITFASS_LANG="de").stderr.splitlines()[-1] == (
        "1 Fehler; output/ wurde nicht verändert."
    )


NO_LOCALE = {"LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANGUAGE": ""}


@pytest.mark.parametrize("locale", ["de_DE.UTF-8", "C.UTF-8", "C", "POSIX", ""])
def test_without_a_site_litfass_speaks_german_unless_the_locale_says_otherwise(
    tmp_path: Path, locale: str
) -> None:
    """A server or CI machine without a German locale (C, POSIX, none) still gets German."""
    helped = litfass("init", "--help", cwd=tmp_path, **{**NO_LOCALE, "LANG": locale})
    assert helped.stdout.startswith("Aufruf: build.py init [-h]")
    assert "  -h, --help  " in helped.stdout and "diese Hilfe zeigen und beenden" in helped.stdout
    assert "Das Portal wird sofort nach output/ gebaut." in helped.stdout
    nowhere = litfass("build", cwd=tmp_path, **{**NO_LOCALE, "LANG": locale})
    assert nowhere.stderr.splitlines() == [
        "config.yaml: Fehler: hier gibt es keine config.yaml; starten Sie litfass im Ordner des Portals",
        "1 Fehler; output/ wurde nicht verändert.",
    ]
    made = litfass("init", "portal", cwd=tmp_path, **{**NO_LOCALE, "LANG": locale})
    assert made.returncode == 0
    assert made.stderr.splitlines() == [
        "neues Portal in portal/ angelegt und nach portal/output/ gebaut.",
        "Weiter: cd portal und python build.py serve (die Vorschau unter http://localhost:8000/).",
    ]


@pytest.mark.parametrize("locale", ["en_GB.UTF-8", "fr_FR.UTF-8", "en_US"])
def test_a_locale_that_names_another_language_gets_english(tmp_path: Path, locale: str) -> None:
    english = litfass("init", "--help", cwd=tmp_path, **{**NO_LOCALE, "LANG": locale})
    assert english.stdout.startswith("usage: ")
    chosen = litfass("init", "--help", cwd=tmp_path, **{**NO_LOCALE, "LANGUAGE": "de:en"})
    assert chosen.stdout.startswith("Aufruf: ")


def test_the_error_count_is_singular_or_plural(german_site: Path) -> None:
    twice = german_site / "content/news/2026-11-18-kaputt-2.md"
    twice.write_text("---\ntitle: Kaputt\ndate: 2026-11-18\n", encoding="utf-8")
    german = litfass("build", cwd=german_site)
    assert german.stderr.splitlines()[-1] == "2 Fehler; output/ wurde nicht verändert."
    english = litfass("build", cwd=german_site, LITFASS_LANG="en")
    assert english.stderr.splitlines()[-1] == "2 errors; output/ was not changed."


@pytest.mark.parametrize("fork", ["1", "0"])
def test_messages_made_by_workers_are_german(tmp_path: Path, fork: str) -> None:
    """Files are read over forked workers; where there is no fork, here: German both ways."""
    site = copy_site(FIXTURE, tmp_path / "site")
    for number in range(120):  # enough for several workers
        text = f"---\ntitle: Meldung {number}\ndate: 2026-11-01\nsumary: Kurz.\n---\nText.\n"
        (site / f"content/news/2026-11-01-meldung-{number}.md").write_text(text, encoding="utf-8")
    result = litfass("build", "--workers", "2", cwd=site, LITFASS_FORK=fork)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "/2026-11-01-meldung-" in line]
    assert len(warnings) == 120
    assert warnings[0] == (
        "content/news/2026-11-01-meldung-0.md:4: Warnung: unbekannter Schlüssel 'sumary'; "
        "meinten Sie 'summary'?"
    )
    assert all(": Warnung: unbekannter Schlüssel 'sumary';" in line for line in warnings)


def test_saved_warnings_follow_the_language(tmp_path: Path) -> None:
    """A build that finds nothing changed repeats the last warnings: in today's language."""
    site = copy_site(FIXTURE, tmp_path / "site")
    text = "---\ntitle: Ohne Alt\ndate: 2026-11-01\n---\n![](fehlt.jpg)\n"
    (site / "content/news/2026-11-01-ohne-alt.md").write_text(text, encoding="utf-8")
    english = litfass("build", cwd=site, LITFASS_LANG="en")
    assert "has no alt text" in english.stderr
    german = litfass("build", cwd=site)
    assert "hat keinen Alternativtext" in german.stderr and "alt text" not in german.stderr


def test_a_deleted_item_is_announced_in_german_without_english_words(tmp_path: Path) -> None:
    site = copy_site(FIXTURE, tmp_path / "site")
    assert litfass("build", cwd=site).returncode == 0
    item = site / "content/news/2019-11-04-fachtag-in-goerlitz.md"
    check_before = litfass("check", cwd=site)
    assert check_before.returncode == 0, check_before.stderr
    item.unlink()
    checked = litfass("check", cwd=site)
    built = litfass("build", cwd=site)
    said = (checked.stdout + checked.stderr + built.stdout).splitlines()
    gone = [line for line in said if "(Status 410)" in line]
    assert any("steht nach dem nächsten Bauen „Diese Seite gibt es nicht mehr“" in g for g in gone)
    assert any("steht ab jetzt „Diese Seite gibt es nicht mehr“" in g for g in gone)
    assert not [line for line in said if "Gone" in line]
