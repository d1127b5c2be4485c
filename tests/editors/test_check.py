"""`python build.py check` finds each kind of mistake at its line, and writes nothing (issue 8)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import NOW, TESTS, copy_site, snapshot

CHECK_FIXTURE = TESTS / "fixtures" / "check"

# Every finding in tests/fixtures/check, in the order `check` prints them.
EXPECTED = """\
content/events/ohne-ort.md:2: warning: event without place: add 'location: Volkshaus Leipzig' or 'location: {online: true, url: "https://..."}'
content/news/bild-fehlt.md:4: warning: 'image': file 'weg.jpg' not found; put it beside this file
content/news/bilder/index.md:4: warning: 'image' has no 'image_alt': add 'image_alt: what the picture shows'
content/news/bilder/index.md:8: warning: image 'foto.jpg' has no alt text: say what it shows, e.g. ![Teilnehmende im Saal](foto.jpg)
content/news/bilder/index.md:10: warning: image 'fehlt.jpg' not found: no file at /aktuelles/bilder/fehlt.jpg; put the file beside index.md in the item's folder
content/news/lang.md:4: warning: summary has 399 characters; keep it under 300 (one or two sentences)
content/news/links.md:6: warning: link to '/aktuelles/gibt-es-nicht/' leads nowhere: no page at /aktuelles/gibt-es-nicht/
content/news/links.md:7: warning: link to '../events/fehlt.md': no such content file
content/news/links.md:8: warning: link to 'entwurf.md': /aktuelles/entwurf/ is a draft (content/news/entwurf.md): it is not on the site yet; its text is shown without the link
content/news/links.md:9: warning: link to '/aktuelles/schlussel/' leads nowhere: no page at /aktuelles/schlussel/; did you mean /aktuelles/schluessel/?
content/news/links.md:9: warning: link to 'https://pruef.example.org/aktuelles/weg/' leads nowhere: no page at /aktuelles/weg/
content/news/links.md:11: warning: link to 'zukunft.md#teil': /aktuelles/zukunft/ is scheduled for 2027-03-12 10:00 (content/news/zukunft.md): it is not on the site yet; its text is shown without the link
content/news/schluessel.md:4: warning: unknown key 'titel'; did you mean 'title'?
content/news/schluessel.md:5: warning: unknown key 'foerderer': litfass does not use it (templates see page.extra)
content/news/ueberschriften.md:5: warning: '# Noch ein Titel' is a main heading, but the title already is one; use '## Noch ein Titel'
content/news/ueberschriften.md:11: warning: heading '#### Einzelheiten' skips a level after '## Programm'; use '### Einzelheiten'
content/news/ueberschriften.md:13: warning: '# Unterstrichen' is a main heading, but the title already is one; use '## Unterstrichen'
content/news/zukunft.md:3: note: scheduled: publishes on 2027-03-12 10:00 with the first build from then on (preview with --future)
"""


@pytest.fixture
def check_site(tmp_path: Path) -> Path:
    return copy_site(CHECK_FIXTURE, tmp_path / "check")


def test_example_portal_has_no_finding(example_site: Path, run) -> None:
    result = run("check", "--root", example_site, "--now", NOW, "--strict")
    assert result.code == 0, result.out
    assert result.out == ""
    assert result.err == "checked 43 files: no problems found\n"


def test_each_kind_of_problem_at_its_line(check_site: Path, run) -> None:
    result = run("check", "--root", check_site, "--now", NOW)
    assert result.out == EXPECTED
    assert result.code == 0  # warnings alone do not fail ...
    assert result.err == "checked 10 files: 17 warnings, 1 note\n"
    assert (
        run("check", "--root", check_site, "--now", NOW, "--strict").code == 1
    )  # ... in CI they do


# What the fixture file says at each finding's line: the finding points at it.
AT_LINE = {
    "content/events/ohne-ort.md:2": "title: Fachtag ohne Ort",  # the place is missing
    "content/news/bild-fehlt.md:4": "image: weg.jpg",
    "content/news/bilder/index.md:4": "image: titel.jpg",
    "content/news/bilder/index.md:8": "![](foto.jpg)",
    "content/news/bilder/index.md:10": "![Ein Bild, das fehlt](fehlt.jpg)",
    "content/news/lang.md:4": 'summary: "Der Verband',
    "content/news/links.md:6": "(/aktuelles/gibt-es-nicht/)",
    "content/news/links.md:7": "(../events/fehlt.md)",
    "content/news/links.md:8": "(entwurf.md)",
    "content/news/links.md:9": "(/aktuelles/schlussel/)",
    "content/news/links.md:11": "(zukunft.md#teil)",
    "content/news/schluessel.md:4": "titel: Tippfehler",
    "content/news/schluessel.md:5": "foerderer: Stiftung Beispiel",
    "content/news/ueberschriften.md:5": "# Noch ein Titel",
    "content/news/ueberschriften.md:11": "#### Einzelheiten",
    "content/news/ueberschriften.md:13": "Unterstrichen",
    "content/news/zukunft.md:3": 'date: "2027-03-12 10:00"',
}


def test_lines_point_at_what_they_name() -> None:
    where = {":".join(line.split(":")[:2]) for line in EXPECTED.splitlines()}
    assert where == set(AT_LINE)
    for place, text in AT_LINE.items():
        path, number = place.split(":")
        lines = (CHECK_FIXTURE / path).read_text(encoding="utf-8").split("\n")
        assert text in lines[int(number) - 1], place


def test_only_notes_pass_strict(check_site: Path, run) -> None:
    for path in list((check_site / "content").rglob("*.md")):
        if path.name not in ("zukunft.md", "impressum.md", "schluessel.md"):
            path.unlink()
    shutil.rmtree(check_site / "content/news/bilder")  # a deleted item's photos go with it
    text = (check_site / "content/news/schluessel.md").read_text(encoding="utf-8")
    (check_site / "content/news/schluessel.md").write_text(
        text.replace("titel: Tippfehler\nfoerderer: Stiftung Beispiel\n", ""), encoding="utf-8"
    )
    result = run("check", "--root", check_site, "--now", NOW, "--strict")
    assert result.code == 0
    assert result.out.startswith("content/news/zukunft.md:3: note: scheduled: publishes on")


def test_the_scheduled_note_goes_once_the_date_has_come(check_site: Path, run) -> None:
    result = run("check", "--root", check_site, "--now", "2027-03-12 10:00")
    assert "zukunft.md:3: note" not in result.out
    assert "links.md:11" not in result.out  # the link to it is fine now


def test_errors_fail_and_the_rest_is_still_checked(check_site: Path, run) -> None:
    broken = check_site / "content/news/kaputt.md"
    broken.write_text("---\ntitle: Kaputt\ndate: 31.02.2026\n---\n# Titel\n", encoding="utf-8")
    result = run("check", "--root", check_site, "--now", NOW)
    assert result.code == 1
    lines = result.out.splitlines()
    assert any(
        line.startswith("content/news/kaputt.md:3: error: 'date': '31.02.2026' is not a valid date")
        for line in lines
    )
    # Everything else is still checked, links too: only the broken file is left out.
    assert "content/news/ueberschriften.md:5: warning: '# Noch ein Titel'" in result.out
    assert (
        "content/news/links.md:6: warning: link to '/aktuelles/gibt-es-nicht/' leads nowhere: "
        "no page at /aktuelles/gibt-es-nicht/"
    ) in lines
    assert "content/news/links.md:7: warning: link to '../events/fehlt.md'" in result.out
    assert "links were not checked" not in result.err
    assert result.err == "checked 11 files: 1 error, 17 warnings, 1 note\n"
    fixed = [line for line in lines if not line.startswith("content/news/kaputt.md:")]
    broken.unlink()
    assert run("check", "--root", check_site, "--now", NOW).out.splitlines() == fixed


def test_check_writes_nothing(check_site: Path, run) -> None:
    before = snapshot(check_site)
    run("check", "--root", check_site, "--now", NOW)
    assert snapshot(check_site) == before
    assert not (check_site / "output").exists()


def test_config_errors_are_reported_with_their_line(check_site: Path, run) -> None:
    config = check_site / "config.yaml"
    config.write_text(config.read_text().replace("language: de", "language: fr"))
    result = run("check", "--root", check_site, "--now", NOW)
    assert result.code == 1
    assert (
        "config.yaml:4: error: 'language' must be one of de, de-x-ls, en, uk, ar, fa, tr, not 'fr'"
        in result.err
    )
    assert "Traceback" not in result.err


def test_drafts_option_counts_links_to_drafts_as_published(check_site: Path, run) -> None:
    result = run("check", "--root", check_site, "--now", NOW, "--drafts", "--future")
    assert "links.md:8" not in result.out
    assert "links.md:11" not in result.out
    assert "links.md:6" in result.out


def test_days_that_contradict_each_other_are_warned(fixture_site: Path, run) -> None:
    """Issue 24, 9: a registration deadline after the start, and a day in the file name that
    is not the event's start (or the news item's date), are warnings in `check` and the build."""
    (fixture_site / "content/events/2026-12-05-klausur.md").write_text(
        "---\ntitle: Klausur\nstart: 2026-12-06 10:00\nlocation: Haus\n"
        "registration_deadline: 2026-12-10\n---\nText.\n",
        encoding="utf-8",
    )
    (fixture_site / "content/news/2026-11-02-herbst.md").write_text(
        "---\ntitle: Herbst\ndate: 2025-11-02\n---\nText.\n", encoding="utf-8"
    )
    # Written on the 1st, published on the 5th: a scheduled item, nothing to warn.
    (fixture_site / "content/news/2026-11-01-geplant.md").write_text(
        "---\ntitle: Geplant\ndate: 2026-11-05\n---\nText.\n", encoding="utf-8"
    )
    event, news = "content/events/2026-12-05-klausur.md", "content/news/2026-11-02-herbst.md"
    expected = [
        f"{event}:3: warning: the file name says 2026-12-05, 'start' says 2026-12-06: one of "
        "them is wrong; correct 'start' or rename the file",
        f"{event}:5: warning: the registration deadline (2026-12-10) is after the start "
        "(2026-12-06): correct 'registration_deadline'",
        f"{news}:3: warning: the file name says 2026-11-02, 'date' says 2025-11-02: one of "
        "them is wrong; correct 'date' or rename the file",
    ]
    checked = run("check", "--root", fixture_site, "--now", NOW)
    assert [line for line in checked.out.splitlines() if "/2026-1" in line] == expected
    built = run("--root", fixture_site, "--now", NOW)
    assert built.code == 0
    assert built.err.splitlines() == expected
