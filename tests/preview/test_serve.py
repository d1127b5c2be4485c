"""`build.py serve`: an editor saves, the page changes on disk, over HTTP and in open tabs.

Each test starts the real server in a subprocess on a free port (issue: editors' preview).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import feedparser
import lxml.html
import pytest
from livesite import EventStream, LiveSite

from conftest import NOW

ARTICLE = "content/news/2020-01-10-neujahr.md"
ARTICLE_URL = "/aktuelles/neujahr/"


@pytest.fixture
def server(fixture_site: Path) -> Iterator[LiveSite]:
    live = LiveSite(fixture_site, "serve").ready()
    yield live
    assert live.stop() == 0  # Ctrl-C stops cleanly
    printed = "\n".join(live.rest())
    assert "Traceback" not in printed
    assert printed.rstrip().endswith("Stopped.")


def edit(site: Path, rel: str, old: str, new: str) -> None:
    path = site / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def title_of(page: str) -> str:
    return lxml.html.fromstring(page).findtext(".//h1")


def test_an_edit_reaches_disk_http_and_open_tabs(server: LiveSite, fixture_site: Path) -> None:
    status, page = server.get(ARTICLE_URL)
    assert status == 200
    tab = EventStream(server.port)
    shown = tab.next_build()
    assert f'data-build="{shown}"' in page  # the page knows which build it shows

    edit(fixture_site, ARTICLE, "title:", "title: Neujahrsempfang mit Rekord #")
    server.rebuilt()

    on_disk = (fixture_site / "output/aktuelles/neujahr/index.html").read_text(encoding="utf-8")
    assert title_of(on_disk).startswith("Neujahrsempfang mit Rekord")
    status, page = server.get(ARTICLE_URL)
    assert status == 200 and title_of(page).startswith("Neujahrsempfang mit Rekord")
    assert tab.next_build() > shown  # the open tab is told to reload
    tab.close()
    assert "__litfass" not in on_disk  # the reload script is added only on the way out
    assert '<script src="/__litfass/reload.js"' in page


def test_a_broken_file_shows_an_overlay_until_it_is_fixed(
    server: LiveSite, fixture_site: Path
) -> None:
    _, before = server.get(ARTICLE_URL)
    edit(fixture_site, ARTICLE, "title:", 'slug: "<b>neu</b>"\ntitle:')
    assert "not rebuilt" in server.rebuilt()

    status, page = server.get(ARTICLE_URL)
    assert status == 200
    overlay = lxml.html.fromstring(page).get_element_by_id("litfass-overlay")
    message = overlay.findtext(".//pre")
    assert f"{ARTICLE}:" in message and "slug '<b>neu</b>'" in message
    assert "&lt;b&gt;neu&lt;/b&gt;" in page and "<b>neu</b>" not in page  # escaped
    assert title_of(page) == title_of(before)  # the last good page is still served
    assert overlay.get("role") == "alert"

    edit(fixture_site, ARTICLE, 'slug: "<b>neu</b>"\n', "")
    assert " rebuilt in " in server.rebuilt()
    status, page = server.get(ARTICLE_URL)
    assert status == 200 and "litfass-overlay" not in page


def test_a_deleted_article_is_gone_from_its_page_lists_and_feeds(
    server: LiveSite, fixture_site: Path
) -> None:
    _, listing = server.get("/aktuelles/")
    assert ARTICLE_URL in listing
    (fixture_site / ARTICLE).unlink()
    line = server.rebuilt()
    assert " 0 removed" not in line

    output = fixture_site / "output"
    assert not (output / "aktuelles/neujahr").exists()
    status, _ = server.get(ARTICLE_URL)
    assert status == 404
    for page in ("/aktuelles/", "/", "/aktuelles/archiv/2020/"):
        status, html = server.get(page)
        assert ARTICLE_URL not in html, page
    feed = feedparser.parse((output / "aktuelles/feed.xml").read_bytes())
    assert feed.entries and not any("neujahr" in entry.link for entry in feed.entries)
    atom = feedparser.parse((output / "aktuelles/atom.xml").read_bytes())
    assert not any("neujahr" in entry.link for entry in atom.entries)


def test_the_server_serves_only_the_site(server: LiveSite, fixture_site: Path) -> None:
    (fixture_site / "output/leak").symlink_to(fixture_site / "config.yaml")
    (fixture_site / "output/leaks").symlink_to(fixture_site / "content")
    for request in (
        b"GET /../config.yaml HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET /%2e%2e/config.yaml HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET /static/..%2f..%2fconfig.yaml HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET /leak HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET /leaks/news/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET /static/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n",  # a folder without index.html
    ):
        answer = server.raw(request)
        assert answer.startswith(b"HTTP/1.0 404"), (request, answer[:80])
        assert b"title: Testverband" not in answer  # config.yaml, outside output/
        assert b"neujahr.md" not in answer and b"Directory listing" not in answer

    for nonsense, code in (
        (b"NONSENSE\r\n\r\n", b"400"),
        (b"\x00\xff\xfe GET / HTTP/1.0\r\n\r\n", b"400"),
        (b"GET /" + b"a" * 70000 + b" HTTP/1.0\r\n\r\n", b"414"),
    ):
        assert b"Error code: " + code in server.raw(nonsense), nonsense[:20]
    assert server.raw(b"GET / HTTP/1.0\r\nHost: evil.example\r\n\r\n").startswith(b"HTTP/1.0 403")
    status, _ = server.get("/")  # still serving after all that
    assert status == 200
    answer = server.raw(b"GET /aktuelles HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
    assert answer.startswith(b"HTTP/1.0 301") and b"Location: /aktuelles/\r\n" in answer


def test_a_plain_build_contains_no_reload_code(fixture_site: Path, run) -> None:
    assert run("--root", fixture_site, "--drafts").code == 0
    for folder, _, names in os.walk(fixture_site / "output"):
        for name in names:
            data = (Path(folder) / name).read_bytes()
            assert b"__litfass" not in data and b"EventSource" not in data, name


def test_drafts_carry_a_banner_and_appear_only_when_asked(fixture_site: Path, run) -> None:
    draft = fixture_site / "output/aktuelles/entwurf/index.html"
    assert run("--root", fixture_site).code == 0
    assert not draft.exists()
    assert "/aktuelles/entwurf/" not in (fixture_site / "output/aktuelles/index.html").read_text()

    assert run("--root", fixture_site, "--drafts").code == 0
    banner = lxml.html.fromstring(draft.read_bytes()).find_class("draft-banner")
    assert banner and "Entwurf" in banner[0].text_content()
    other = fixture_site / "output/aktuelles/neujahr/index.html"
    assert not lxml.html.fromstring(other.read_bytes()).find_class("draft-banner")


def test_event_drafts_carry_the_draft_label_in_the_calendar(fixture_site: Path, run) -> None:
    """Issue 24, 7: in the preview's calendar and the home page's next events, an event draft
    is marked as news drafts are, so it does not look published."""
    (fixture_site / "content/events/vorstand.md").write_text(
        "---\ntitle: Vorstandsklausur\nstart: 2026-12-01 10:00\nlocation: Haus\n"
        "draft: true\n---\nText.\n",
        encoding="utf-8",
    )
    assert run("--root", fixture_site, "--drafts", "--now", NOW).code == 0
    for listing in ("veranstaltungen/index.html", "index.html"):
        tree = lxml.html.fromstring((fixture_site / "output" / listing).read_bytes())
        items = {
            item.xpath("string(.//h3)").strip(): item.find_class("draft-label")
            for item in tree.find_class("event-item")
        }
        assert items.pop("Vorstandsklausur")[0].text_content() == "Entwurf", listing
        assert items and not any(items.values()), listing  # the published ones unmarked
