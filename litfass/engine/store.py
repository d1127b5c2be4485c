"""What a build knows, in one SQLite database in .litfass-cache/ (as Lektor keeps its build
database): input stamps, the last build, each content file as read, each output's record.

Rows are read when a build takes up the last one and written in place, one transaction per
build, only for what changed. A store from another litfass, or one that cannot be read,
locked or damaged, is no store: the build starts cold and makes it anew, never trusting it.
"""

from __future__ import annotations

import contextlib
import copy
import io
import pickle
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from litfass import digests
from litfass.content.model import differences
from litfass.folders import CACHE_DIR

STORE_FILE = "build.sqlite"
SCHEMA = "litfass-store-6"  # a store of another shape is started afresh
TABLES = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)",
    # The stamp of every input file the last build read (see `Stamp`).
    "CREATE TABLE IF NOT EXISTS inputs (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER,"
    " inode INTEGER, digest TEXT)",
    # Each content file as last read: its page, body and problems (engine/sources.py), in
    # `CHUNKS` rows by a hash of its path (see `chunk_of`).
    "CREATE TABLE IF NOT EXISTS items (chunk INTEGER PRIMARY KEY, items BLOB NOT NULL)",
    # Named reads (`site.news[0:10]`) and the digest of the value each read last time, by
    # the field of the site each starts from (`grp`: only those of a changed field are read).
    "CREATE TABLE IF NOT EXISTS reads (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,"
    " grp TEXT NOT NULL, key BLOB NOT NULL, digest BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS reads_grp ON reads (grp)",
    # Each output's record: digests of what it was made with, and the ids of its reads.
    "CREATE TABLE IF NOT EXISTS records (path TEXT PRIMARY KEY, head BLOB NOT NULL,"
    " context BLOB NOT NULL, reads BLOB NOT NULL)",
    # The outputs whose records name each read: a read that changed finds its outputs here.
    "CREATE TABLE IF NOT EXISTS readers (read INTEGER NOT NULL, path TEXT NOT NULL,"
    " PRIMARY KEY (read, path)) WITHOUT ROWID",
    # Rendered bodies by text and renderer settings (content/reader.py's Markdown cache).
    "CREATE TABLE IF NOT EXISTS body (key TEXT PRIMARY KEY, html TEXT NOT NULL)",
)


# The one stamp and file digest are litfass.digests'; the engine names them from here.
Stamp = digests.Stamp
MISSING_FILE = digests.MISSING
stamp = digests.stamp_or_missing
file_digest = digests.file_digest


def store_path(root: Path) -> Path:
    return root / CACHE_DIR / STORE_FILE


def connect(root: Path, create: bool = True) -> sqlite3.Connection | None:
    """The store of the site in `root`, its tables made; None if there is none (and not
    `create`) or it cannot be used: a damaged file is removed, so the next build makes it
    anew."""
    path = store_path(root)
    if not create and not path.is_file():
        return None
    try:
        return _connect(path)
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            return None  # another process writes to it: no store this time
        discard(root)  # a table missing: not a store this litfass made
    except sqlite3.DatabaseError:
        discard(root)  # garbage, or a file of another program: start afresh
    except OSError:
        return None  # locked by another process, or the folder not writable: no store
    if not create:
        return None
    try:
        return _connect(path)
    except (sqlite3.Error, OSError):
        return None


def discard(root: Path) -> None:
    """Remove a store that cannot be trusted; the next build makes it anew."""
    path = store_path(root)
    for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(OSError):
            name.unlink()


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(exist_ok=True)
    db = sqlite3.connect(path, timeout=5, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")  # readers (the Markdown cache's workers) never wait
        db.execute("PRAGMA synchronous=NORMAL")  # a power cut loses the last build, not the file
        schema = _meta(db, "schema")
        if schema != SCHEMA.encode():  # new, or of another shape: no write lock otherwise
            if schema is not None:
                _drop(db)
            with transaction(db):
                for table in TABLES:
                    db.execute(table)
                db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA.encode(),))
        db.execute("SELECT count(*) FROM records").fetchone()  # a damaged file fails here
    except BaseException:
        db.close()
        raise
    return db


def _drop(db: sqlite3.Connection) -> None:
    tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    with transaction(db):
        for table in tables:
            db.execute(f'DROP TABLE IF EXISTS "{table}"')


@contextlib.contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    """One transaction: every row written, or none."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _meta(db: sqlite3.Connection, key: str) -> bytes | None:
    try:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    except sqlite3.OperationalError:  # no such table: a new file
        return None
    return None if row is None else bytes(row[0])


def get(db: sqlite3.Connection, key: str) -> Any:
    """A value kept under `key` (None if there is none)."""
    value = _meta(db, key)
    return None if value is None else pickle.loads(value)


def put(db: sqlite3.Connection, key: str, value: Any) -> None:
    db.execute(
        "INSERT OR REPLACE INTO meta VALUES (?, ?)",
        (key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)),
    )


def get_bytes(db: sqlite3.Connection, key: str) -> bytes | None:
    """Bytes kept under `key`, for a caller that unpickles them its own way."""
    return _meta(db, key)


def put_file(db: sqlite3.Connection, key: str, file: BinaryIO) -> None:
    """The bytes of `file` kept under `key`, copied into its row a megabyte at a time: the
    saved site is tens of megabytes at 40,000 items, and neither SQLite nor the caller
    holds it whole in memory (that was the peak of saving)."""
    size = file.seek(0, io.SEEK_END)
    file.seek(0)
    db.execute("INSERT OR REPLACE INTO meta VALUES (?, zeroblob(?))", (key, size))
    (row,) = db.execute("SELECT rowid FROM meta WHERE key = ?", (key,)).fetchone()
    with db.blobopen("meta", "value", row) as blob:
        while part := file.read(1 << 20):
            blob.write(part)


def forget(db: sqlite3.Connection, key: str) -> None:
    db.execute("DELETE FROM meta WHERE key = ?", (key,))


def read_inputs(db: sqlite3.Connection) -> dict[str, Stamp]:
    rows = db.execute("SELECT path, size, mtime_ns, inode, digest FROM inputs")
    return {row[0]: Stamp(*row[1:]) for row in rows}


def write_inputs(db: sqlite3.Connection, files: dict[str, Stamp], before: dict[str, Stamp]) -> None:
    """The stamps of this build's inputs, written where they differ from `before`'s."""
    gone = [(path,) for path in before.keys() - files.keys()]
    db.executemany("DELETE FROM inputs WHERE path = ?", gone)
    new = [(path, *s) for path, s in files.items() if before.get(path) != s]
    db.executemany("INSERT OR REPLACE INTO inputs VALUES (?, ?, ?, ?, ?)", new)


# Where an item's row keeps its source, pickled (see `_row`; `sources.Item` unpickles it).
STORED_SOURCE = "stored_source"
# Items are kept in this many rows, a few dozen items each at 4000: one row a file took a
# loads() each, whose set-up cost more than its item (class look-ups, no shared terms), and
# an edit writes one row of a few dozen items, not all of them.
CHUNKS = 64


def chunk_of(rel: str) -> int:
    """The row that keeps the item of `rel` (in content/): the same in every process."""
    return zlib.crc32(rel.encode("utf-8", "surrogatepass")) % CHUNKS


def read_items(db: sqlite3.Connection) -> dict[str, tuple[Any, bytes]]:
    """Each content file's item as last read, with the digest of its page (b"": none)."""
    items = {}
    for (blob,) in db.execute("SELECT items FROM items"):
        for rel, (row, digest) in pickle.loads(blob).items():
            items[rel] = (_item(row), digest)
    return items


def write_items(
    db: sqlite3.Connection, items: dict[str, tuple[Any, bytes]], chunks: Iterable[int]
) -> None:
    """Write the rows `chunks` anew, each with those of `items` (rel -> item and the digest
    of its page) that belong in it; `items` must hold every item those rows keep."""
    kept: dict[int, list[str]] = {chunk: [] for chunk in chunks}
    for rel in items:
        chunk = kept.get(chunk_of(rel))
        if chunk is not None:
            chunk.append(rel)
    db.executemany(
        "DELETE FROM items WHERE chunk = ?", [(c,) for c, rels in kept.items() if not rels]
    )
    # A row at a time, made and pickled as SQLite asks for it: a cold build writes every
    # item, and the rows of all of them at once were the peak of its saving.
    rows = (
        (chunk, pickle.dumps(_rows(items, rels), pickle.HIGHEST_PROTOCOL))
        for chunk, rels in kept.items()
        if rels
    )
    db.executemany("INSERT OR REPLACE INTO items VALUES (?, ?)", rows)


def _rows(items: dict[str, tuple[Any, bytes]], rels: list[str]) -> dict[str, tuple[Any, bytes]]:
    return {rel: (_row(items[rel][0]), items[rel][1]) for rel in rels}


def _row(item: Any) -> tuple[Any, dict[str, Any] | None]:
    """An item (`sources.Item`) as its row keeps it. A page with body is made from the page
    without one, so the latter is kept as the fields in which the two differ (the body,
    mostly), and the body before its links were resolved (packed, `model.pack`), where it
    is the same bytes, as the final body's: each is read (and held) once, not twice. The
    file's source (its front matter and text) is pickled on its own, under `STORED_SOURCE`:
    loaded, it stays so until asked for."""
    page, final = item.page, item.final
    item = copy.copy(item)  # the live item stays as it is
    if "source" in item.__dict__:  # else still as it was loaded: pickled
        item.__dict__[STORED_SOURCE] = pickle.dumps(
            item.__dict__.pop("source"), pickle.HIGHEST_PROTOCOL
        )
    derived = None
    if page is not None and final is not None and type(page) is type(final):
        derived = differences(final, page)
        item.page = None
        if item.packed == final.packed_html:  # links resolved to the same text
            item.packed = final.packed_html  # one object: pickled once
    return item, derived


def _item(row: tuple[Any, dict[str, Any] | None]) -> Any:
    """The item a row keeps (see `_row`)."""
    item, derived = row
    if derived is not None:
        item.page = _like(item.final, derived)
    return item


def _like(value: Any, changes: dict[str, Any]) -> Any:
    """A frozen dataclass like `value` but for `changes`, made as unpickling makes one
    (its fields set, not passed through `__init__`: a tenth of the time, for thousands)."""
    made = object.__new__(type(value))
    made.__dict__.update(vars(value), **changes)
    return made


def clear(db: sqlite3.Connection) -> None:
    """Forget everything but the rendered bodies (a cold build writes it all anew)."""
    for table in ("inputs", "items", "reads", "records", "readers"):
        db.execute(f"DELETE FROM {table}")
    db.execute("DELETE FROM meta WHERE key != 'schema'")
