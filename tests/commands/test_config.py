"""config.yaml: read once per command into the settings every part gets; the site's clock."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from conftest import FIXTURE, NOW
from litfass.config import NavItem, load_config

FEED = FIXTURE.parent / "import" / "feeds"

# Opens of any config.yaml, while a test counts them. An audit hook cannot be removed, so
# one is added on first use for the rest of the run and counts only when asked to.
_opened: list[str] | None = None
_hooked = False


def _audit(event: str, args: tuple) -> None:
    if _opened is not None and event == "open" and str(args[0]).endswith("config.yaml"):
        _opened.append(str(args[0]))


def opens_of_config(run, *args: str | Path) -> tuple[int, list[str]]:
    """Run the command line in-process; its exit code and every open of a config.yaml."""
    global _opened, _hooked
    if not _hooked:
        sys.addaudithook(_audit)
        _hooked = True
    _opened = []
    try:
        code = run(*args).code
        return code, _opened
    finally:
        _opened = None


def with_zone(site: Path, zone: str) -> None:
    config = site / "config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + f"timezone: {zone}\n", encoding="utf-8")


def news(site: Path, name: str, date: str) -> None:
    text = f'---\ntitle: Meldung {name}\ndate: "{date}"\n---\nText.\n'
    (site / "content" / "news" / f"{name}.md").write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("zone", "date", "shown"),
    [
        # 23:30 in Tokyo is 14:30 UTC, before midnight in Tokyo (15:00 UTC): not yet.
        ("Asia/Tokyo", "2026-12-08 00:00", False),
        # 23:30 in New York is 04:30 UTC the next day, after 23:00 in New York (04:00 UTC).
        ("America/New_York", "2026-12-07 23:00", True),
    ],
)
@pytest.mark.parametrize("how", ["--now", "LITFASS_NOW"])
def test_now_without_an_offset_is_the_sites_wall_clock(
    fixture_site: Path, run, monkeypatch: pytest.MonkeyPatch, zone: str, date: str, shown, how
) -> None:
    with_zone(fixture_site, zone)
    news(fixture_site, "mitternacht", date)
    if how == "--now":
        result = run("--root", fixture_site, "--now", "2026-12-07T23:30")
    else:
        monkeypatch.setenv("LITFASS_NOW", "2026-12-07T23:30")
        result = run("--root", fixture_site)
    assert result.code == 0, result.err
    pages = {p.parent.name for p in (fixture_site / "output").rglob("index.html")}
    assert ("mitternacht" in pages) is shown


def test_check_reads_now_on_the_sites_wall_clock(fixture_site: Path, run) -> None:
    """`check` tells a scheduled item from a published one by the site's clock too."""
    with_zone(fixture_site, "Asia/Tokyo")
    news(fixture_site, "mitternacht", "2026-12-08 00:00")
    result = run("check", "--root", fixture_site, "--now", "2026-12-07T23:30")
    assert result.code == 0, result.err
    assert "content/news/mitternacht.md:3: note: scheduled: publishes on 2026-12-08 00:00" in (
        result.out
    )


@pytest.mark.parametrize(
    "command",
    [
        ["build", "--now", NOW],
        ["build", "--no-cache", "--now", NOW],
        ["check", "--now", NOW],
        ["new", "news", "Eine Meldung", "--now", NOW],
        ["admin", "--repo", "verband/portal", "--now", NOW],
        ["publish", "--dry-run", "--quiet", "{site}/../ziel"],
        ["import", "feed", str(FEED / "pressemitteilungen-2019.atom"), "--now", NOW],
    ],
)
def test_every_command_opens_config_yaml_once(
    fixture_site: Path, run, monkeypatch: pytest.MonkeyPatch, command
) -> None:
    """Its language included: the site's, as LITFASS_LANG is not set."""
    monkeypatch.delenv("LITFASS_LANG")
    args = [arg.replace("{site}", str(fixture_site)) for arg in command]
    if command[0] in ("publish", "admin"):  # they need a built site
        assert run("--root", fixture_site, "--now", NOW, "--quiet").code == 0
    if command[0] == "publish":
        (fixture_site.parent / "ziel").mkdir()
    # Saved an hour ago: a file saved this very moment is also hashed for its stamp.
    an_hour_ago = time.time() - 3600
    os.utime(fixture_site / "config.yaml", (an_hour_ago, an_hour_ago))
    code, opened = opens_of_config(run, *args, "--root", fixture_site)
    assert code == 0
    assert opened == [str(fixture_site / "config.yaml")]


def test_languages_have_their_prefix_name_and_menu(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(
        "title: Verband\nbase_url: https://verband.example\n"
        "navigation: [{title: Aktuelles, url: /aktuelles/}]\n"
        "languages:\n"
        "  - de\n"
        "  - language: de-x-ls\n"
        "  - language: en\n"
        "    tagline: News from the association\n"
        "    navigation: [{title: News, url: /en/aktuelles/}]\n"
        "  - {language: ar, prefix: arabiya, name: عربي}\n",
        encoding="utf-8",
    )
    config, warnings = load_config(tmp_path)
    assert warnings == []
    assert config.language == "de"
    shown = [(x.tag, x.name, x.prefix, x.direction) for x in config.site_languages]
    assert shown == [
        ("de", "Deutsch", "/", "ltr"),
        ("de-x-ls", "Leichte Sprache", "/leichte-sprache/", "ltr"),
        ("en", "English", "/en/", "ltr"),
        ("ar", "عربي", "/arabiya/", "rtl"),
    ]
    english = config.site_language("en")
    assert english.tagline == "News from the association"
    assert english.navigation == (NavItem("News", "/en/aktuelles/"),)
    assert config.site_language("ar").navigation is None
    assert english.url("/aktuelles/x/") == "/en/aktuelles/x/"
    assert config.translation_tags == ("de-x-ls", "en", "ar")


def test_a_site_without_languages_has_its_one_language(fixture_site: Path) -> None:
    config, _ = load_config(fixture_site)
    assert config.languages == ()
    assert [x.prefix for x in config.site_languages] == ["/"]
    assert config.translation_tags == ()
