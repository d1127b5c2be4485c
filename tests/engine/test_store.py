"""The build's store (engine/store.py) and `build --explain`: the one-shot build takes up the
last one from .litfass-cache/build.sqlite, says why it made each file again, and a store
it cannot trust means a cold build.
"""

from __future__ import annotations

import contextlib
import pickle
import pickletools
import shutil
import sqlite3
from array import array
from collections.abc import Iterator
from pathlib import Path

from conftest import NOW, REPO, build, snapshot
from litfass.commands.common import parse_now
from litfass.config import read_settings
from litfass.content.files import ContentFiles, find_files
from litfass.content.model import BuildOptions
from litfass.engine import store
from litfass.engine.builder import Builder

NEWS = "content/news/2021-05-01-pflege.md"
OPTIONS = BuildOptions(now=parse_now(NOW))


def retitle(site: Path, title: str, old: str = "Pflege braucht Zeit") -> None:
    path = site / NEWS
    text = path.read_text(encoding="utf-8")
    assert f"title: {old}\n" in text
    path.write_text(text.replace(f"title: {old}\n", f"title: {title}\n"), "utf-8")


def edited_after_a_build(site: Path) -> Path:
    """Build `site`, then change a sentence of one article's body; its path."""
    build(site)
    path = site / NEWS
    path.write_text(path.read_text("utf-8").replace("mehr Zeit", "viel mehr Zeit"), "utf-8")
    return path


@contextlib.contextmanager
def restored(site: Path) -> Iterator[tuple[Builder, sqlite3.Connection]]:
    """A one-shot Builder that took up the last build from the store, and the store."""
    builder = Builder(site, lambda: OPTIONS, staged=True)
    with contextlib.closing(store.connect(site, create=False)) as db:
        assert db is not None
        builder.restore(db)
        yield builder, db


def test_no_pickle_of_the_builder_only_the_store(run, fixture_site: Path) -> None:
    build(fixture_site)
    cache = fixture_site / ".litfass-cache"
    assert (cache / "build.sqlite").is_file()
    assert not list(cache.glob("*.pickle"))
    with contextlib.closing(sqlite3.connect(cache / "build.sqlite")) as db:
        names = {row[0] for row in db.execute("SELECT name FROM reads")}
        items = store.read_items(db)
        rows = db.execute("SELECT count(*) FROM items").fetchone()[0]
    assert "site.news[0:10]" in names or any(n.startswith("site.news[") for n in names)
    assert len(items) == len(list((fixture_site / "content").rglob("*.md")))
    assert rows == len({store.chunk_of(rel) for rel in items})  # a few items to a row


def test_explain_names_the_read_that_changed(run, fixture_site: Path) -> None:
    build(fixture_site)
    retitle(fixture_site, "Pflege braucht mehr Zeit")
    out = build(fixture_site, "--explain").out
    lines = out.splitlines()
    home = [line for line in lines if line.startswith("index.html: ")]
    assert home, out
    assert "site." in home[0] and NEWS in home[0]  # the read, and the file behind it
    assert any(line.startswith("aktuelles/") for line in lines)
    # One file asked for: only its line.
    retitle(fixture_site, "Pflege braucht Zeit", old="Pflege braucht mehr Zeit")
    out = build(fixture_site, "--explain", "index.html").out
    assert [line for line in out.splitlines() if ": " in line and "site." in line] == [
        line for line in out.splitlines() if line.startswith("index.html: ")
    ]
    assert not any(line.startswith("aktuelles/") for line in out.splitlines())


def test_explain_without_a_change_says_nothing_was_made(run, fixture_site: Path) -> None:
    build(fixture_site)
    out = build(fixture_site, "--explain", "--workers", "1").out
    assert out.splitlines()[0].startswith(("nichts neu erstellt", "nothing was made again"))


def test_an_old_store_is_started_afresh(run, fixture_site: Path, tmp_path: Path) -> None:
    build(fixture_site)
    store = fixture_site / ".litfass-cache" / "build.sqlite"
    with contextlib.closing(sqlite3.connect(store)) as db, db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (b"litfass-store-0",))
    retitle(fixture_site, "Pflege braucht mehr Zeit")
    build(fixture_site)
    cold = shutil.copytree(fixture_site, tmp_path / "cold", ignore=_built)
    build(cold, "--no-cache")
    assert snapshot(fixture_site / "output") == snapshot(cold / "output")


def _built(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if n in ("output", ".litfass-cache", ".litfass-previous")]


def test_a_template_added_from_inside_after_a_build_from_outside_is_used(
    run, fixture_site: Path, monkeypatch
) -> None:
    shutil.rmtree(fixture_site / "templates")  # the default theme
    monkeypatch.chdir(fixture_site.parent)
    build(Path(fixture_site.name))
    monkeypatch.chdir(fixture_site)
    (fixture_site / "templates").mkdir()
    source = (REPO / "templates" / "404.html").read_text("utf-8")
    override = source.replace("{% block content %}", "{% block content %}<p>eigene Vorlage</p>", 1)
    assert override != source
    (fixture_site / "templates" / "404.html").write_text(override, "utf-8")
    build(Path("."))
    assert "eigene Vorlage" in (fixture_site / "output" / "404.html").read_text("utf-8")


def _rows(site: Path, table: str, key: str) -> dict[str, int]:
    """Each row's id: a row written again (INSERT OR REPLACE) gets a new one."""
    with contextlib.closing(sqlite3.connect(site / ".litfass-cache" / "build.sqlite")) as db:
        return dict(db.execute(f"SELECT {key}, rowid FROM {table}").fetchall())


def test_an_edit_writes_only_what_it_changed(run, fixture_site: Path) -> None:
    build(fixture_site)
    record = (fixture_site / "addresses.yaml").stat()
    meta = _rows(fixture_site, "meta", "key")
    with contextlib.closing(
        sqlite3.connect(fixture_site / ".litfass-cache" / "build.sqlite")
    ) as db:
        # Each row of items written from now on, counted by the store itself.
        db.executescript(
            "CREATE TABLE written (chunk INTEGER);"
            "CREATE TRIGGER noted AFTER INSERT ON items"
            " BEGIN INSERT INTO written VALUES (NEW.chunk); END;"
        )
    path = fixture_site / NEWS
    path.write_text(path.read_text("utf-8").replace("mehr Zeit", "viel mehr Zeit"), "utf-8")
    build(fixture_site)
    meta_now = _rows(fixture_site, "meta", "key")
    with contextlib.closing(
        sqlite3.connect(fixture_site / ".litfass-cache" / "build.sqlite")
    ) as db:
        written = [row[0] for row in db.execute("SELECT chunk FROM written")]
    # Only the row that keeps the edited file's item (with the few others in it).
    assert written == [store.chunk_of("news/2021-05-01-pflege.md")]
    # The site's lists and the last build are new; the address record did not change.
    assert meta_now["builder"] != meta["builder"] and meta_now["last"] != meta["last"]
    assert meta_now["addresses"] == meta["addresses"]
    now = (fixture_site / "addresses.yaml").stat()
    assert (now.st_ino, now.st_mtime_ns) == (record.st_ino, record.st_mtime_ns)


def test_an_items_row_holds_its_body_once(run, fixture_site: Path) -> None:
    build(fixture_site)
    with contextlib.closing(store.connect(fixture_site, create=False)) as db:
        assert db is not None
        chunk = store.chunk_of("news/2021-05-01-pflege.md")
        (row,) = db.execute("SELECT items FROM items WHERE chunk = ?", (chunk,))
        item = store.read_items(db)["news/2021-05-01-pflege.md"][0]
    body = item.final.body_html
    assert "<strong>mehr Zeit</strong>" in body and item.html() == body
    packed = item.final.packed_html  # bodies are kept packed (`model.pack`)
    assert bytes(row[0]).count(packed) == 1  # not the page's, then again the item's


def test_an_item_comes_back_from_its_row_as_it_was(run, fixture_site: Path) -> None:
    build(fixture_site)
    read = Builder(fixture_site, lambda: OPTIONS)
    read.load()
    assert read.sources is not None
    with contextlib.closing(store.connect(fixture_site, create=False)) as db:
        assert db is not None
        rows = store.read_items(db)
    assert rows.keys() == read.sources.items.keys()
    for rel, item in read.sources.items.items():
        kept = rows[rel][0]
        assert (kept.page, kept.final, kept.html()) == (item.page, item.final, item.html()), rel
        assert (kept.source, kept.warnings, kept.signature) == (
            item.source,
            item.warnings,
            item.signature,
        )


def test_a_build_after_an_edit_unpickles_only_the_edited_files_source(
    run, fixture_site: Path
) -> None:
    """Half of an item's row is its file's source, wanted again only where a file changed."""
    path = edited_after_a_build(fixture_site)
    with restored(fixture_site) as (builder, _db):
        pass
    assert builder.sources is not None
    items = builder.sources.items
    assert all(store.STORED_SOURCE in item.__dict__ for item in items.values())
    builder.load([path])
    unpickled = {rel for rel, item in items.items() if store.STORED_SOURCE not in item.__dict__}
    # The edited file's, and those of the draft and the scheduled item this build leaves out
    # (links to them become text: their folders are looked up).
    assert unpickled == {"news/2021-05-01-pflege.md", "news/entwurf.md", "news/zukunft.md"}
    assert "viel mehr Zeit" in items["news/2021-05-01-pflege.md"].final.body_html


def test_an_edit_reads_only_the_records_its_changed_reads_reach(run, fixture_site: Path) -> None:
    """The outputs declared again from the very same objects keep their records unread in
    the store; those that read what the edit changed are found through its index."""
    path = edited_after_a_build(fixture_site)
    with restored(fixture_site) as (builder, db):
        assert builder.ledger.records == {}
        result = builder.rebuild([path])
        stored = db.execute("SELECT count(*) FROM records").fetchone()[0]
    made = {output for output, _ in result.why}
    read = builder.ledger.records.keys()
    assert ("context", "page") in {tuple(why) for _, why in result.why}  # the edited page
    assert made <= read
    # Each unchanged item's page is declared as the very same Output again (reuse.py), and so
    # is each event's own calendar: their records stay in their rows, never unpickled.
    events = ("fachtag", "online", "sommerfest")
    assert {f"veranstaltungen/{name}/index.html" for name in events}.isdisjoint(read)
    assert {f"veranstaltungen/{name}/kalender.ics" for name in events}.isdisjoint(read)
    assert stored == result.files > len(read)


def _index_agrees_with_records(site: Path) -> None:
    """The store's index of each read's outputs says what the records say, and names every
    read it keeps."""
    with contextlib.closing(sqlite3.connect(site / ".litfass-cache" / "build.sqlite")) as db:
        named = {
            (number, path)
            for path, blob in db.execute("SELECT path, reads FROM records")
            for number in array("q", blob)
        }
        index = set(db.execute("SELECT read, path FROM readers"))
        reads = {row[0] for row in db.execute("SELECT id FROM reads")}
    assert index == named
    assert reads == {number for number, _ in index}


def test_the_index_of_readers_follows_each_edit(run, fixture_site: Path) -> None:
    build(fixture_site)
    _index_agrees_with_records(fixture_site)
    retitle(fixture_site, "Pflege braucht mehr Zeit")  # in lists: reads move
    build(fixture_site)
    _index_agrees_with_records(fixture_site)
    (fixture_site / NEWS).unlink()  # an output gone, its reads with it
    build(fixture_site)
    _index_agrees_with_records(fixture_site)


def test_the_list_of_content_files_is_kept_as_its_folder_and_relative_paths(
    example_site: Path,
) -> None:
    """The store keeps content/'s listing with the site: one path object for the folder,
    not one per file (each was four objects in the pickle, and at 40,000 files the
    pickler's memo doubled), and the very same listing comes back."""
    config, _ = read_settings(example_site).loaded()
    files, _problems = find_files(config)
    assert len(files.markdown) > 20 and files.assets
    kept = pickle.dumps(files, pickle.HIGHEST_PROTOCOL)
    one = ContentFiles(((config.content_path / "a.md", "a.md"),), ())
    # What one file takes (the folder's path, the lists), then a relative path for each other
    assert _objects(kept) == _objects(pickle.dumps(one)) + len(files.markdown + files.assets) - 1
    assert pickle.loads(kept) == files
    empty = ContentFiles((), ())
    assert pickle.loads(pickle.dumps(empty)) == empty


def _objects(pickled: bytes) -> int:
    """How many objects a pickle makes (each is memoized once)."""
    return sum(op.name == "MEMOIZE" for op, _arg, _pos in pickletools.genops(pickled))
