"""The static search index: Pagefind over news, events and magazine (issue: readers).

Searching in a real browser is in test_browser.py; here the index itself is checked.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest
from playwright.sync_api import Browser, expect

from bulk_site import write_bulk_site
from conftest import NOW, snapshot
from litfass.cli import main
from litfass.write.search import PART_PAGES

ITEMS = PART_PAGES * 3  # news, and a tenth as many events: an index in parts


def indexed(portal: Path) -> set[str]:
    """Pages marked for the index."""
    return {
        path.relative_to(portal).as_posix()
        for path in portal.rglob("*.html")
        if lxml.html.fromstring(path.read_bytes()).cssselect("[data-pagefind-body]")
    }


def test_index_covers_news_events_and_magazine_in_german(portal: Path) -> None:
    entry = json.loads((portal / "pagefind/pagefind-entry.json").read_text())
    marked = indexed(portal)
    assert entry["languages"]["de"]["page_count"] == len(marked) == 12 + 10 + 3
    assert "aktuelles/soziale-traeger-als-partner-der-wohnungswirtschaft/index.html" in marked
    assert not any(p.startswith(("themen/", "suche/")) or p == "index.html" for p in marked)
    assert (portal / "pagefind/pagefind.js").is_file()
    assert list((portal / "pagefind").glob("wasm.de.pagefind"))
    assert not list((portal / "pagefind").glob("pagefind-ui*"))  # the theme has its own


def entries(site: Path) -> dict[str, int]:
    """The search index's parts in the cache, with the time each was made."""
    cache = site / ".litfass-cache/search"
    return {p.name: p.stat().st_mtime_ns for p in cache.iterdir() if p.is_dir()}


def test_unchanged_site_reuses_the_index(example_site: Path, run) -> None:
    assert run("--root", example_site, "--now", NOW).code == 0
    first = snapshot(example_site / "output/pagefind")
    made = entries(example_site)
    assert len(made) == 1  # a small site: one part
    assert json.loads(first["parts.json"]) == []
    shutil.rmtree(example_site / "output")
    assert run("--root", example_site, "--now", NOW).code == 0
    assert snapshot(example_site / "output/pagefind") == first
    assert entries(example_site) == made  # not made again


def test_changed_text_changes_the_index(example_site: Path, run) -> None:
    assert run("--root", example_site, "--now", NOW).code == 0
    first = snapshot(example_site / "output/pagefind")
    news = next((example_site / "content/news").glob("2020-*.md"))
    news.write_text(news.read_text(encoding="utf-8") + "\nQuartiersmanagement.\n", "utf-8")
    assert run("--root", example_site, "--now", NOW).code == 0
    assert snapshot(example_site / "output/pagefind") != first
    assert len(entries(example_site)) == 1  # only the newest


@dataclass(frozen=True)
class Large:
    """A site whose index comes in parts, built cold and then after one edit from its
    cache, and a cold build of the edited sources beside it."""

    site: Path
    cold: Path
    kept: int  # parts of the first build's index the edit left as they were


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Large:
    work = tmp_path_factory.mktemp("large")
    site = write_bulk_site(work / "site", ITEMS)
    assert main(["--root", str(site), "--now", NOW, "--quiet"]) == 0
    before = entries(site)
    article = next((site / "content/news").glob("*-meldung-7.md"))
    text = article.read_text(encoding="utf-8")
    article.write_text(text + "\nDas Quartiersmanagement lädt ein.\n", encoding="utf-8")
    assert main(["--root", str(site), "--now", NOW, "--quiet"]) == 0
    cold = shutil.copytree(site, work / "cold", ignore=shutil.ignore_patterns("output", ".lit*"))
    assert main(["--root", str(cold), "--now", NOW, "--quiet"]) == 0
    kept = len(before.items() & entries(site).items())
    return Large(site, cold, kept)


def test_a_large_index_comes_in_parts_and_an_edit_remakes_one(large: Large) -> None:
    index = large.site / "output/pagefind"
    parts = json.loads((index / "parts.json").read_text())
    assert parts == [f"part-{n}/" for n in range(1, len(parts) + 1)] and len(parts) >= 2
    for part in parts:  # merged into the first part's index: its script and WebAssembly
        assert (index / part / "pagefind-entry.json").is_file()
        assert not list((index / part).glob("*.js"))
    pages = sum(
        json.loads((index / folder / "pagefind-entry.json").read_text())["languages"]["de"][
            "page_count"
        ]
        for folder in ["", *parts]
    )
    assert pages == len(indexed(large.site / "output")) == ITEMS + ITEMS // 10
    assert large.kept == len(parts)  # every part but the edited page's one


def test_search_index_after_an_edit_is_the_cold_builds(large: Large) -> None:
    assert snapshot(large.site / "output/pagefind") == snapshot(large.cold / "output/pagefind")


def test_search_finds_the_same_pages_after_an_edit_as_after_a_cold_build(
    large: Large, chromium: Browser
) -> None:
    found = {}
    for name, site in (("site", large.site), ("cold", large.cold)):
        with serving(site / "output") as address:
            page = chromium.new_page()
            for word in ("Quartiersmanagement", "Erfahrungen", "Fachtag"):
                page.goto(f"{address}/suche/?q={word}")
                expect(page.locator("#search_status")).to_contain_text("Treffer")
                found[name, word] = page.locator("#search_status").inner_text()
            page.close()
    assert found["site", "Quartiersmanagement"] == "1 Treffer für „Quartiersmanagement“"
    # Every news item says "Erfahrungen", every event is a "Fachtag": found in every part.
    assert found["site", "Erfahrungen"].startswith(f"{ITEMS} Treffer")
    assert found["site", "Fachtag"].startswith(f"{ITEMS // 10} Treffer")
    assert {w: t for (n, w), t in found.items() if n == "site"} == {
        w: t for (n, w), t in found.items() if n == "cold"
    }


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """A folder on a free port of 127.0.0.1."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass
