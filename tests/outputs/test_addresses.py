"""The address record (issue 15, point 3): a renamed item keeps its old address as a
redirect and its feed and calendar identity; a deleted one answers 410 Gone.

Each test builds the fixture site with the real command line, renames or deletes a file as
an editor would, and builds again.
"""

from __future__ import annotations

import http.client
import json
from datetime import date, datetime
from pathlib import Path

import feedparser
import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from livesite import LiveSite

from conftest import NOW
from litfass.addresses import HEADER, Entry, _as_written, _entry, read_record, record_text, update
from litfass.commands.common import parse_now
from litfass.config import load_config
from litfass.content.model import BuildOptions
from litfass.engine.oneshot import load_site
from litfass.errors import LitfassError
from litfass.folders import RECORD_NAME
from litfass.yamldoc import load_mapping

ARTICLE = "content/news/2021-05-01-pflege.md"
RENAMED = "content/news/2021-05-01-pflege-braucht-zeit.md"
OLD_URL, NEW_URL = "/aktuelles/pflege/", "/aktuelles/pflege-braucht-zeit/"
EVENT, MOVED_EVENT = "content/events/sommerfest.md", "content/events/2027/sommerfest.md"
DELETED, DELETED_URL = "content/news/2020-01-10-neujahr.md", "/aktuelles/neujahr/"


def feed_ids(site: Path) -> dict[str, str]:
    """Link -> id of each item in the news feed, as a feed reader sees them."""
    parsed = feedparser.parse((site / "output/aktuelles/feed.xml").read_bytes())
    return {entry.link: entry.id for entry in parsed.entries}


def calendar_uids(site: Path) -> dict[str, str]:
    calendar = icalendar.Calendar.from_ical(
        (site / "output/veranstaltungen/kalender.ics").read_bytes()
    )
    return {str(e["url"]): str(e["uid"]) for e in calendar.walk("VEVENT")}


def test_a_first_build_records_every_public_address_one_line_each(fixture_site: Path, run) -> None:
    assert run("--root", fixture_site, "--now", NOW).code == 0
    text = (fixture_site / RECORD_NAME).read_text(encoding="utf-8")
    items = [line for line in text.splitlines() if not line.startswith("#")]
    assert items == sorted(items)
    assert any(
        line.startswith(f'"{OLD_URL}": {{file: "news/2021-05-01-pflege.md"') for line in items
    )
    assert "since: 2021-05-01" in next(line for line in items if OLD_URL in line)
    # Neither the draft nor the scheduled article: they were never published.
    assert "entwurf" not in text and "zukunft" not in text


def test_a_renamed_article_redirects_and_keeps_its_feed_id(fixture_site: Path, run) -> None:
    assert run("--root", fixture_site, "--now", NOW).code == 0
    ids_before = feed_ids(fixture_site)
    (fixture_site / ARTICLE).rename(fixture_site / RENAMED)

    built = run("--root", fixture_site, "--now", NOW)
    assert built.code == 0
    note = f"{RENAMED}: address changed from {OLD_URL} to {NEW_URL}; the old address redirects"
    assert note in built.out.splitlines()

    ids_after = feed_ids(fixture_site)
    link = "https://test.example.org"
    assert ids_after[link + NEW_URL] == ids_before[link + OLD_URL]
    redirects = (fixture_site / "output/redirects.nginx").read_text(encoding="utf-8")
    assert f'location = "{OLD_URL}" {{ return 301 "{NEW_URL}"; }}' in redirects
    page = (fixture_site / "output/aktuelles/pflege/index.html").read_text(encoding="utf-8")
    assert f'content="0; url={NEW_URL}"' in page  # for hosts without nginx
    # Said once: the next build finds the record up to date.
    again = run("--root", fixture_site, "--now", NOW)
    assert "address changed" not in again.out


def test_a_moved_event_keeps_its_calendar_uid(fixture_site: Path, run) -> None:
    assert run("--root", fixture_site, "--now", NOW).code == 0
    before = calendar_uids(fixture_site)
    (fixture_site / MOVED_EVENT).parent.mkdir()
    (fixture_site / EVENT).rename(fixture_site / MOVED_EVENT)
    text = (fixture_site / MOVED_EVENT).read_text(encoding="utf-8")
    (fixture_site / MOVED_EVENT).write_text(text.replace("---\n", "---\nslug: fest-2027\n", 1))
    assert run("--root", fixture_site, "--now", NOW, "--quiet").code == 0
    after = calendar_uids(fixture_site)
    base = "https://test.example.org/veranstaltungen/"
    assert after[base + "fest-2027/"] == before[base + "sommerfest/"]


def test_a_deleted_article_answers_410_with_the_sites_page(fixture_site: Path, run) -> None:
    assert run("--root", fixture_site, "--now", NOW).code == 0
    (fixture_site / DELETED).unlink()
    built = run("--root", fixture_site, "--now", NOW)
    assert f"{DELETED} is gone: {DELETED_URL} answers 410 Gone from now on" in built.out
    redirects = (fixture_site / "output/redirects.nginx").read_text(encoding="utf-8")
    assert f'location = "{DELETED_URL}" {{ return 410; }}' in redirects
    assert "410" in (fixture_site / "output/410.html").read_text(encoding="utf-8")
    assert not (fixture_site / "output/aktuelles/neujahr").exists()

    # Brought back (git restores it): the same item again, no longer gone.
    (fixture_site / DELETED).write_text("---\ntitle: Neujahrsempfang\ndate: 2020-01-10\n---\nDa.\n")
    assert run("--root", fixture_site, "--now", NOW, "--quiet").code == 0
    redirects = (fixture_site / "output/redirects.nginx").read_text(encoding="utf-8")
    assert DELETED_URL not in redirects
    assert "gone:" not in (fixture_site / RECORD_NAME).read_text(encoding="utf-8")


def test_check_drafts_and_the_preview_never_write_the_record(fixture_site: Path, run) -> None:
    assert run("check", "--root", fixture_site, "--now", NOW).code == 0
    assert not (fixture_site / RECORD_NAME).exists()
    assert run("--root", fixture_site, "--now", NOW, "--drafts", "--future", "--quiet").code == 0
    assert not (fixture_site / RECORD_NAME).exists()  # a build of what is not public yet


def test_a_build_of_what_is_not_public_yet_leaves_no_trace(fixture_site: Path, run) -> None:
    """An embargoed item seen by a build as of a later day (or with --drafts or --future)
    must not be recorded: else the next build marks it gone and its address answers 410,
    unlike an address that never existed (issue 22, point 4)."""
    assert run("--root", fixture_site, "--now", NOW, "--quiet").code == 0
    before = (fixture_site / RECORD_NAME).read_bytes()
    shown = {
        ("--now", "2030-01-02"): "zukunft",
        ("--now", NOW, "--drafts"): "entwurf",
        ("--now", NOW, "--future"): "zukunft",
    }
    for options, item in shown.items():
        result = run("--root", fixture_site, *options)
        assert result.code == 0, result.err
        assert (fixture_site / f"output/aktuelles/{item}/index.html").is_file()
        assert (fixture_site / RECORD_NAME).read_bytes() == before, options
        assert run("--root", fixture_site, "--now", NOW, "--quiet").code == 0
        text = (fixture_site / RECORD_NAME).read_text(encoding="utf-8")
        assert "zukunft" not in text and "Zukunft" not in text and "entwurf" not in text
        redirects = (fixture_site / "output/redirects.nginx").read_text(encoding="utf-8")
        assert "/aktuelles/zukunft/" not in redirects and "/aktuelles/entwurf/" not in redirects


def test_the_same_record_and_content_give_the_same_record(fixture_site: Path, run) -> None:
    """Updating an updated record changes nothing: a clean checkout builds the same site."""
    assert run("--root", fixture_site, "--now", NOW, "--quiet").code == 0
    (fixture_site / ARTICLE).rename(fixture_site / RENAMED)
    (fixture_site / DELETED).unlink()
    record = read_record(fixture_site)
    config, _ = load_config(fixture_site)
    options = BuildOptions(now=parse_now(NOW))
    site, _ = load_site(fixture_site, options)
    now = datetime.fromisoformat("2026-11-21T09:00:00+01:00")
    once = update(record, site.pages, config.content_dir, now)
    twice = update(once.entries, site.pages, config.content_dir, now)
    assert twice.entries == once.entries and twice.book == once.book
    assert twice.notes == () and len(once.notes) == 2


def test_an_undated_event_is_announced_the_day_it_first_appeared(fixture_site: Path, run) -> None:
    assert run("--root", fixture_site, "--now", NOW, "--quiet").code == 0
    parsed = feedparser.parse((fixture_site / "output/veranstaltungen/feed.xml").read_bytes())
    assert parsed.feed.updated_parsed.tm_year == 2026  # not the 2027 summer festival's start
    festival = next(e for e in parsed.entries if "sommerfest" in e.link)
    assert festival.published_parsed[:3] == (2026, 11, 19)  # 2026-11-20 00:00 Berlin, in UTC


def location_of(port: int, path: str) -> tuple[int, str, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        return answer.status, answer.headers.get("Location", ""), answer.read().decode()
    finally:
        connection.close()


def test_the_preview_answers_301_and_410_like_nginx(fixture_site: Path, run) -> None:
    assert run("--root", fixture_site, "--now", NOW, "--quiet").code == 0
    live = LiveSite(fixture_site, "serve").ready()
    try:
        (fixture_site / ARTICLE).rename(fixture_site / RENAMED)
        (fixture_site / DELETED).unlink()
        live.rebuilt()
        status, location, _ = location_of(live.port, OLD_URL)
        assert (status, location) == (301, NEW_URL)
        status, _, page = location_of(live.port, DELETED_URL)
        assert status == 410 and "big-code" in page
        assert location_of(live.port, NEW_URL)[0] == 200
    finally:
        assert live.stop() == 0, live.rest()
    # The preview tried things out: only `build` records them.
    assert RENAMED.removeprefix("content/") not in (fixture_site / RECORD_NAME).read_text()


def test_check_says_what_the_next_build_will_do(fixture_site: Path, run) -> None:
    assert run("--root", fixture_site, "--now", NOW, "--quiet").code == 0
    (fixture_site / ARTICLE).rename(fixture_site / RENAMED)
    (fixture_site / DELETED).unlink()
    result = run("check", "--root", fixture_site, "--now", NOW)
    assert result.code == 0
    lines = result.out.splitlines()
    assert (
        f"{RENAMED}: note: address changes from {OLD_URL} to {NEW_URL} with the next build; "
        "the old address will redirect"
    ) in lines
    assert (
        f"{DELETED}: note: deleted: {DELETED_URL} will answer 410 Gone after the next build"
        in lines
    )
    assert RENAMED.removeprefix("content/") not in (fixture_site / RECORD_NAME).read_text()


def test_a_broken_record_is_an_error_with_its_line(fixture_site: Path, run) -> None:
    (fixture_site / RECORD_NAME).write_text('"/a/": {file: "news/a.md", since: gestern}\n')
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 1
    assert (
        "addresses.yaml:1: error: not an address entry: '/a/: {file, since, urls}' expected"
        in result.err
    )
    assert not (fixture_site / "output").exists()


def test_a_record_cannot_write_outside_output(fixture_site: Path, run) -> None:
    """The record is a file anyone may edit: its addresses never name a path outside output/."""
    (fixture_site / RECORD_NAME).write_text(
        '"/a/": {file: "news/2021-05-01-pflege.md", since: 2021-05-01, '
        'urls: ["/../../ausserhalb/", "/aktuelles/pflege/"]}\n',
        encoding="utf-8",
    )
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 1
    assert "addresses.yaml:1: error: not an address entry" in result.err
    assert not (fixture_site.parent / "ausserhalb").exists()


@given(st.text(max_size=40), st.text(max_size=40))
@settings(max_examples=200, deadline=None)
def test_any_title_and_file_name_survive_the_record(title: str, name: str) -> None:
    """Whatever text an entry holds, the committed file reads back as the same record."""
    import tempfile

    entry = Entry("/a/", ("/a/",), date(2026, 11, 20), f"news/{name}.md", title)
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / RECORD_NAME).write_text(record_text([entry]), encoding="utf-8")
        assert read_record(Path(folder)) == (entry,)


def read_by_yaml(text: str) -> tuple[Entry, ...] | None:
    """The record as the YAML parser reads it (None where it refuses it)."""
    try:
        mapping = load_mapping(text, RECORD_NAME)
        return tuple(sorted((_entry(k, v) for k, v in mapping.data.items()), key=lambda e: e.id))
    except (LitfassError, ValueError, TypeError, KeyError):
        return None


@given(st.text(max_size=30), st.text(max_size=30), st.booleans(), st.booleans())
@settings(max_examples=300, deadline=None)
def test_a_record_read_line_by_line_is_what_yaml_reads(
    title: str, url: str, ascii_only: bool, gone: bool
) -> None:
    """Lines as litfass writes them are read without the YAML parser; any text in them, escaped
    as JSON escapes it (which YAML may read otherwise), reads as YAML reads it, or is left to it."""
    quoted = [json.dumps(t, ensure_ascii=ascii_only) for t in (title, "/a/" + url)]
    line = f'"/a/": {{title: {quoted[0]}, since: 2026-11-20, urls: [{quoted[1]}]'
    text = HEADER + line + (", gone: 2026-11-21}\n" if gone else "}\n")
    by_line = _as_written(text)
    if by_line is not None:
        assert by_line == read_by_yaml(text)


def test_a_record_edited_by_hand_is_read_by_yaml_with_its_lines(tmp_path: Path) -> None:
    """A comment, another quoting or a key given twice: the YAML parser reads it, and says where."""
    lines = [
        '"/a/": {file: "news/a.md", since: 2026-11-20, urls: ["/a/"]}',
        "# merged from the other branch",
        "'/b/': {since: 2026-11-21, urls: ['/b/']}",
    ]
    (tmp_path / RECORD_NAME).write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [entry.id for entry in read_record(tmp_path)] == ["/a/", "/b/"]
    (tmp_path / RECORD_NAME).write_text(lines[0] + "\n" + lines[0] + "\n", encoding="utf-8")
    with pytest.raises(LitfassError, match="duplicate key '/a/' \\(first given on line 1\\)"):
        read_record(tmp_path)


def test_same_content_and_record_give_identical_output(
    fixture_site: Path, tmp_path: Path, run
) -> None:
    """A fresh clone (content and addresses.yaml, no cache) builds what the editor built."""
    import shutil

    from conftest import snapshot

    assert run("--root", fixture_site, "--now", NOW, "--quiet").code == 0
    (fixture_site / ARTICLE).rename(fixture_site / RENAMED)
    (fixture_site / DELETED).unlink()
    assert run("--root", fixture_site, "--now", NOW, "--quiet").code == 0
    clone = tmp_path / "clone"
    shutil.copytree(fixture_site, clone, ignore=shutil.ignore_patterns("output", ".litfass*"))
    assert run("--root", clone, "--now", NOW, "--quiet").code == 0
    assert snapshot(clone / "output") == snapshot(fixture_site / "output")
    assert (clone / RECORD_NAME).read_bytes() == (fixture_site / RECORD_NAME).read_bytes()


def test_the_preview_follows_a_record_pulled_from_others(fixture_site: Path, run) -> None:
    """A colleague renamed an article and committed the record: `git pull` brings both."""
    assert run("--root", fixture_site, "--now", NOW, "--quiet").code == 0
    live = LiveSite(fixture_site, "serve").ready()
    try:
        record = fixture_site / RECORD_NAME
        text = record.read_text(encoding="utf-8")
        record.write_text(
            text.replace(
                'urls: ["/aktuelles/pflege/"]', 'urls: ["/alt/pflege/", "/aktuelles/pflege/"]'
            ),
            encoding="utf-8",
        )
        live.rebuilt()
        assert location_of(live.port, "/alt/pflege/")[:2] == (301, OLD_URL)
    finally:
        assert live.stop() == 0, live.rest()
