"""`publish` against real servers: OpenSSH's sshd (internal-sftp) and pyftpdlib with TLS.

What a reader of the live site must never see: a page whose styles, scripts, images or links
are not there yet. So every test checks the tree on the server as a whole, also mid-publish.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import pytest

from conftest import NOW, build, snapshot
from servers import Ftpd, Sshd, start_ftpd, start_sshd

MANIFEST = ".litfass-manifest.json"


def build_snapshot(site: Path) -> dict[str, bytes]:
    """Build `site`; every file of its output with its bytes."""
    return snapshot(build(site, "--quiet").output)


def change(site: Path) -> None:
    """An editor's day: a new item, a deleted one, and a new look (every page changes)."""
    (site / "content/news/2026-11-19-neu.md").write_text(
        "---\ntitle: Neue Beratungsstelle\ndate: 19.11.2026\n---\nWir sind umgezogen.\n",
        encoding="utf-8",
    )
    (site / "content/news/2020-01-10-neujahr.md").unlink()
    style = site / "templates/static/style.css"
    style.write_text(style.read_text(encoding="utf-8") + "\nbody { color: #111; }\n")


def live(folder: Path) -> dict[str, bytes]:
    """The served tree: litfass's manifest and any file still on its way up left out."""
    return {
        rel: data
        for rel, data in snapshot(folder).items()
        if rel != MANIFEST and not Path(rel).name.startswith(".litfass-upload-")
    }


REFERENCES = "//@href | //@src | //img/@srcset | //source/@srcset"


def broken_references(folder: Path) -> list[str]:
    """Every link, style, script and image of every page in `folder` that leads to nothing."""
    broken = []
    for page in sorted(folder.rglob("*.html")):
        rel = page.relative_to(folder).as_posix()
        if rel in ("404.html", "410.html"):
            continue  # served at any address: their links are absolute, checked elsewhere
        tree = lxml.html.fromstring(page.read_bytes())
        for value in tree.xpath(REFERENCES):
            for url in re.split(r",\s*", str(value)) if " " in value else [value]:
                target = _local_target(folder, page, url.split()[0] if url.strip() else "")
                if target is not None and not target.is_file():
                    broken.append(f"{rel}: {url}")
    return broken


def _local_target(folder: Path, page: Path, url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    base = folder if parts.path.startswith("/") else page.parent
    target = base / unquote(parts.path).lstrip("/")
    if parts.path.endswith("/"):
        target = target / "index.html"
    if not target.suffix and not target.exists():
        return target / "index.html"  # /suche without its slash: the server adds it
    return target


@pytest.fixture
def sshd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sshd]:
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)  # no agent of whoever runs the tests
    monkeypatch.delenv("LITFASS_PUBLISH_PASSWORD", raising=False)
    server = start_sshd(tmp_path / "sshd")
    yield server
    server.stop()


@pytest.fixture
def ftpd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Ftpd]:
    server = start_ftpd(tmp_path / "ftpd")
    # The server's certificate is signed by the test's own authority; trust it as the system's.
    monkeypatch.setenv("SSL_CERT_FILE", str(server.ca_file))
    monkeypatch.setenv("LITFASS_PUBLISH_PASSWORD", server.password)
    yield server
    server.stop()


def sftp_args(server: Sshd, web: Path) -> list[str | Path]:
    return [server.url(web), "--identity", server.key, "--known-hosts", server.known_hosts]


def test_sftp_mirrors_the_site_and_then_only_what_changed(
    fixture_site: Path, sshd: Sshd, tmp_path: Path, run
) -> None:
    web = tmp_path / "webspace" / "htdocs"
    first = build_snapshot(fixture_site)
    result = run("publish", "--root", fixture_site, *sftp_args(sshd, web))
    assert result.code == 0, result.err
    assert live(web) == first
    assert f"{len(first)} files uploaded" in result.out
    assert not broken_references(web)

    again = run("publish", "--root", fixture_site, *sftp_args(sshd, web))
    assert again.code == 0, again.err
    assert "0 files uploaded" in again.out and f"{len(first)} unchanged" in again.out

    change(fixture_site)
    second = build_snapshot(fixture_site)
    changed = {rel for rel, data in second.items() if first.get(rel) != data}
    gone = set(first) - set(second)
    assert "aktuelles/neujahr/index.html" in gone  # the deleted item's page
    result = run("publish", "--root", fixture_site, *sftp_args(sshd, web))
    assert result.code == 0, result.err
    assert live(web) == second
    assert f"{len(changed)} files uploaded" in result.out
    assert f"{len(gone)} deleted" in result.out
    assert not (web / "aktuelles/neujahr").exists()  # its emptied folder went too


def test_an_unknown_server_key_is_refused_with_its_fingerprint(
    fixture_site: Path, sshd: Sshd, tmp_path: Path, run
) -> None:
    build_snapshot(fixture_site)
    empty = tmp_path / "known_hosts"
    empty.write_text("", encoding="utf-8")
    web = tmp_path / "htdocs"
    url = sshd.url(web)
    result = run(
        "publish", "--root", fixture_site, url, "--identity", sshd.key, "--known-hosts", empty
    )
    assert result.code == 1
    fingerprint = _fingerprint(sshd.host_key)
    assert f"{url}: error: the server's key is not known: ssh-ed25519 {fingerprint}" in result.err
    assert f"ssh-keyscan -p {sshd.port} 127.0.0.1 >> {empty}" in result.err
    assert "Traceback" not in result.err
    assert not web.exists()


def _fingerprint(key: Path) -> str:
    """The SHA256 fingerprint as OpenSSH's ssh-keygen prints it."""
    import subprocess

    said = subprocess.run(
        ["ssh-keygen", "-l", "-E", "sha256", "-f", f"{key}.pub"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return said.split()[1]


def test_a_wrong_key_is_refused_without_asking(
    fixture_site: Path, sshd: Sshd, tmp_path: Path, run
) -> None:
    from servers import keygen

    build_snapshot(fixture_site)
    other = keygen(tmp_path / "other_key")
    web = tmp_path / "htdocs"
    url = sshd.url(web)
    args = ["--identity", other, "--known-hosts", sshd.known_hosts]
    result = run("publish", "--root", fixture_site, url, *args)
    assert result.code == 1
    assert f"{url}: error: the server refused the login" in result.err
    assert not web.exists()


def test_ftps_with_the_password_from_the_environment(fixture_site: Path, ftpd: Ftpd, run) -> None:
    first = build_snapshot(fixture_site)
    result = run("publish", "--root", fixture_site, ftpd.url())
    assert result.code == 0, result.err
    assert live(ftpd.home / "htdocs") == first
    change(fixture_site)
    second = build_snapshot(fixture_site)
    assert run("publish", "--root", fixture_site, ftpd.url()).code == 0
    assert live(ftpd.home / "htdocs") == second


def test_ftp_without_a_password_and_without_a_terminal_is_refused(
    fixture_site: Path, ftpd: Ftpd, monkeypatch: pytest.MonkeyPatch, run
) -> None:
    build_snapshot(fixture_site)
    monkeypatch.delenv("LITFASS_PUBLISH_PASSWORD")
    result = run("publish", "--root", fixture_site, ftpd.url())
    assert result.code == 1
    assert "FTP needs a password: set LITFASS_PUBLISH_PASSWORD" in result.err
    assert not (ftpd.home / "htdocs").exists()


def test_a_wrong_password_is_refused(
    fixture_site: Path, ftpd: Ftpd, monkeypatch: pytest.MonkeyPatch, run
) -> None:
    build_snapshot(fixture_site)
    monkeypatch.setenv("LITFASS_PUBLISH_PASSWORD", "falsch")
    result = run("publish", "--root", fixture_site, ftpd.url())
    assert result.code == 1
    assert f"{ftpd.url()}: error: the server refused the login" in result.err


def test_plain_ftp_is_used_only_when_named(fixture_site: Path, ftpd: Ftpd, run) -> None:
    """The server demands TLS: ftps:// (the default) works, ftp:// is turned away by it."""
    build_snapshot(fixture_site)
    plain = run("publish", "--root", fixture_site, ftpd.url(scheme="ftp"))
    assert plain.code == 1
    assert "the server refused the login" in plain.err
    assert not (ftpd.home / "htdocs").exists()


def test_an_interrupted_publish_leaves_a_working_site_and_the_next_completes_it(
    fixture_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run
) -> None:
    stores = {"count": 0, "limit": 10**9, "seen": []}

    def hang_up_midway(handler) -> None:
        """The server drops the connection at the limit, and looks at its tree each time."""
        stores["count"] += 1
        stores["seen"].append(broken_references(server.home / "htdocs"))
        if stores["count"] > stores["limit"]:
            handler.close()

    server = start_ftpd(tmp_path / "ftpd", on_store=hang_up_midway)
    monkeypatch.setenv("SSL_CERT_FILE", str(server.ca_file))
    monkeypatch.setenv("LITFASS_PUBLISH_PASSWORD", server.password)
    try:
        first = build_snapshot(fixture_site)
        assert run("publish", "--root", fixture_site, server.url()).code == 0
        change(fixture_site)
        second = build_snapshot(fixture_site)
        changed = [rel for rel, data in second.items() if first.get(rel) != data]
        stores.update(count=0, limit=len(changed) // 2, seen=[])
        broken = run("publish", "--root", fixture_site, server.url())
        assert broken.code == 1
        assert "the connection broke off after" in broken.err
        assert "publish again to complete it" in broken.err
        assert "Traceback" not in broken.err
        web = server.home / "htdocs"
        half = live(web)
        assert half != first and half != second  # really stopped halfway
        assert stores["seen"] and not any(stores["seen"]), [s for s in stores["seen"] if s]
        assert not broken_references(web)  # and at the moment it broke off

        stores.update(count=0, limit=10**9, seen=[])
        result = run("publish", "--root", fixture_site, server.url())
        assert result.code == 0, result.err
        assert live(web) == second
        assert not any(stores["seen"]) and not broken_references(web)
    finally:
        server.stop()


def test_dry_run_lists_the_changes_and_changes_nothing(
    fixture_site: Path, tmp_path: Path, run
) -> None:
    web = tmp_path / "webspace"
    first = build_snapshot(fixture_site)
    assert run("publish", "--root", fixture_site, web).code == 0
    change(fixture_site)
    build_snapshot(fixture_site)
    before = snapshot(web)
    result = run("publish", "--root", fixture_site, web, "--dry-run")
    assert result.code == 0, result.err
    assert snapshot(web) == before
    lines = result.out.splitlines()
    assert "new: aktuelles/neu/index.html" in lines
    assert "changed: index.html" in lines
    assert "delete: aktuelles/neujahr/index.html" in lines
    assert lines[-1].startswith(
        f"{sum(1 for line in lines if line.startswith(('new:', 'changed:')))} files would be uploaded"
    )
    assert set(live(web)) == set(first)


def test_the_order_keeps_every_page_whole(fixture_site: Path, tmp_path: Path, run) -> None:
    """New files and assets before the pages, pages before lists and rules, deletions last."""
    web = tmp_path / "webspace"
    build_snapshot(fixture_site)
    assert run("publish", "--root", fixture_site, web).code == 0
    change(fixture_site)
    build_snapshot(fixture_site)
    lines = run("publish", "--root", fixture_site, web, "--dry-run").out.splitlines()
    order = [line.split(": ", 1) for line in lines if ": " in line and not line[0].isdigit()]
    kinds = [_kind(rel) for word, rel in order if word != "delete"]
    assert kinds == sorted(kinds), order
    pages = [(word, rel) for word, rel in order if rel.endswith(".html")]
    words = [word for word, _ in pages]
    assert words == sorted(words, key=lambda word: word != "new")  # new pages first
    words = [word for word, _ in order]
    assert words.index("delete") == len(words) - words.count("delete")  # deletions last


def _kind(rel: str) -> int:
    name = Path(rel).name.removesuffix(".gz").removesuffix(".br")
    if name in ("redirects.nginx", ".htaccess"):  # the server's rules, after what they name
        return 3
    if name.endswith(".html"):
        return 1
    if name.endswith((".xml", ".ics", ".json", ".txt")):
        return 2
    return 0


def test_the_destination_in_config_yaml(fixture_site: Path, tmp_path: Path, run) -> None:
    config = fixture_site / "config.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "publish:\n  destination: ../webspace\n",
        encoding="utf-8",
    )
    built = build_snapshot(fixture_site)
    result = run("publish", "--root", fixture_site)
    assert result.code == 0, result.err
    assert live(fixture_site.parent / "webspace") == built


def test_a_password_in_the_configured_address_is_refused(
    fixture_site: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = fixture_site / "config.yaml"
    lines = config.read_text(encoding="utf-8").count("\n")
    config.write_text(
        config.read_text(encoding="utf-8")
        + "publish:\n  destination: sftp://verein:geheim@ssh.example.net/htdocs\n",
        encoding="utf-8",
    )
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 1
    assert (
        f"config.yaml:{lines + 1}: error: 'publish.destination': the destination must not "
        "contain a password" in result.err
    )
    monkeypatch.setenv("LITFASS_LANG", "de")
    german = run("--root", fixture_site, "--now", NOW)
    assert "darf kein Passwort enthalten" in german.err


def test_nothing_is_published_without_a_complete_build(
    fixture_site: Path, tmp_path: Path, run
) -> None:
    web = tmp_path / "webspace"
    result = run("publish", "--root", fixture_site, web)
    assert result.code == 1
    assert "output/: error: there is no complete build to publish" in result.err
    assert not web.exists()


def test_no_destination_says_where_to_set_one(fixture_site: Path, run) -> None:
    build_snapshot(fixture_site)
    result = run("publish", "--root", fixture_site)
    assert result.code == 1
    assert "set 'publish: destination:' in config.yaml" in result.err


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("gopher://host/x", "unknown kind of destination 'gopher://'"),
        ("sftp://u:pw@host/x", "must not contain a password"),
        ("sftp:///x", "the destination names no server"),
    ],
)
def test_bad_destinations_on_the_command_line(
    fixture_site: Path, run, address: str, message: str
) -> None:
    build_snapshot(fixture_site)
    result = run("publish", "--root", fixture_site, address)
    assert result.code == 1
    assert message in result.err
    assert "Traceback" not in result.err


def test_files_left_by_an_upload_are_not_part_of_the_site(
    fixture_site: Path, tmp_path: Path, run
) -> None:
    """A file of the live site that litfass never put there is left alone (no manifest entry)."""
    web = tmp_path / "webspace"
    web.mkdir()
    (web / "kontakt.php").write_text("<?php // the provider's form", encoding="utf-8")
    build_snapshot(fixture_site)
    assert run("publish", "--root", fixture_site, web).code == 0
    change(fixture_site)
    build_snapshot(fixture_site)
    assert run("publish", "--root", fixture_site, web).code == 0
    assert (web / "kontakt.php").is_file()
    shutil.rmtree(fixture_site / "output")


HANDBOOK_MESSAGES = [
    "no destination: name one (python build.py publish sftp://user@host/folder) or set "
    "'publish: destination:' in config.yaml",
    "the destination must not contain a password; give it in the variable "
    "LITFASS_PUBLISH_PASSWORD or type it when asked",
    "the server's key is not known: {kind} {fingerprint}. Ask your provider whether this is "
    "their server's fingerprint; if it is, add the key with `ssh-keyscan {port}{host} >> "
    "{known_hosts}` and publish again",
    "the server's key has changed (it shows {fingerprint}, {file} holds another): publishing "
    "stopped. Ask your provider whether they changed the key",
    "the server refused the login: check the user name, the key (--identity) or the password "
    "(LITFASS_PUBLISH_PASSWORD)",
    "FTP needs a password: set LITFASS_PUBLISH_PASSWORD or publish from a terminal",
    "the server's TLS certificate cannot be trusted ({reason}); use the server name your "
    "provider gives for FTPS",
    "the connection broke off after {done} of {steps} steps ({reason}). The site on the server "
    "still works; publish again to complete it",
    "there is no complete build to publish; run `python build.py` first",
    "this is not what `python build.py` left (the preview or another program changed it "
    "since); run `python build.py`, then publish",
    "this build holds drafts or scheduled items (--drafts, --future); run `python build.py` "
    "without them, then publish",
    "Not published. Please correct these problems first:",
    "{uploaded} ({size}), {deleted}, {unchanged} unchanged: {destination}",
]


def test_the_handbook_quotes_each_message_as_litfass_prints_it() -> None:
    """docs/redaktion.md's "Wenn es nicht klappt" quotes the German messages word for word."""
    from conftest import REPO
    from litfass.i18n import _, use_language

    handbook = (REPO / "docs/redaktion.md").read_text(encoding="utf-8")
    use_language("de")
    try:
        for message in HANDBOOK_MESSAGES:
            german = _(message)
            assert german != message, message  # translated
            for part in re.split(r"\{\w+\}", german):
                assert part.strip(" ,:()") in handbook, part
    finally:
        use_language("en")


def test_sftp_paths_below_the_login_folder(
    fixture_site: Path, sshd: Sshd, tmp_path: Path, run
) -> None:
    """`sftp://user@host/~/folder` (as curl writes it) is relative to where the login starts."""
    import os
    import pwd

    web = tmp_path / "im-home"
    below_home = os.path.relpath(web, pwd.getpwuid(os.getuid()).pw_dir)
    url = f"sftp://{sshd.user}@127.0.0.1:{sshd.port}/~/{below_home}"
    built = build_snapshot(fixture_site)
    args = ["--identity", sshd.key, "--known-hosts", sshd.known_hosts]
    result = run("publish", "--root", fixture_site, url, *args)
    assert result.code == 0, result.err
    assert live(web) == built


def test_an_unreadable_manifest_is_a_clear_error(fixture_site: Path, tmp_path: Path, run) -> None:
    web = tmp_path / "webspace"
    (web / MANIFEST).mkdir(parents=True)  # in the manifest's place, something unreadable
    build_snapshot(fixture_site)
    result = run("publish", "--root", fixture_site, web)
    assert result.code == 1
    assert f"{web}: error: cannot read {MANIFEST} on the server: " in result.err
    assert "Traceback" not in result.err
    assert [path.name for path in web.iterdir()] == [MANIFEST]


def test_an_sftp_connection_dropped_midway_leaves_a_working_site(
    fixture_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run
) -> None:
    """sshd's sftp-server behind a relay that hangs up halfway through the second publish."""
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    first = build_snapshot(fixture_site)
    skip = shutil.ignore_patterns("output", ".litfass*")  # addresses.yaml comes along
    later = shutil.copytree(fixture_site, tmp_path / "later", ignore=skip)
    change(later)
    second = build_snapshot(later)
    changed = [rel for rel, data in second.items() if first.get(rel) != data]
    web = tmp_path / "htdocs"
    assert run("publish", "--root", fixture_site, web).code == 0  # the old site, by folder
    assert live(web) == first
    # each upload ends with a rename; every login counts afresh
    server = start_sshd(tmp_path / "sshd", hang_up_after=len(changed) // 2)
    args = [server.url(web), "--identity", server.key, "--known-hosts", server.known_hosts]
    try:
        change(fixture_site)
        assert build_snapshot(fixture_site) == second
        broken = run("publish", "--root", fixture_site, *args)
        assert broken.code == 1
        assert "the connection broke off after" in broken.err, broken.err
        assert "Traceback" not in broken.err
        assert live(web) not in (first, second)
        assert not broken_references(web)
        server.stop()
        server = start_sshd(tmp_path / "sshd-again")  # and on a good line, the rest goes up
        args = [server.url(web), "--identity", server.key, "--known-hosts", server.known_hosts]
        assert run("publish", "--root", fixture_site, *args).code == 0
        assert live(web) == second
    finally:
        server.stop()
