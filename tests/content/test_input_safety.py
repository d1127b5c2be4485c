"""Nothing leaks, nothing is lost (issue 14): typos, commas, folders, feeds, drafts, aliases.

Each test builds a copy of the fixture site into tmp_path and looks at what a reader,
a feed reader or the editor sees.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import feedparser
import lxml.etree
import pytest
from livesite import LiveSite
from subscribers import reader_text

from conftest import NOW, snapshot, write
from litfass import atomic
from litfass.commands.common import parse_now
from litfass.content.model import BuildOptions
from litfass.editors import scaffold
from litfass.engine.builder import Builder
from litfass.errors import LitfassError
from litfass.preview.server import Preview, serve

TRICKY = "<b>Fett</b> &amp; \"Zitat\" 'einfach' AT&T I <3 Görlitz"


# --- 4: a misspelt key that decides publication stops the build -----------------------


@pytest.mark.parametrize("key", ["entwurf", "Draft", "drafft", "published", "versteckt"])
def test_a_misspelt_draft_key_publishes_nothing(fixture_site: Path, run, key: str) -> None:
    write(
        fixture_site,
        "content/news/vertraulich.md",
        f"---\ntitle: Vertraulich\ndate: 2020-01-01\n{key}: true\n---\nGeheimer Text.\n",
    )
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 1
    assert f"content/news/vertraulich.md:4: error: unknown key '{key}'; did you mean 'draft'?" in (
        result.err
    )
    assert not (fixture_site / "output").exists()


def test_other_unknown_keys_still_only_warn(fixture_site: Path, run) -> None:
    write(
        fixture_site,
        "content/news/x.md",
        "---\ntitle: X\ndate: 2020-01-01\ntitel: Y\nfoerderer: Stiftung\npublisher: Verlag\n---\n",
    )
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 0
    assert (
        result.err == "content/news/x.md:4: warning: unknown key 'titel'; did you mean 'title'?\n"
    )


# --- 14: feeds carry plain text as the editor wrote it ---------------------------------


@pytest.fixture
def tricky_feeds(fixture_site: Path, run) -> Path:
    config = fixture_site / "config.yaml"
    text = config.read_text(encoding="utf-8")
    quoted = TRICKY.replace('"', '\\"')
    config.write_text(
        text.replace("tagline: Ein kleiner Verband für Tests", f'tagline: "{quoted}"'),
        encoding="utf-8",
    )
    write(
        fixture_site,
        "content/news/heikel.md",
        f'---\ntitle: "{quoted}"\ndate: 2026-11-01\ntags: ["{quoted}", Wohnen]\n'
        f'summary: "{quoted}"\n---\nText.\n',
    )
    assert run("--root", fixture_site, "--now", NOW).code == 0
    return fixture_site / "output"


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_feed_text_reaches_readers_as_written(tricky_feeds: Path, name: str) -> None:
    feed = feedparser.parse((tricky_feeds / "aktuelles" / name).read_bytes())
    assert not feed.bozo
    assert reader_text(feed.feed.subtitle_detail) == TRICKY  # the channel's description
    entry = next(e for e in feed.entries if e.link.endswith("/aktuelles/heikel/"))
    assert reader_text(entry.title_detail) == TRICKY
    assert reader_text(entry.summary_detail) == TRICKY
    assert [tag.term for tag in entry.tags] == [TRICKY, "Wohnen"]
    topic = next(p for p in (tricky_feeds / "themen").iterdir() if p.name.startswith("b-fett"))
    channel = feedparser.parse((topic / name).read_bytes()).feed
    assert reader_text(channel.title_detail) == f"Testverband – Thema: {TRICKY}"


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_feed_text_is_never_markup_in_the_xml(tricky_feeds: Path, name: str) -> None:
    tree = lxml.etree.parse(str(tricky_feeds / "aktuelles" / name))
    assert not tree.xpath("//*[local-name()='b']")
    titles = tree.xpath("//*[local-name()='item' or local-name()='entry']/*[local-name()='title']")
    texts = {title.text for title in titles}
    assert (
        TRICKY in texts
        or TRICKY.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in texts
    )


# --- 10: an alias never shadows a file litfass makes ------------------------------------


@pytest.mark.parametrize(
    ("alias", "other"),
    [
        ("/index.html.gz", "the compressed copy of /index.html (deploy: precompress)"),
        (
            "/aktuelles/feed.xml.br",
            "the compressed copy of /aktuelles/feed.xml (deploy: precompress)",
        ),
        ("/pagefind/pagefind.js", "the search index /pagefind/ made by Pagefind"),
        ("/robots.txt", "the page /robots.txt made by litfass"),
    ],
)
def test_an_alias_may_not_shadow_a_generated_file(
    fixture_site: Path, run, alias: str, other: str
) -> None:
    config = fixture_site / "config.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "deploy:\n  precompress: true\n", encoding="utf-8"
    )
    assert run("--root", fixture_site, "--now", NOW, "--quiet").code == 0
    before = snapshot(fixture_site / "output")
    write(
        fixture_site,
        "content/news/alt.md",
        f"---\ntitle: Alt\ndate: 2020-01-01\naliases: [{alias}]\n---\nText.\n",
    )
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        f"content/news/alt.md:4: error: address {alias} is also used by {other}"
    )
    assert snapshot(fixture_site / "output") == before


# --- 9: one broken draft does not stop everyone's publishing ------------------------------

BROKEN_DRAFT = "---\ntitle: Entwurf: Positionspapier\ndate: 2026-11-01\ndraft: true\n---\nGeheim.\n"
YAML_COLON = (
    "invalid YAML: unexpected ':'; put a value containing ': ' in quotes "
    '(title: "Fachtag: Wohnen") or check the indentation'
)


@pytest.fixture
def broken_draft(fixture_site: Path) -> Path:
    write(fixture_site, "content/news/positionspapier/index.md", BROKEN_DRAFT)
    write(fixture_site, "content/news/positionspapier/pressemappe.pdf", "%PDF-1.4 vertraulich")
    write(
        fixture_site,
        "content/news/2026-11-20-pressemitteilung.md",
        "---\ntitle: Pressemitteilung\ndate: 2026-11-20 06:00\n---\nHeute erschienen, "
        "mit [Programm](programm.pdf).\n",
    )
    return fixture_site


def test_the_files_a_broken_draft_names_stay_out_too(broken_draft: Path, run) -> None:
    write(
        broken_draft,
        "content/news/stellungnahme.md",
        BROKEN_DRAFT.replace("Geheim.", "[Entwurf](stellungnahme.pdf), [Programm](programm.pdf)"),
    )
    write(broken_draft, "content/news/stellungnahme.pdf", "%PDF-1.4 vertraulich")
    write(broken_draft, "content/news/programm.pdf", "%PDF-1.4 oeffentlich")
    result = run("--root", broken_draft, "--now", NOW)
    assert result.code == 0
    assert "content/news/stellungnahme.md:2: warning: draft left out" in result.err
    published = snapshot(broken_draft / "output")
    assert b"vertraulich" not in b"".join(published.values())
    assert published["news/programm.pdf"] == b"%PDF-1.4 oeffentlich"  # an article links it


def test_a_broken_draft_is_left_out_with_a_warning(broken_draft: Path, run) -> None:
    result = run("--root", broken_draft, "--now", NOW)
    assert result.code == 0
    assert result.err == (
        f"content/news/positionspapier/index.md:2: warning: draft left out of the build: "
        f"{YAML_COLON}\n"
    )
    out = broken_draft / "output"
    assert (out / "aktuelles/pressemitteilung/index.html").is_file()
    published = b"".join(snapshot(out).values())
    assert b"Positionspapier" not in published
    assert b"vertraulich" not in published
    assert not [p for p in out.rglob("*") if "positionspapier" in p.as_posix()]


def test_a_broken_file_is_a_draft_only_by_the_key_as_spelt(fixture_site: Path, run) -> None:
    text = "---\ntitle: Entwurf: Geheim\ndate: 2026-11-01\n{key}: ja\n---\nGeheim.\n"
    write(fixture_site, "content/news/geheim.md", text.format(key="draft"))
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 0
    assert "content/news/geheim.md:2: warning: draft left out of the build:" in result.err
    assert not (fixture_site / "output/aktuelles/geheim").exists()
    write(fixture_site, "content/news/geheim.md", text.format(key="Entwurf"))
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 1
    assert result.err.startswith(f"content/news/geheim.md:2: error: {YAML_COLON}\n")


def test_a_broken_draft_stays_an_error_where_drafts_are_shown(broken_draft: Path, run) -> None:
    line = f"content/news/positionspapier/index.md:2: error: {YAML_COLON}"
    with_drafts = run("--root", broken_draft, "--now", NOW, "--drafts")
    assert with_drafts.code == 1
    assert with_drafts.err.splitlines()[0] == line
    assert not (broken_draft / "output").exists()
    check = run("check", "--root", broken_draft, "--now", NOW)
    assert check.code == 1
    assert line in check.out.splitlines()
    preview = Builder(broken_draft, lambda: BuildOptions(now=parse_now(NOW, "Europe/Berlin")))
    with pytest.raises(LitfassError) as raised:
        preview.rebuild()
    assert [str(p) for p in raised.value.problems] == [line.replace(" error:", "")]


def test_a_broken_published_item_still_stops_the_build(fixture_site: Path, run) -> None:
    write(fixture_site, "content/news/kaputt.md", BROKEN_DRAFT.replace("draft: true\n", ""))
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 1
    assert result.err.splitlines()[0] == f"content/news/kaputt.md:2: error: {YAML_COLON}"


# --- 8: `new` on a full or read-only disk: a clear error and no file ----------------------

NEW = ("new", "news", "Tag der Pflege in Görlitz", "--now", NOW)
NEW_FILE = "content/news/2026-11-20-tag-der-pflege-in-goerlitz.md"


def test_new_where_a_file_blocks_the_folder(fixture_site: Path, run) -> None:
    shutil.rmtree(fixture_site / "content/events")
    (fixture_site / "content/events").write_text("kein Ordner", encoding="utf-8")
    result = run("new", "event", "Fest", "--start", "2027-01-01", "--root", fixture_site)
    assert result.code == 1
    assert result.err == (
        "content/events/2027-01-01-fest.md: error: cannot write the new file: "
        "not a directory; nothing was written\n1 error.\n"
    )
    assert result.out == ""


@pytest.mark.parametrize(
    ("failing", "code", "reason"),
    [
        ("fsync", errno.ENOSPC, "no space left on device"),  # the disk fills while writing
        ("open", errno.EROFS, "read-only file system"),  # as root, chmod cannot show this
    ],
)
def test_new_on_a_full_or_read_only_disk_leaves_no_file(
    fixture_site: Path, run, monkeypatch: pytest.MonkeyPatch, failing: str, code: int, reason: str
) -> None:
    before = sorted(p.name for p in (fixture_site / "content/news").iterdir())

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    if failing == "open":
        monkeypatch.setattr(atomic, "open", fail, raising=False)  # where new's file is written
    else:
        monkeypatch.setattr(os, failing, fail)
    result = run(*NEW, "--root", fixture_site)
    assert result.code == 1
    assert result.err == (
        f"{NEW_FILE}: error: cannot write the new file: {reason}; nothing was written\n1 error.\n"
    )
    assert "Traceback" not in result.out + result.err
    assert sorted(p.name for p in (fixture_site / "content/news").iterdir()) == before


def test_new_writes_the_whole_file_and_never_overwrites(fixture_site: Path, run) -> None:
    first = run(*NEW, "--root", fixture_site)
    assert first.code == 0
    written = (fixture_site / NEW_FILE).read_bytes()
    assert written.startswith('---\ntitle: "Tag der Pflege in Görlitz"\n'.encode())
    assert written.endswith(scaffold.BODY.encode())
    again = run(*NEW, "--root", fixture_site)
    assert again.code == 1
    assert (fixture_site / NEW_FILE).read_bytes() == written
    assert not [p for p in (fixture_site / "content/news").iterdir() if p.name.startswith(".")]


# --- 12: the preview server keeps to this machine and to a few threads --------------------


@contextlib.contextmanager
def preview_server(tmp_path: Path, host: str, **limits: Any) -> Iterator[ThreadingHTTPServer]:
    """The real preview server on `host`, answering in a thread, on a free port."""
    output = tmp_path / "output"
    output.mkdir(exist_ok=True)
    (output / "index.html").write_text("<!DOCTYPE html><title>x</title><h1>Da</h1>")
    server = serve(Preview(output), host, 0, **limits)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def ask(host: str, port: int, header: str) -> bytes:
    with socket.create_connection((host, port), timeout=60) as connection:
        connection.sendall(f"GET / HTTP/1.0\r\nHost: {header}\r\n\r\n".encode())
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost"])
def test_the_host_check_holds_on_every_loopback_address(tmp_path: Path, host: str) -> None:
    with preview_server(tmp_path, host) as server:
        address, port = server.server_address[:2]
        for allowed in (f"{address}:{port}", f"localhost:{port}", "127.0.0.1"):
            assert ask(address, port, allowed).startswith(b"HTTP/1.0 200"), allowed
        for refused in (f"evil.example:{port}", "127.0.0.2.evil.example", "localhost.evil"):
            assert ask(address, port, refused).startswith(b"HTTP/1.0 403"), refused


def test_a_silent_client_is_let_go(tmp_path: Path) -> None:
    with preview_server(tmp_path, "127.0.0.1", timeout=0.5) as server:
        with socket.create_connection(server.server_address[:2], timeout=60) as silent:
            assert silent.recv(1) == b""  # the server hung up instead of waiting for ever
        assert ask("127.0.0.1", server.server_address[1], "localhost").startswith(b"HTTP/1.0 200")


def test_half_open_connections_get_a_thread_each_only_up_to_the_cap(tmp_path: Path) -> None:
    cap, flood = 16, 300
    before = threading.active_count()
    with preview_server(tmp_path, "127.0.0.1", connections=cap) as server:
        address = server.server_address[:2]
        half_open = [socket.create_connection(address, timeout=60) for _ in range(flood)]
        try:
            # Connections are taken in turn: once one more is turned away, all were handled.
            with socket.create_connection(address, timeout=60) as late:
                late.sendall(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
                assert late.recv(1) == b""
            assert threading.active_count() <= before + 1 + cap  # + serve_forever's thread
        finally:
            for connection in half_open:
                connection.close()
        answer = b""
        while not answer.startswith(b"HTTP/1.0 200"):  # the threads end as their clients go
            try:
                answer = ask(*address, "localhost")
            except ConnectionResetError:
                answer = b""


def test_listening_on_the_network_warns_that_everyone_sees_drafts(fixture_site: Path) -> None:
    live = LiveSite(fixture_site, "serve", "--host", "0.0.0.0").ready()
    assert live.stop() == 0, live.rest()
    assert (
        "warning: --host 0.0.0.0: everyone on this network can open the preview, "
        "drafts and scheduled items included"
    ) in live.rest()


# --- 7: the output folder is never an input folder, not even through a link ---------------


@pytest.mark.parametrize(
    ("target", "folder"),
    [("templates/static", "templates"), ("content/pages", "content"), (".", "output")],
)
def test_output_dir_reached_through_a_link_is_refused(
    fixture_site: Path, run, target: str, folder: str
) -> None:
    (fixture_site / "public").symlink_to(fixture_site / target, target_is_directory=True)
    config = fixture_site / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "output_dir: public\n", encoding="utf-8")
    before = snapshot(fixture_site)
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 1
    if folder == "output":
        message = "'output_dir: public' must be a folder inside the site's folder"
    else:
        message = (
            f"'output_dir: public' must neither contain nor lie inside '{folder}': "
            "every build replaces the output folder as a whole"
        )
    assert result.err.splitlines()[0] == f"config.yaml:15: error: {message}"
    after = snapshot(fixture_site)
    after.pop(".litfass.lock")  # the build's own lock, taken before config.yaml is read
    assert after == before  # nothing moved, nothing deleted
