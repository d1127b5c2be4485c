"""The preview's writer: its first rebuild stages a whole site as the files are rendered."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

from litfass.config import read_settings
from litfass.engine.writers import MirrorWriter
from litfass.outputs import Output
from litfass.write.lock import build_lock

PAGES = {"index.html": b"<p>Start</p>", "a/index.html": b"<p>A</p>", "b.txt": b"B"}


def _config(site: Path):  # search and compression would only slow this down
    config, _ = read_settings(site).loaded()
    return dataclasses.replace(config, search=False, precompress=False)


def _lock_free(site: Path) -> bool:
    """Whether another thread can take the build lock now."""
    taken = threading.Event()

    def take() -> None:
        with build_lock(site):
            taken.set()

    thread = threading.Thread(target=take, daemon=True)
    thread.start()
    return taken.wait(timeout=10)


def test_files_are_staged_as_they_come_and_only_their_digests_kept(fixture_site: Path) -> None:
    config, writer = _config(fixture_site), MirrorWriter(fixture_site)
    outputs = [Output(path) for path in PAGES]
    writer.begin(config, outputs, set(PAGES))
    for path, data in PAGES.items():
        staged = writer.stage([(path, data)])
        assert repr(data) not in repr(staged)  # digests, not the bytes
        writer.take(staged)
    assert writer.made == {}
    assert not (config.output_path / "a/index.html").exists()  # staged beside output/
    written = writer.commit(outputs)
    assert written.written == len(PAGES)
    for path, data in PAGES.items():
        assert (config.output_path / path).read_bytes() == data
    assert writer.mirror is not None and set(writer.mirror.live) == set(PAGES)
    assert _lock_free(fixture_site)
    # The next rebuild compares with the spare copy and writes only what changed.
    writer.begin(config, outputs, {"b.txt"})
    writer.take(writer.stage([("b.txt", b"B2")]))
    assert writer.commit(outputs).written == 1
    assert (config.output_path / "b.txt").read_bytes() == b"B2"


def test_a_failed_first_rebuild_leaves_output_and_the_lock_as_they_were(
    fixture_site: Path,
) -> None:
    config, writer = _config(fixture_site), MirrorWriter(fixture_site)
    before = sorted(p.name for p in fixture_site.iterdir() if p.name != ".litfass.lock")
    writer.begin(config, [Output(path) for path in PAGES], set(PAGES))
    writer.take(writer.stage([("index.html", PAGES["index.html"])]))
    writer.discard()  # as the Builder does when a template fails
    assert sorted(p.name for p in fixture_site.iterdir() if p.name != ".litfass.lock") == before
    assert _lock_free(fixture_site)
