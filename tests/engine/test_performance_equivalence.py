"""Speed never changes a byte: cache, workers and partial rebuilds give a cold build's output (issue 6).

A generated corpus of 120 items (the benchmark's, smaller) is built every way and compared
file by file with a cold build made with --no-cache --workers 1.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from conftest import NOW, REPO, build, snapshot

sys.path.insert(0, str(REPO / "bench"))
import corpus

ITEMS = 90  # enough for the worker pool to start (see workers.MIN_PER_WORKER)
ARTICLE = "content/news/news-00010.md"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("corpus") / "site"
    corpus.write_litfass(site, corpus.items(ITEMS))
    set_search(site, False)  # Pagefind takes a second a build; one test below keeps it
    return site


def set_search(site: Path, on: bool) -> None:
    """Search index and .gz/.br copies as in the example portal, or neither (faster)."""
    config = site / "config.yaml"
    text = config.read_text(encoding="utf-8").replace("search: false\n", "")
    if on:
        text = text.replace("precompress: false", "precompress: true")
    else:
        text = text.replace("precompress: true", "precompress: false").rstrip("\n")
        text += "\nsearch: false\n"
    config.write_text(text, encoding="utf-8")


def copy(site: Path, target: Path) -> Path:
    shutil.copytree(site, target, ignore=shutil.ignore_patterns("output", ".litfass-*"))
    return target


def cold(site: Path, target: Path, run, *args: str) -> dict[str, bytes]:
    """Output of a build that uses no cache and one process."""
    fresh = copy(site, target)
    result = run("--root", fresh, "--now", NOW, "--no-cache", "--workers", "1", *args)
    assert result.code == 0, result.err
    assert not (fresh / ".litfass-cache" / "build.sqlite").exists()
    return snapshot(fresh / "output")


def rendered(summary: str) -> int:
    """How many files a build rendered, from its summary line."""
    found = re.search(r"; (\d+) rendered", summary)
    assert found, summary
    return int(found.group(1))


def edit(site: Path, rel: str, old: str, new: str) -> None:
    path = site / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_many_workers_and_the_cache_give_the_same_bytes(generated: Path, tmp_path: Path, run):
    expected = cold(generated, tmp_path / "cold", run)
    site = copy(generated, tmp_path / "site")
    build(site, "--workers", "3")
    assert (site / ".litfass-cache" / "build.sqlite").is_file()
    assert snapshot(site / "output") == expected
    # the Markdown cache alone (the last build forgotten, output gone): bodies from the cache
    shutil.rmtree(site / "output")
    store = site / ".litfass-cache" / "build.sqlite"
    with contextlib.closing(sqlite3.connect(store)) as db, db:
        db.execute("DELETE FROM meta WHERE key != 'schema'")
    build(site, "--workers", "1")
    assert snapshot(site / "output") == expected


def test_nothing_changed_writes_nothing(generated: Path, tmp_path: Path, run) -> None:
    site = copy(generated, tmp_path / "site")
    build(site)
    before = {p: p.stat().st_ino for p in (site / "output").rglob("*") if p.is_file()}
    out = build(site).out
    assert " 0 written" in out and "; 0 rendered" in out
    after = {p: p.stat().st_ino for p in (site / "output").rglob("*") if p.is_file()}
    assert after == before


def test_an_edited_body_gives_what_a_cold_build_gives(generated: Path, tmp_path: Path, run):
    site = copy(generated, tmp_path / "site")
    set_search(site, True)  # the index of the edited site too
    build(site, "--workers", "2")
    edit(site, ARTICLE, " Fragen beantwortet ", " Fragen beantworten gern ")
    out = build(site, "--workers", "2").out
    # The article, its neighbours, the lists and feeds that show it: a few dozen of 305 files.
    assert rendered(out) <= 25
    expected = cold(site, tmp_path / "cold", run)
    assert snapshot(site / "output") == expected
    # later edits start from the site kept beside output/ and touch only what changed
    edit(site, "content/news/news-00020.md", " Fragen beantwortet ", " Fragen beantworten ")
    assert rendered(build(site).out) <= 25
    edit(site, ARTICLE, " beantworten gern ", " beantwortet ")
    assert rendered(build(site, "--workers", "1").out) <= 25
    assert snapshot(site / "output") == cold(site, tmp_path / "cold2", run)
    assert (site / ".litfass-previous").is_dir()


def test_an_edit_after_a_full_rebuild_gives_what_a_cold_build_gives(
    generated: Path, tmp_path: Path, run
) -> None:
    site = copy(generated, tmp_path / "site")
    build(site)
    edit(site, ARTICLE, 'title: "', 'title: "Neu – ')  # a full rebuild over the old site
    build(site)
    edit(site, ARTICLE, " Fragen beantwortet ", " Fragen beantworten gern ")
    assert rendered(build(site).out) <= 25
    assert snapshot(site / "output") == cold(site, tmp_path / "cold", run)


@pytest.mark.parametrize(
    ("rel", "old", "new"),
    [
        (ARTICLE, 'title: "', 'title: "Neu – '),  # on cards, lists, related articles
        (ARTICLE, "tags: [", "tags: [Wohnen, "),  # on topic pages
        ("templates/partials/card.html", "<h3>", "<h3 class='t'>"),
        ("config.yaml", "page_size: 10", "page_size: 7"),
    ],
)
def test_other_edits_give_what_a_cold_build_gives(
    generated: Path, tmp_path: Path, run, rel: str, old: str, new: str
) -> None:
    site = copy(generated, tmp_path / "site")
    build(site)
    edit(site, rel, old, new)
    build(site)
    assert snapshot(site / "output") == cold(site, tmp_path / "cold", run)


def test_added_and_removed_items_give_what_a_cold_build_gives(
    generated: Path, tmp_path: Path, run
) -> None:
    site = copy(generated, tmp_path / "site")
    build(site)
    (site / ARTICLE).unlink()
    text = (site / "content/news/news-00011.md").read_text(encoding="utf-8")
    (site / "content/news/neu.md").write_text(text.replace("news-00011", "neu"), "utf-8")
    build(site)
    assert snapshot(site / "output") == cold(site, tmp_path / "cold", run)


def test_another_day_or_a_scheduled_item_rebuilds(generated: Path, tmp_path: Path, run) -> None:
    site = copy(generated, tmp_path / "site")
    (site / "content/news/geplant.md").write_text(
        '---\ntitle: Geplant\ndate: "2026-11-20 15:00"\n---\nBald.\n', "utf-8"
    )
    build(site)
    assert not (site / "output/aktuelles/geplant").exists()
    result = run("--root", site, "--now", "2026-11-20 16:00")
    assert result.code == 0, result.err
    assert (site / "output/aktuelles/geplant/index.html").is_file()
    expected = cold(site, tmp_path / "cold", run, "--now", "2026-11-20 16:00")
    assert snapshot(site / "output") == expected
    result = run("--root", site, "--now", "2027-06-01 09:00")  # events move to the past
    assert result.code == 0, result.err
    expected = cold(site, tmp_path / "cold2", run, "--now", "2027-06-01 09:00")
    assert snapshot(site / "output") == expected


def test_a_damaged_cache_is_rebuilt(generated: Path, tmp_path: Path, run) -> None:
    site = copy(generated, tmp_path / "site")
    build(site)
    (site / ".litfass-cache" / "build.sqlite").write_bytes(b"not what it was")
    shutil.rmtree(site / "output")
    build(site)
    assert snapshot(site / "output") == cold(site, tmp_path / "cold", run)


@pytest.mark.parametrize("damage", ["truncated", "garbage in its pages", "locked"])
def test_a_damaged_or_locked_store_means_a_cold_build(
    generated: Path, tmp_path: Path, run, damage: str
) -> None:
    site = copy(generated, tmp_path / "site")
    build(site)
    edit(site, ARTICLE, " Fragen beantwortet ", " Fragen beantworten gern ")
    store = site / ".litfass-cache" / "build.sqlite"
    with contextlib.ExitStack() as stack:
        if damage == "truncated":
            with store.open("r+b") as handle:
                handle.truncate(store.stat().st_size // 3)
        elif damage == "garbage in its pages":
            data = bytearray(store.read_bytes())
            data[4096:] = bytes((i * 7) % 251 for i in range(len(data) - 4096))
            store.write_bytes(bytes(data))
        else:  # another process holds a write lock on it for the whole build
            holder = stack.enter_context(contextlib.closing(sqlite3.connect(store)))
            holder.execute("BEGIN EXCLUSIVE")
        result = run("--root", site, "--now", NOW)
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    assert snapshot(site / "output") == cold(site, tmp_path / "cold", run)
    # The store is whole again: after at most one more full build, edits are cheap again.
    edit(site, ARTICLE, " beantworten gern ", " beantwortet ")
    build(site)
    edit(site, ARTICLE, " beantwortet ", " beantworten gern ")
    assert rendered(build(site).out) <= 25


def test_a_theme_showing_bodies_on_other_pages_is_followed(
    generated: Path, tmp_path: Path, run
) -> None:
    site = copy(generated, tmp_path / "site")
    edit(site, "templates/partials/card.html", "<p>{{ item.summary }}</p>", "{{ item.body_html }}")
    build(site)
    edit(site, ARTICLE, " Fragen beantwortet ", " Fragen beantworten gern ")
    out = build(site).out
    assert rendered(out) > 8  # lists and related articles show the body too
    assert snapshot(site / "output") == cold(site, tmp_path / "cold", run)


def test_a_site_without_search_builds_no_index(fixture_site: Path, run) -> None:
    config = fixture_site / "config.yaml"
    text = config.read_text(encoding="utf-8").rstrip("\n")
    config.write_text(text + "\nsearch: false\n", encoding="utf-8")
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 0, result.err
    out = fixture_site / "output"
    assert not (out / "pagefind").exists() and not (out / "suche").exists()
    assert 'role="search"' not in (out / "index.html").read_text(encoding="utf-8")
    assert "/suche/" not in (out / "404.html").read_text(encoding="utf-8")


def test_an_edit_keeps_every_other_body_in_the_markdown_cache(
    generated: Path, tmp_path: Path, run
) -> None:
    site = copy(generated, tmp_path / "site")
    build(site)
    database = site / ".litfass-cache" / "build.sqlite"

    def keys() -> set[str]:
        with contextlib.closing(sqlite3.connect(database)) as db:
            return {row[0] for row in db.execute("SELECT key FROM body")}

    before = keys()
    edit(site, ARTICLE, " Fragen beantwortet ", " Fragen beantworten gern ")
    build(site)
    after = keys()
    assert len(after - before) == 1 and before <= after  # the new body, and all the others
    (site / ARTICLE).unlink()  # a file gone: its bodies go too, the others stay
    build(site)
    assert len(keys()) == len(before) - 1


def test_bodies_resolved_over_workers_warn_as_in_one_process(
    generated: Path, tmp_path: Path, run
) -> None:
    """A cold build resolves its bodies' links over the workers: the warnings they find (a
    link to no file, a link to a draft) come back to the editor exactly as from one process,
    and the draft's address reaches no page."""
    site = copy(generated, tmp_path / "site")
    edit(site, ARTICLE, " Fragen beantwortet ", " Fragen [beantwortet](gibt-es-nicht.md) ")
    edit(site, "content/news/news-00020.md", 'title: "', 'draft: true\ntitle: "')
    edit(site, "content/news/news-00040.md", " Fragen beantwortet ", " [Fragen](news-00020.md) ")
    outcomes = []
    for workers in ("1", "2"):
        target = copy(site, tmp_path / f"workers-{workers}")
        result = run("--root", target, "--now", NOW, "--no-cache", "--workers", workers)
        assert result.code == 0, result.err
        outcomes.append((result.err, snapshot(target / "output")))
    (one_err, one_output), (two_err, two_output) = outcomes
    assert "news-00010.md:" in one_err and "gibt-es-nicht.md" in one_err
    assert "news-00040.md:" in one_err
    assert two_err == one_err
    assert two_output == one_output
    assert not any(b"news-00020" in data for data in two_output.values())
