"""One writer (litfass/atomic.py): every file whole or not at all, flushed by one rule.

The rule is watched from outside with strace on the real command line: what is the only copy
of its bytes (content/, the address record, a publish folder) is fsynced before the rename
that names it and its folder after; what a build makes again is not. Failures are made real
(a disk that refuses a rename, a file-size limit), and the code is read (an AST walk) so no
module writes, renames or hashes its own way.
"""

from __future__ import annotations

import ast
import base64
import errno
import io
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from conftest import FIXTURE, NOW, REPO, copy_site, snapshot
from litfass.config import load_config
from litfass.preview.cms import Protocol, Refused

PACKAGE = REPO / "litfass"
WRITER = "litfass/atomic.py"
ENTRY = "content/news/2020-01-10-neujahr.md"


# --- the code: one writer, one digest, one list of suffixes -------------------------------

# Module -> why it may rename on its own: the swap of whole folders, and the transports
# that rename a finished upload on a remote server (not a local file at all).
MAY_RENAME = {
    "litfass/write/swap.py": "exchanges output/ with a staged folder",
    "litfass/publish/ftp.py": "renames on the FTP server",
    "litfass/publish/sftp.py": "renames on the SFTP server",
}
_OS_WRITES = {"replace", "rename", "renames", "fsync", "fdatasync"}


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        yield rel, ast.parse(path.read_text(encoding="utf-8"), rel)


def _is_open_for_writing(call: ast.Call) -> bool:
    """open(…, "w"/"x"/"a"/"+…") or path.open(…) with such a mode, as a literal."""
    name = call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")
    if name != "open":
        return False
    modes = [k.value for k in call.keywords if k.arg == "mode"]
    modes += [a for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return any(set(getattr(m, "value", "")) & set("wxa+") for m in modes)


def own_writes(tree: ast.Module) -> list[str]:
    """Each place in `tree` that writes, renames, flushes or makes a temporary file itself."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in node.names]
            if "tempfile" in names or (
                isinstance(node, ast.ImportFrom)
                and node.module in ("os", "shutil")
                and {a.name for a in node.names} & (_OS_WRITES | {"move"})
            ):
                found.append(f"{node.lineno}: import of {', '.join(names)}")
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        line = f"{node.lineno}: {ast.unparse(func)}"
        if isinstance(func, ast.Attribute):
            owner = ast.unparse(func.value)
            if (owner == "os" and func.attr in _OS_WRITES) or (
                owner == "shutil" and func.attr == "move"
            ):
                found.append(line)
            elif func.attr in ("rename", "write_bytes", "write_text") and owner != "atomic":
                found.append(line)  # Path.rename and friends
            elif func.attr == "replace" and len(node.args) == 1 and not node.keywords:
                found.append(line)  # Path.replace (str.replace takes two)
        if _is_open_for_writing(node):
            found.append(line)
    return found


def test_only_the_writer_renames_flushes_or_makes_temporary_files() -> None:
    """Every file litfass writes goes through litfass/atomic.py: no second routine that
    renames, flushes or opens a file for writing on its own rules."""
    offenders = {
        rel: places
        for rel, tree in _modules()
        if rel != WRITER and rel not in MAY_RENAME and (places := own_writes(tree))
    }
    assert offenders == {}
    # The check itself sees what it must: the writer does all of these.
    writer = own_writes(ast.parse((REPO / WRITER).read_text(encoding="utf-8")))
    assert {re.sub(r"^\d+: ", "", w) for w in writer} >= {"os.replace", "os.rename", "os.fsync"}
    assert any("open" in w for w in writer)


def test_one_digest_and_one_list_of_derived_suffixes() -> None:
    """hashlib only in litfass/digests.py, the suffixes .gz/.br only in folders.py: a key
    made in one place matches the same bytes everywhere, and a new format is one line."""
    hashing = set()
    suffixes = set()
    for rel, tree in _modules():
        # write/search.py's BLAKE2b in `_bucket` is no digest of bytes but which search part
        # a page falls in: it shapes the published index, which stays byte for byte as it was.
        exempt = {
            id(n)
            for f in ast.walk(tree)
            if isinstance(f, ast.FunctionDef) and f.name == "_bucket"
            for n in ast.walk(f)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "hashlib" and id(node) not in exempt:
                hashing.add(rel)
            if isinstance(node, ast.Constant) and node.value in (".gz", ".br"):
                suffixes.add(rel)
    assert hashing == {"litfass/digests.py"}
    assert suffixes == {"litfass/folders.py"}


# --- the flushing rule, watched with strace ------------------------------------------------

_CALL = re.compile(r"^(?:\[pid\s+)?(\d+)\]?\s+(\w+)\((.*)\)\s+=\s+(-?\d+)")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_FD = re.compile(r"^\d+<(.*)>$")


@dataclass(frozen=True)
class Call:
    name: str
    paths: tuple[str, ...]  # the strings it was given; for fsync, the file's path
    flags: str


def traced(*args: str | Path, cwd: Path | None = None) -> tuple[list[Call], str]:
    """Run litfass (or, with args[0] == "-c", Python code) under strace: the calls that
    write, rename and flush, in order, with every file descriptor shown as its path."""
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"strace-{os.getpid()}-{len(args)}.log"
    command = [sys.executable, *(args if args[0] == "-c" else ("-m", "litfass", *args))]
    syscalls = "openat,open,creat,rename,renameat,renameat2,link,linkat,fsync,fdatasync"
    done = subprocess.run(
        ["strace", "-f", "-qq", "-y", "-s", "4096", "-e", f"trace={syscalls}", "-o", str(log)]
        + [str(part) for part in command],
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), "LITFASS_LANG": "en"},
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    calls = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        found = _CALL.match(line)
        if not found or found[4].startswith("-"):
            continue  # a failed call (ENOENT of a lookup) or a line strace split
        name, inside = found[2], found[3]
        if name in ("fsync", "fdatasync"):
            descriptor = _FD.match(inside.strip())
            paths: tuple[str, ...] = (descriptor[1],) if descriptor else ()
        else:
            paths = tuple(_STRING.findall(inside))
        calls.append(Call(name, paths, inside))
    log.unlink()
    return calls, done.stdout


def named_by(calls: list[Call], target: str) -> int:
    """The index of the rename or link that gave `target` its name (-1: none did)."""
    for index, call in enumerate(calls):
        if call.name in ("rename", "renameat", "renameat2", "link", "linkat") and (
            call.paths and call.paths[-1] == target
        ):
            return index
    return -1


def flush_problems(calls: list[Call], target: str) -> list[str]:
    """Why `target` was not written by the rule: bytes flushed, renamed, folder flushed."""
    opened = [
        c for c in calls if c.name in ("openat", "open", "creat") and target in c.paths
        and re.search(r"O_WRONLY|O_RDWR|O_CREAT", c.flags)
    ]  # fmt: skip
    if opened:
        return [f"{target}: written under its own name"]
    at = named_by(calls, target)
    if at < 0:
        return [f"{target}: never renamed into place"]
    source = calls[at].paths[0]
    problems = []
    if not any(c.name in ("fsync", "fdatasync") and c.paths == (source,) for c in calls[:at]):
        problems.append(f"{target}: its bytes were not flushed before the rename")
    folder = os.path.dirname(target)
    if not any(c.name == "fsync" and c.paths == (folder,) for c in calls[at + 1 :]):
        problems.append(f"{target}: its folder was not flushed after the rename")
    return problems


def changed_files(before: dict[str, bytes], folder: Path) -> list[str]:
    after = snapshot(folder)
    return sorted(str(folder / rel) for rel, data in after.items() if before.get(rel) != data)


def png(size: int = 8) -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((size, size), 64).convert("RGB").save(buffer, "PNG")
    return buffer.getvalue()


FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Alt</title><link>https://alt.example.org/</link>
{items}
</channel></rss>
"""
ITEM = """<item><title>{title}</title><link>https://alt.example.org/{slug}/</link>
<pubDate>Mon, 0{day} Jun 2020 10:00:00 +0000</pubDate><description>{text}</description></item>"""


def feed(tmp_path: Path, texts: list[str]) -> Path:
    items = [
        ITEM.format(title=f"Meldung {n}", slug=f"meldung-{n}", day=n + 1, text=text)
        for n, text in enumerate(texts)
    ]
    path = tmp_path / "feed.xml"
    path.write_text(FEED.format(items="\n".join(items)), encoding="utf-8")
    return path


def _new(site: Path, tmp_path: Path) -> tuple[list[Call], Path]:
    photo = tmp_path / "photo.png"
    photo.write_bytes(png())
    args = ("new", "news", "Fachtag", "--folder", "--image", photo)
    return traced(*args, "--root", site, "--now", NOW)[0], site / "content"


def _import(site: Path, tmp_path: Path) -> tuple[list[Call], Path]:
    source = feed(tmp_path, ["Erste Meldung.", 'Siehe <a href="/meldung-0/">die erste</a>.'])
    args = ("import", "feed", source, "--root", site, "--now", NOW)
    return traced(*args)[0], site / "content"


def _editor(site: Path, tmp_path: Path) -> tuple[list[Call], Path]:
    raw = (site / ENTRY).read_text(encoding="utf-8") + "\n![Bild](bild.png)\n"
    code = (
        "from pathlib import Path\n"
        "from litfass.config import load_config\n"
        "from litfass.preview.cms import Protocol\n"
        f"protocol = Protocol(load_config(Path({str(site)!r}))[0])\n"
        f"image = {base64.b64encode(png()).decode()!r}\n"
        "asset = {'path': 'content/news/bild.png', 'content': image, 'encoding': 'base64'}\n"
        f"entry = {{'path': {ENTRY!r}, 'raw': {raw!r}, 'slug': 'neujahr'}}\n"
        "params = {'dataFiles': [entry], 'assets': [asset], 'options': {}}\n"
        "protocol.run({'action': 'persistEntry', 'params': params})\n"
    )
    return traced("-c", code)[0], site / "content"


def _record(site: Path, tmp_path: Path) -> tuple[list[Call], Path]:
    calls, _out = traced("--root", site, "--now", NOW, "--quiet")
    output = [c for c in calls if c.name in ("fsync", "fdatasync") and "/output" in c.paths[0]]
    assert output == []  # what a build makes again is not flushed: the rule's other half
    return calls, site / "addresses.yaml"


def _publish(site: Path, tmp_path: Path) -> tuple[list[Call], Path]:
    copy = tmp_path / "copy"
    shutil.copytree(site, copy)
    assert subprocess.run(
        [sys.executable, "-m", "litfass", "--root", copy, "--now", NOW, "--quiet"],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    ).returncode == 0  # fmt: skip
    web = tmp_path / "web"
    return traced("publish", "--root", copy, web)[0], web


def _init(site: Path, tmp_path: Path) -> tuple[list[Call], Path]:
    made = tmp_path / "neu"
    calls, _out = traced("init", made, "--now", NOW)
    for built in ("output", ".litfass-cache", ".litfass-previous"):  # init builds it at once:
        shutil.rmtree(made / built, ignore_errors=True)  # made again, not flushed
    (made / ".litfass.lock").unlink()  # filelock's: no bytes to keep
    return calls, made


@pytest.mark.parametrize(
    "write",
    [_new, _import, _editor, _record, _publish, _init],
    ids=["new", "import", "editor", "address-record", "publish-folder", "init"],
)
def test_what_is_the_only_copy_is_flushed_before_and_after_its_rename(
    write: Callable[[Path, Path], tuple[list[Call], Path]], tmp_path: Path
) -> None:
    site = copy_site(FIXTURE, tmp_path / "site")
    before = snapshot(site / "content")
    if write is _record:
        (site / "addresses.yaml").unlink(missing_ok=True)
    calls, written = write(site, tmp_path)
    if written.is_file():
        targets = [str(written)]
    elif write in (_new, _import, _editor):
        targets = changed_files(before, written)
    else:
        targets = sorted(str(written / rel) for rel in snapshot(written))
    assert targets  # the command wrote something to check
    problems = [p for target in targets for p in flush_problems(calls, target)]
    assert problems == []


# --- failures midway leave the old file and nothing else -----------------------------------


def litter(folder: Path) -> list[str]:
    """What a write cut short could leave: temporary files, by their names."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and _LITTER.search(p.name)
    )


# Today's temporary names, and those of the routines before them.
_LITTER = re.compile(r"^\.litfass-(\d+-\d+\.tmp|upload-)|\.(tmp|litfass-new|litfass-tmp)$")


@pytest.fixture
def refusing(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """A disk that refuses to give a file of this name its name (ENOSPC on the rename or
    link, as a full directory does), while every other file is written as usual."""

    def refuse(name: str) -> None:
        for call in ("replace", "rename", "link"):
            real = getattr(os, call)

            def failing(source, target, *args, real=real, **kwargs):
                if os.path.basename(target) == name:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
                return real(source, target, *args, **kwargs)

            monkeypatch.setattr(os, call, failing)

    return refuse


def test_an_editors_save_that_fails_midway_leaves_content_as_it_was(
    fixture_site: Path, refusing: Callable[[str], None]
) -> None:
    """The browser editor's save is whole or nothing also when the last step fails: the
    uploaded photo already has its name when the entry cannot get its own."""
    before = snapshot(fixture_site / "content")
    protocol = Protocol(load_config(fixture_site)[0])
    raw = (fixture_site / ENTRY).read_text(encoding="utf-8") + "\n![Bild](bild.png)\n"
    image = {"path": "content/news/bild.png", "encoding": "base64"}
    image["content"] = base64.b64encode(png()).decode()
    params = {
        "dataFiles": [{"path": ENTRY, "raw": raw, "slug": "neujahr"}],
        "assets": [image],
        "options": {},
    }
    refusing(Path(ENTRY).name)
    with pytest.raises((OSError, Refused)):
        protocol.run({"action": "persistEntry", "params": params})
    assert snapshot(fixture_site / "content") == before
    assert litter(fixture_site) == []


def test_new_with_an_image_is_both_files_or_neither(
    fixture_site: Path, tmp_path: Path, refusing: Callable[[str], None], run
) -> None:
    before = snapshot(fixture_site / "content")
    photo = tmp_path / "photo.png"
    photo.write_bytes(png())
    refusing("photo.png")
    args = ("new", "news", "Fachtag", "--folder", "--image", photo)
    result = run(*args, "--root", fixture_site, "--now", NOW)
    assert result.code == 1
    assert result.err.splitlines()[0].endswith(
        "fachtag/index.md: error: cannot write the new file: no space left on device; "
        "nothing was written"
    )
    assert snapshot(fixture_site / "content") == before
    assert not (fixture_site / "content/news/2026-11-20-fachtag").exists()
    assert litter(fixture_site) == []


def test_an_address_record_that_cannot_be_written_stays_as_it_was(
    fixture_site: Path, refusing: Callable[[str], None], run
) -> None:
    assert run("--root", fixture_site, "--now", NOW, "--quiet").code == 0
    record = (fixture_site / "addresses.yaml").read_bytes()
    (fixture_site / "content/news/2020-01-10-neujahr.md").unlink()  # its address goes: 410
    refusing("addresses.yaml")
    result = run("--root", fixture_site, "--now", NOW, "--quiet")
    assert result.code == 1 and "Traceback" not in result.err
    assert result.err.splitlines()[0] == (
        "addresses.yaml: error: cannot write the address record (no space left on device); "
        "it was left as it was"
    )
    assert (fixture_site / "addresses.yaml").read_bytes() == record
    assert litter(fixture_site) == []


def test_a_publish_to_a_folder_that_fails_midway_keeps_each_old_file_whole(
    fixture_site: Path, tmp_path: Path, refusing: Callable[[str], None], run
) -> None:
    web = tmp_path / "web"
    assert run("--root", fixture_site, "--now", NOW, "--quiet").code == 0
    assert run("publish", "--root", fixture_site, web, "--quiet").code == 0
    first = snapshot(web)
    entry = fixture_site / "content/news/2020-01-10-neujahr.md"
    entry.write_text(entry.read_text(encoding="utf-8") + "\nNeu.\n", encoding="utf-8")
    assert run("--root", fixture_site, "--now", NOW, "--quiet").code == 0
    refusing("index.html")
    result = run("publish", "--root", fixture_site, web, "--quiet")
    assert result.code == 1 and "no space left on device" in result.err.lower()
    assert "Traceback" not in result.err
    assert {rel: data for rel, data in snapshot(web).items() if rel in first} == first
    assert litter(web) == []


def _limit_file_size() -> None:
    """In the child: no file may grow past 4 KiB; exceeding it is an error, not a kill."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


def test_an_import_cut_off_by_a_full_disk_leaves_no_file_half_written(tmp_path: Path) -> None:
    """The second of three items does not fit: the first is taken back, no file is cut
    off, and the editor reads which file and why, not a traceback."""
    site = copy_site(FIXTURE, tmp_path / "site")
    before = snapshot(site / "content")
    source = feed(tmp_path, ["Kurz.", "Lang. " * 1500, "Auch kurz."])
    done = subprocess.run(
        [sys.executable, "-m", "litfass", "import", "feed", source, "--root", site, "--now", NOW],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "LITFASS_LANG": "en"},
        preexec_fn=_limit_file_size,
        check=False,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[0].endswith(
        "meldung-1.md: error: cannot write the file (file too large); nothing was imported"
    )
    assert snapshot(site / "content") == before
    assert litter(site) == []
