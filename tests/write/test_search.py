"""The static search index: Pagefind over news, events and magazine (issue: readers).

Searching the example portal in a real browser is in test_browser.py; here the index itself
is checked, and a large site's search in Chromium against one plain Pagefind index.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cbor2
import lxml.html
import pytest
from playwright.sync_api import Browser, expect

from bulk_site import write_bulk_site
from conftest import NOW, snapshot
from litfass.cli import main
from litfass.commands.common import parse_now
from litfass.engine.builder import Builder
from litfass.site import BuildOptions
from litfass.write import search
from litfass.write.search import PART_PAGES
from litfass.write.searchmerge import Unmergeable, merge

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
    others = ("leichte-sprache/", "en/", "uk/", "ar/")  # each language its own index
    marked = {p for p in indexed(portal) if not p.startswith(others)}
    assert entry["languages"]["de"]["page_count"] == len(marked) == 12 + 10 + 3
    counts = {tag: found["page_count"] for tag, found in entry["languages"].items()}
    assert counts == {"de": 25, "de-x-ls": 1, "en": 1 + 7, "uk": 1, "ar": 1}
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
    assert len(made) == 1  # a small site: one part, which is the index
    assert json.loads(first["parts.json"]) == []  # for a theme's own script made for parts
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
    kept: int  # cache entries of the first build the edit left as they were
    made: int  # cache entries after the edit: the parts and the one index joined from them


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
    return Large(site, cold, kept, len(entries(site)))


def test_a_large_site_gets_one_index_and_an_edit_remakes_one_part(large: Large) -> None:
    index = large.site / "output/pagefind"
    assert sorted(p.name for p in index.iterdir() if p.is_dir()) == ["fragment", "index"]
    assert json.loads((index / "parts.json").read_text()) == []
    entry = json.loads((index / "pagefind-entry.json").read_text())
    pages = entry["languages"]["de"]["page_count"]
    assert pages == len(indexed(large.site / "output")) == ITEMS + ITEMS // 10
    assert len(list((index / "fragment").iterdir())) == pages
    parts = large.made - 1  # besides the one index
    assert parts >= 3
    assert large.kept == parts - 1  # every part but the edited page's one


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


def plain_index(output: Path, folder: Path) -> Path:
    """The same pages as `output` with one index made by Pagefind over all of them at once:
    what a Hugo user's pipeline publishes."""
    shutil.copytree(output, folder, ignore=shutil.ignore_patterns("pagefind"))
    done = subprocess.run(
        [*search._program()[0], "--site", ".", "--output-path", "pagefind"],
        cwd=folder,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (folder / "pagefind/parts.json").write_text("[]\n")  # for a theme's script made for parts
    return folder


def first_search(chromium: Browser, address: str, word: str) -> tuple[str, list[str]]:
    """A reader's first search on the search page: what it says, and every request made."""
    context = chromium.new_context()  # nothing cached from another search
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{address}/suche/?q={word}")
    expect(page.locator("#search_status")).to_contain_text("Treffer")
    expect(page.locator("#search_results li").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    said = page.locator("#search_status").inner_text()
    context.close()
    return said, requests


@pytest.mark.parametrize("word", ["Quartiersmanagement", "Erfahrungen", "Fachtag"])
def test_first_search_costs_no_more_requests_than_one_pagefind_index(
    large: Large, chromium: Browser, tmp_path: Path, word: str
) -> None:
    plain = plain_index(large.site / "output", tmp_path / "plain")
    with serving(large.site / "output") as ours, serving(plain) as theirs:
        said, made = first_search(chromium, ours, word)
        expected, needed = first_search(chromium, theirs, word)
    assert said == expected  # the same pages found
    assert len(made) <= len(needed), (made, needed)


def test_search_in_the_preview_follows_an_edit(
    large: Large, chromium: Browser, tmp_path: Path
) -> None:
    """The preview's Builder keeps the one index up once the editor pauses, from the parts."""
    site = shutil.copytree(large.cold, tmp_path / "site", ignore=shutil.ignore_patterns("output"))
    builder = Builder(site, lambda: BuildOptions(now=parse_now(NOW)))
    try:
        builder.rebuild()
        article = next((site / "content/news").glob("*-meldung-11.md"))
        text = article.read_text(encoding="utf-8")
        article.write_text(text + "\nDie Schuldnerberatungsstelle öffnet.\n", encoding="utf-8")
        builder.rebuild([article])
        assert builder.finish_extras()
        plain = plain_index(site / "output", tmp_path / "plain")
        with serving(site / "output") as ours, serving(plain) as theirs:
            said, made = first_search(chromium, ours, "Schuldnerberatungsstelle")
            expected, needed = first_search(chromium, theirs, "Schuldnerberatungsstelle")
    finally:
        builder.close()
    assert said == expected == "1 Treffer für „Schuldnerberatungsstelle“"
    assert len(made) <= len(needed), (made, needed)


def test_parts_with_filters_are_indexed_whole_by_pagefind(tmp_path: Path) -> None:
    """What joining does not know (a theme's filters) is left to Pagefind over every page."""
    site = tmp_path / "site"
    pages = {}
    for number in range(PART_PAGES * 2):
        path = site / f"seite-{number}/index.html"
        path.parent.mkdir(parents=True)
        path.write_text(
            f'<html lang="de"><body><main data-pagefind-body><h1>Seite {number}</h1>'
            f'<p data-pagefind-filter="Region">{"Leipzig" if number % 2 else "Dresden"}</p>'
            "<p>Wohnungslosenhilfe im Quartier.</p></main></body></html>",
            encoding="utf-8",
        )
        pages[path.relative_to(site).as_posix()] = path.read_bytes()
    wanted = search.parts(pages, set(pages))
    assert len(wanted) == 2
    files = search.index_files(tmp_path, site, wanted, 2)
    folder = tmp_path / ".litfass-cache/search"
    with pytest.raises(Unmergeable):
        merge([folder / part.key for part in wanted], tmp_path / "joined", [])
    entry = json.loads(Path(files["pagefind/pagefind-entry.json"]).read_text())
    assert entry["languages"]["de"]["page_count"] == PART_PAGES * 2
    assert any(path.startswith("pagefind/filter/") for path in files)


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


def pagefind_index(folder: Path, titles: list[str]) -> Path:
    """Pagefind's own index of a few pages, one per title."""
    for number, title in enumerate(titles):
        page = folder / f"site/seite-{number}/index.html"
        page.parent.mkdir(parents=True)
        page.write_text(
            f'<html lang="de"><body><main data-pagefind-body><h1>{title}</h1>'
            f"<p>{title} im Quartier.</p></main></body></html>",
            encoding="utf-8",
        )
    command = [*search._program()[0], "--site", "site", "--output-path", "index"]
    assert subprocess.run(command, cwd=folder, capture_output=True, check=False).returncode == 0
    return folder / "index"


def decoded(path: Path) -> Any:
    """A file of a Pagefind index: gzipped, signed, then CBOR (a fragment: JSON)."""
    data = gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd")
    return json.loads(data) if path.suffix == ".pf_fragment" else cbor2.loads(data)


def test_joined_pages_are_numbered_on_and_clashing_fragment_names_kept_apart(
    tmp_path: Path,
) -> None:
    first = pagefind_index(tmp_path / "a", ["Tafel", "Kita"])
    second = pagefind_index(tmp_path / "b", ["Tafel Nord", "Pflege", "Ehrenamt"])
    # Give a fragment of the second part the name of one of the first's, as two parts'
    # short digests can clash: both must stay, under two names.
    metas = [next(folder.glob("*.pf_meta")) for folder in (first, second)]
    taken = decoded(metas[0])[1][0][0]
    meta = decoded(metas[1])
    (second / f"fragment/{meta[1][0][0]}.pf_fragment").rename(
        second / f"fragment/{taken}.pf_fragment"
    )
    meta[1][0][0] = taken
    metas[1].write_bytes(gzip.compress(b"pagefind_dcd" + cbor2.dumps(meta)))
    merge([first, second], tmp_path / "joined", [])
    joined = decoded(next((tmp_path / "joined").glob("*.pf_meta")))
    names = [page[0] for page in joined[1]]
    assert len(names) == len(set(names)) == 5
    titles = [
        decoded(tmp_path / f"joined/fragment/{name}.pf_fragment")["meta"]["title"] for name in names
    ]
    assert sorted(titles) == ["Ehrenamt", "Kita", "Pflege", "Tafel", "Tafel Nord"]
    words = {
        word[0]: word
        for chunk in joined[2]
        for word in decoded(tmp_path / f"joined/index/{chunk[2]}.pf_index")[0]
    }

    def found(word: str) -> set[str]:
        steps = [page[0] for page in words[word][1]]  # each page the step from the last
        return {titles[sum(steps[: n + 1])] for n in range(len(steps))}

    assert found("tafel") == {"Tafel", "Tafel Nord"}
    assert found("nord") == {"Tafel Nord"}
    assert found("ehrenamt") == {"Ehrenamt"}


def pages_in(folder: Path, pages: dict[str, tuple[str, str]]) -> None:
    """Pages of a site in several languages: path -> (lang, title)."""
    for path, (lang, title) in pages.items():
        page = folder / path
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(
            f'<html lang="{lang}"><body><main data-pagefind-body><h1>{title}</h1>'
            f"<p>{title}.</p></main></body></html>",
            encoding="utf-8",
        )


def index_of(folder: Path) -> dict[str, set[tuple[str, str]]]:
    """Each language of an index: its pages' titles with each word found on them."""
    entry = json.loads((folder / "pagefind-entry.json").read_text("utf-8"))
    found: dict[str, set[tuple[str, str]]] = {}
    for language, described in entry["languages"].items():
        meta = decoded(folder / f"pagefind.{described['hash']}.pf_meta")
        titles = [
            decoded(folder / f"fragment/{page[0]}.pf_fragment")["meta"]["title"] for page in meta[1]
        ]
        assert described["page_count"] == len(titles)
        found[language] = set()
        for chunk in meta[2]:
            for word in decoded(folder / f"index/{chunk[2]}.pf_index")[0]:
                steps = [page[0] for page in word[1]]
                found[language] |= {
                    (word[0], titles[sum(steps[: n + 1])]) for n in range(len(steps))
                }
    return found


def test_parts_in_several_languages_join_into_each_languages_index(tmp_path: Path) -> None:
    """A part may hold no page of some language: each language is joined over the parts that
    have it, and gives what one Pagefind run over every page gives."""
    pages = {
        "a/index.html": ("de", "Tafel im Quartier"),
        "en/a/index.html": ("en", "Food bank"),
        "b/index.html": ("de", "Pflege daheim"),
        "uk/b/index.html": ("uk", "Догляд вдома"),
        "en/c/index.html": ("en", "Care at home"),
        "d/index.html": ("de", "Ehrenamt gesucht"),
    }
    pages_in(tmp_path / "site", pages)
    wanted = [
        search.Part(("a/index.html", "en/a/index.html"), "part-a"),
        search.Part(("b/index.html", "uk/b/index.html", "en/c/index.html"), "part-b"),
        search.Part(("d/index.html",), "part-c"),  # German only
    ]
    files = search.index_files(tmp_path, tmp_path / "site", wanted, 2)
    joined = Path(files["pagefind/pagefind-entry.json"]).parent
    assert joined.name.startswith(search.JOINED)
    entry = json.loads((joined / "pagefind-entry.json").read_text("utf-8"))
    assert list(entry["languages"]) == ["de", "en", "uk"]
    whole = tmp_path / "whole"
    command = [*search._program()[0], "--site", "site", "--output-path", str(whole)]
    assert subprocess.run(command, cwd=tmp_path, capture_output=True, check=False).returncode == 0
    expected = index_of(whole)
    assert index_of(joined) == expected
    assert ("tafel", "Tafel im Quartier") in expected["de"]
    assert ("care", "Care at home") in expected["en"]
    assert not [title for _word, title in expected["de"] if title == "Care at home"]
