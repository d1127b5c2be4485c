"""The static search index: Pagefind over news, events and magazine (issue: readers).

Searching in a real browser is in test_browser.py; here the index itself is checked.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import lxml.html

from conftest import NOW, snapshot


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


def test_unchanged_site_reuses_the_index(example_site: Path, run) -> None:
    assert run("--root", example_site, "--now", NOW).code == 0
    first = snapshot(example_site / "output/pagefind")
    cache = example_site / ".litfass-cache/search"
    (entry,) = cache.iterdir()
    made = entry.stat().st_mtime_ns
    shutil.rmtree(example_site / "output")
    assert run("--root", example_site, "--now", NOW).code == 0
    assert snapshot(example_site / "output/pagefind") == first
    assert [p.name for p in cache.iterdir()] == [entry.name]
    assert entry.stat().st_mtime_ns == made  # not made again


def test_changed_text_changes_the_index(example_site: Path, run) -> None:
    assert run("--root", example_site, "--now", NOW).code == 0
    first = snapshot(example_site / "output/pagefind")
    news = next((example_site / "content/news").glob("2020-*.md"))
    news.write_text(news.read_text(encoding="utf-8") + "\nQuartiersmanagement.\n", "utf-8")
    assert run("--root", example_site, "--now", NOW).code == 0
    assert snapshot(example_site / "output/pagefind") != first
    assert len(list((example_site / ".litfass-cache/search").iterdir())) == 1  # only the newest
