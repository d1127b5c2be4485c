"""litfass runs where editors work: Linux, macOS and Windows.

The paths other systems take run here on Linux through their documented switches: the swap
by renames (LITFASS_SWAP=rename, as on Windows), chunks in one process (LITFASS_FORK=0, as on
Windows and macOS). Each is checked on real builds of the fixture site against a fresh build.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import filelock
import pytest

from bulk_site import write_bulk_site
from conftest import NOW, REPO, build, full_build, snapshot
from litfass import workers
from litfass.commands.common import parse_now
from litfass.engine.builder import Builder
from litfass.errors import LitfassError
from litfass.folders import ASIDE_NAME
from litfass.site import BuildOptions
from litfass.workers import FORK_VARIABLE, flatten, run_chunks
from litfass.write.lock import LOCK_NAME, build_lock
from litfass.write.swap import SWAP_VARIABLE, swap

OPTIONS = BuildOptions(now=parse_now(NOW))
NEUJAHR = "content/news/2020-01-10-neujahr.md"
POSIX_ONLY = ("fcntl", "resource", "pwd", "grp", "termios")


def edit(site: Path, old: str, new: str) -> Path:
    path = site / NEUJAHR
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.fixture
def renames(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The swap by renames selected; every os.rename noted (source name, target name)."""
    monkeypatch.setenv(SWAP_VARIABLE, "rename")
    noted: list[tuple[str, str]] = []
    rename = os.rename

    def noting(source, target) -> None:
        noted.append((Path(source).name, Path(target).name))
        rename(source, target)

    monkeypatch.setattr(os, "rename", noting)
    return noted


def fail_once(monkeypatch: pytest.MonkeyPatch, when, error: OSError, times: int = 1) -> None:
    """Make os.rename raise `error` the first `times` calls for which `when(source, target)`."""
    rename, left = os.rename, [times]

    def failing(source, target) -> None:
        if left[0] and when(Path(source), Path(target)):
            left[0] -= 1
            raise error
        rename(source, target)

    monkeypatch.setattr(os, "rename", failing)


def onto_output_while_aside(source: Path, target: Path) -> bool:
    """The second rename of a swap by renames: the new site onto output/, the old one aside."""
    return target.name == "output" and (target.parent / ASIDE_NAME).exists()


# The swap by renames


def test_swap_exchanges_two_folders_both_ways(
    tmp_path: Path, renames, monkeypatch: pytest.MonkeyPatch
) -> None:
    for method in ("rename", "auto"):  # "auto": renameat2 on Linux
        monkeypatch.setenv(SWAP_VARIABLE, method)
        a, b = tmp_path / method / "a", tmp_path / method / "output"
        (a / "sub").mkdir(parents=True)
        (a / "sub/new.txt").write_text("new")
        b.mkdir()
        (b / "old.txt").write_text("old")
        swap(a, b)
        assert snapshot(b) == {"sub/new.txt": b"new"} and snapshot(a) == {"old.txt": b"old"}
        assert sorted(p.name for p in (tmp_path / method).iterdir()) == ["a", "output"]
    assert [target for _, target in renames] == [ASIDE_NAME, "output", "a"]  # rename only


def test_build_rebuild_and_preview_by_renames_give_a_full_builds_site(
    fixture_site: Path, tmp_path: Path, run, renames
) -> None:
    output = fixture_site / "output"
    build(fixture_site, "--quiet")
    assert snapshot(output) == full_build(fixture_site, tmp_path, run)
    for text in ("Bericht zum", "Rückblick zum"):  # a partial rebuild, then another
        edit(fixture_site, "zum", text)
        renames.clear()
        build(fixture_site, "--quiet")
        assert ("output", ASIDE_NAME) in renames  # the swap went by renames
        assert snapshot(output) == full_build(fixture_site, tmp_path, run)
    builder = Builder(fixture_site, lambda: OPTIONS)
    try:
        builder.rebuild()
        for text in ("Neues zum", "Altes zum"):  # the preview's Mirror swaps its spare in
            renames.clear()
            builder.rebuild([edit(fixture_site, "zum", text)])
            builder.finish_extras()  # the search index, as once the editor pauses
            assert ("output", ASIDE_NAME) in renames
            assert snapshot(output) == full_build(fixture_site, tmp_path, run)
    finally:
        builder.close()
    assert not (fixture_site / ASIDE_NAME).exists()


def test_a_failed_second_rename_puts_output_back_at_once(
    fixture_site: Path, run, renames, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(fixture_site, "--quiet")
    before = snapshot(fixture_site / "output")
    edit(fixture_site, "zum", "Bericht zum")
    fail_once(monkeypatch, onto_output_while_aside, OSError(errno.EIO, "Input/output error"))
    result = run("--root", fixture_site, "--now", NOW, "--quiet")
    assert result.code == 1
    assert "output: error: cannot replace the folder: input/output error; it is unchanged" in (
        result.err
    )
    assert snapshot(fixture_site / "output") == before
    assert not (fixture_site / ASIDE_NAME).exists()
    build(fixture_site, "--quiet")  # the rename works again: so does the build
    assert snapshot(fixture_site / "output") != before


def test_a_folder_in_use_for_a_moment_is_renamed_once_free(
    fixture_site: Path, tmp_path: Path, run, renames, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows refuses to rename a folder while a virus scanner has a file in it open."""
    build(fixture_site, "--quiet")
    edit(fixture_site, "zum", "Bericht zum")
    in_use = PermissionError(errno.EACCES, "Access is denied")
    fail_once(monkeypatch, lambda source, target: target.name == ASIDE_NAME, in_use, times=2)
    build(fixture_site, "--quiet")
    assert snapshot(fixture_site / "output") == full_build(fixture_site, tmp_path, run)


def test_when_output_cannot_be_put_back_the_next_build_does(
    fixture_site: Path, run, renames, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(fixture_site, "--quiet")
    before = snapshot(fixture_site / "output")
    edit(fixture_site, "zum", "Bericht zum")

    def onto_output(source: Path, target: Path) -> bool:  # the new site, then the old one back
        return target.name == "output"

    fail_once(monkeypatch, onto_output, OSError(errno.EIO, "Input/output error"), times=2)
    result = run("--root", fixture_site, "--now", NOW, "--quiet")
    assert result.code == 1
    assert f"the last site waits in {ASIDE_NAME}/ and the next build puts it back" in result.err
    assert not (fixture_site / "output").exists()
    assert snapshot(fixture_site / ASIDE_NAME) == before
    build(fixture_site, "--quiet")
    assert not (fixture_site / ASIDE_NAME).exists()
    assert b"Bericht zum" in b"".join(snapshot(fixture_site / "output").values())


CRASH = """\
import os, sys
from pathlib import Path
from litfass.cli import main
from litfass.folders import ASIDE_NAME

rename = os.rename


def crash_between_the_renames(source, target):
    if Path(target).name == "output" and (Path(target).parent / ASIDE_NAME).exists():
        os._exit(9)  # no cleanup of any kind: as if the power went
    rename(source, target)


os.rename = crash_between_the_renames
sys.exit(main(sys.argv[1:]))
"""


def crash_in_the_window(site: Path) -> dict[str, bytes]:
    """Build `site` in a process that dies between the two renames; return the site it had."""
    before = snapshot(site / "output")
    environment = {**os.environ, SWAP_VARIABLE: "rename", "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-c", CRASH, "--root", str(site), "--now", NOW, "--quiet"]
    crashed = subprocess.run(command, cwd=REPO, env=environment, capture_output=True, check=False)
    assert crashed.returncode == 9, crashed.stderr
    assert not (site / "output").exists()  # the window: no output/ at all
    assert snapshot(site / ASIDE_NAME) == before  # but the whole old site, aside
    return before


def test_a_crash_between_the_renames_is_recovered_by_the_next_build(
    fixture_site: Path, tmp_path: Path, run, renames
) -> None:
    build(fixture_site, "--quiet")
    edit(fixture_site, "zum", "Bericht zum")
    crash_in_the_window(fixture_site)
    build(fixture_site, "--quiet")
    assert snapshot(fixture_site / "output") == full_build(fixture_site, tmp_path, run)
    assert not (fixture_site / ASIDE_NAME).exists()


def test_a_crash_between_the_renames_is_recovered_by_the_preview(
    fixture_site: Path, tmp_path: Path, run, renames
) -> None:
    build(fixture_site, "--quiet")
    edit(fixture_site, "zum", "Bericht zum")
    crash_in_the_window(fixture_site)
    builder = Builder(fixture_site, lambda: OPTIONS)
    try:
        builder.rebuild()
    finally:
        builder.close()
    assert snapshot(fixture_site / "output") == full_build(fixture_site, tmp_path, run)
    assert not (fixture_site / ASIDE_NAME).exists()


# The build lock


def test_a_second_build_lock_waits_for_the_first(tmp_path: Path) -> None:
    steps: list[str] = []
    trying = threading.Event()

    def second() -> None:
        trying.set()
        with build_lock(tmp_path):
            steps.append("second in")

    with build_lock(tmp_path):
        steps.append("first in")
        waiting = threading.Thread(target=second)
        waiting.start()
        trying.wait()
        with pytest.raises(filelock.Timeout):  # as another process sees it: taken
            filelock.FileLock(tmp_path / LOCK_NAME, timeout=0).acquire()
        steps.append("first out")
    waiting.join()
    assert steps == ["first in", "first out", "second in"]
    assert (tmp_path / LOCK_NAME).is_file()


HOLD = """\
import sys
from pathlib import Path
from litfass.write.lock import build_lock

with build_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    sys.stdin.read()
"""


def test_a_killed_builds_lock_is_free_at_once(tmp_path: Path) -> None:
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)],
        cwd=REPO,
        env=environment,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        with pytest.raises(filelock.Timeout):
            filelock.FileLock(tmp_path / LOCK_NAME, timeout=0).acquire()
    finally:
        holder.kill()
        holder.wait()
    free = filelock.FileLock(tmp_path / LOCK_NAME, timeout=0)
    free.acquire()  # no wait: the system dropped the lock with its holder
    free.release()


def test_a_missing_site_folder_is_an_error_not_created(tmp_path: Path) -> None:
    with pytest.raises(LitfassError) as failed, build_lock(tmp_path / "tippfehler"):
        pass
    assert (
        str(failed.value) == f"{LOCK_NAME}: cannot create the lock file: no such file or directory"
    )
    assert not (tmp_path / "tippfehler").exists()


# Workers without fork


def test_without_fork_chunks_run_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def where(part: range) -> tuple[int, int]:
        return os.getpid(), len(part)

    forked = list(run_chunks(where, 400, 4))
    assert len(forked) > 1 and os.getpid() not in {pid for pid, _ in forked}
    assert sum(count for _, count in forked) == 400
    monkeypatch.setenv(FORK_VARIABLE, "0")
    assert list(run_chunks(where, 400, 4)) == [(os.getpid(), 400)]


def test_workers_stop_on_sigterm_whatever_handler_the_parent_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pool stops its workers with SIGTERM. A Python handler inherited from the parent (the
    preview's) loses one that comes before the worker puts the default back, and the pool
    waits for that worker forever (a build hung so in CI): so workers are forked with
    SIGTERM held back, and let it in once the default is in place."""
    put_back = workers._default_sigterm

    def noting() -> None:
        held = signal.SIGTERM in signal.pthread_sigmask(signal.SIG_BLOCK, [])
        (tmp_path / str(os.getpid())).write_text(str(held))
        put_back()

    def seen(part: range) -> list[tuple[int, bool, bool]]:
        default = signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
        let_in = signal.SIGTERM not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
        return [(os.getpid(), default, let_in)]

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(workers, "_default_sigterm", noting)
    previous = signal.signal(signal.SIGTERM, handler)
    try:
        found = flatten(run_chunks(seen, 400, 2))
        assert signal.getsignal(signal.SIGTERM) is handler  # this process's own is kept
        assert signal.SIGTERM not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert os.getpid() not in {pid for pid, _, _ in found}  # they ran in workers
    assert all(default and let_in for _, default, let_in in found)
    forked = {path.name: path.read_text() for path in tmp_path.iterdir()}
    assert len(forked) == 2 and set(forked.values()) == {"True"}  # held back when forked


def test_a_build_without_fork_gives_the_forked_builds_bytes(
    tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    forked = write_bulk_site(tmp_path / "forked", 90, "a")  # enough items for two workers
    assert run("--root", forked, "--now", NOW, "--quiet", "--workers", "2").code == 0
    monkeypatch.setenv(FORK_VARIABLE, "0")
    alone = write_bulk_site(tmp_path / "alone", 90, "a")
    assert run("--root", alone, "--now", NOW, "--quiet", "--workers", "2").code == 0
    assert snapshot(alone / "output") == snapshot(forked / "output")


# Imports


def test_no_module_needs_a_posix_only_module_to_import() -> None:
    """As on Windows: fcntl, resource, pwd, grp and termios do not exist."""
    code = (
        "import importlib, pkgutil, sys\n"
        f"for name in {POSIX_ONLY!r}:\n"
        "    sys.modules[name] = None  # import raises ImportError\n"
        "import litfass\n"
        "for module in pkgutil.walk_packages(litfass.__path__, 'litfass.'):\n"
        "    if not module.name.endswith('__main__'):\n"
        "        importlib.import_module(module.name)\n"
        "print('imported', len(sys.modules))\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("imported")
