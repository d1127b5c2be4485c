"""The example portal builds as a new user would see it (issue: core)."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html

from conftest import NOW, snapshot

PRESS_RELEASE = "aktuelles/soziale-traeger-als-partner-der-wohnungswirtschaft/index.html"
FACHTAG = "veranstaltungen/fachtag-soziale-traeger-als-partner-der-wohnungswirtschaft/index.html"


def text_of(path: Path) -> str:
    return lxml.html.fromstring(path.read_bytes()).text_content()


def test_example_builds_without_warnings(example_site: Path, run) -> None:
    result = run("--root", example_site, "--now", NOW)
    assert result.code == 0, result.err
    # Over 200 files: plain progress lines (no terminal here), and nothing else.
    lines = result.err.splitlines()
    assert lines and all(re.fullmatch(r"rendering: \d+/\d+ files \(\d+%\)", x) for x in lines)
    assert result.out.startswith("Built ")


def test_seed_pages_show_german_dates(example_site: Path, run) -> None:
    assert run("--root", example_site, "--now", NOW).code == 0
    out = example_site / "output"
    assert "4. November 2019" in text_of(out / PRESS_RELEASE)
    assert "Montag, 11. November 2019, 9:00–16:00 Uhr" in text_of(out / FACHTAG)
    assert "(Leipzig)" in text_of(out / PRESS_RELEASE)


def test_every_kind_of_page_exists(example_site: Path, run) -> None:
    assert run("--root", example_site, "--now", NOW).code == 0
    out = example_site / "output"
    for page in [
        "index.html",
        "aktuelles/index.html",
        "themen/index.html",
        "themen/wohnen/index.html",
        "regionen/leipzig/index.html",
        "aktuelles/archiv/2019/index.html",
        "veranstaltungen/index.html",
        "veranstaltungen/archiv/index.html",
        FACHTAG,
        "magazin/index.html",
        "magazin/anspiel-2019-4/index.html",
        "impressum/index.html",
        "datenschutz/index.html",
        "ueber-uns/index.html",
        "kontakt/index.html",
        "404.html",
    ]:
        assert (out / page).is_file(), page


def test_upcoming_events_are_never_empty(example_site: Path, run) -> None:
    assert run("--root", example_site, "--now", NOW).code == 0
    calendar = lxml.html.fromstring(
        (example_site / "output/veranstaltungen/index.html").read_bytes()
    )
    assert len(calendar.cssselect("article.event-item")) >= 6


def test_every_internal_link_resolves(example_site: Path, run) -> None:
    assert run("--root", example_site, "--now", NOW).code == 0
    out = example_site / "output"
    broken = set()
    for page in out.rglob("*.html"):
        for _element, attribute, link, _ in lxml.html.fromstring(page.read_bytes()).iterlinks():
            if attribute not in ("href", "src") or not link.startswith("/"):
                continue
            target = out / link.split("#")[0].lstrip("/")
            if not (target.is_file() or (target / "index.html").is_file()):
                broken.add((page.relative_to(out).as_posix(), link))
    assert not broken


def test_two_builds_are_byte_identical(example_site: Path, tmp_path: Path, run) -> None:
    assert run("--root", example_site, "--now", NOW).code == 0
    first = snapshot(example_site / "output")
    (example_site / "output").rename(tmp_path / "first")
    assert run("--root", example_site, "--now", NOW).code == 0
    assert snapshot(example_site / "output") == first
