"""output/ is always a complete site: the previous one or the new one, never a mix.

Real builds of a generated portal are killed with SIGKILL at seeded moments spread over a
whole build (counted in its changes to the file system, so every phase is reached however busy
the machine is), run out of disk space, and run two at a time; after each, output/ is compared
with complete builds.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bulk_site import write_bulk_site, write_content
from conftest import NOW, REPO, TESTS, snapshot

ITEMS = 40  # enough for every kind of page: lists of several pages, topics, regions
KILLS = 12
CRASH = TESTS / "crash.py"
STAGING = ".litfass-staging-"


def build_command(site: Path) -> list[str]:
    return [sys.executable, str(REPO / "build.py"), "--root", str(site), "--now", NOW, "-q"]


def build_apart(site: Path, **kwargs) -> subprocess.CompletedProcess[str]:
    """A build in a process of its own, as an editor starts it."""
    return subprocess.run(build_command(site), capture_output=True, text=True, **kwargs)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated site built as edition "a", then "b": its address record knows both (the
    items only one edition has answer 410 in the other). Copied by tests, never changed."""
    site = with_history(write_bulk_site(tmp_path_factory.mktemp("a") / "site", ITEMS, "a"))
    write_content(site / "content", ITEMS, "b")
    assert build_apart(site).returncode == 0
    return site


@pytest.fixture(scope="module")
def editions(history: Path) -> dict[str, dict[str, bytes]]:
    """The complete output of each edition of the generated site, built undisturbed."""
    site = shutil.copytree(history, history.parent / "edition-a", symlinks=True)
    write_content(site / "content", ITEMS, "a")
    assert build_apart(site).returncode == 0
    result = {"a": snapshot(site / "output"), "b": snapshot(history / "output")}
    assert result["a"] != result["b"]
    return result


def copy_of(history: Path, tmp_path: Path) -> Path:
    """The site with both editions in its record, built as edition "b", to change at will."""
    return Path(shutil.copytree(history, tmp_path / "site", symlinks=True))


def with_history(site: Path) -> Path:
    """The site of edition "a" built after edition "b" was: both are in its address record."""
    for edition in ("a", "b", "a"):
        write_content(site / "content", ITEMS, edition)
        assert build_apart(site).returncode == 0
    return site


def leftovers(site: Path) -> list[str]:
    """What a build left in the site's folder besides its own files and caches."""
    expected = {"config.yaml", "content", "templates", "output", ".litfass.lock", ".litfass-cache"}
    expected.add("addresses.yaml")  # every address published, kept by the build
    expected.add(".litfass-previous")  # the site before the last swap, for the next build
    return sorted(p.name for p in site.iterdir() if p.name not in expected)


def test_killed_builds_leave_the_old_or_the_new_site(
    history: Path, editions: dict[str, dict[str, bytes]], tmp_path: Path
) -> None:
    """Builds killed at moments spread over every phase of a build, by its own clock: the
    count of its changes to the file system (tests/crash.py), not the wall clock."""
    site = copy_of(history, tmp_path)
    write_content(site / "content", ITEMS, "a")
    changes = crash_build(site, tmp_path, 0)  # undisturbed: how many changes a build makes
    assert changes.returncode == 0, changes.stderr
    assert snapshot(site / "output") == editions["a"]
    total = int((tmp_path / "changes").read_text())
    live = "a"
    seed = random.randrange(2**32)
    chooser = random.Random(seed)
    killed = 0
    phases = {"before writing": 0, "while writing": 0, "after the swap": 0}
    for run in range(KILLS):
        target = "b" if live == "a" else "a"
        write_content(site / "content", ITEMS, target)
        # One kill in each of KILLS equal stretches of the build, at a seeded place in it.
        at = 1 + int((run + chooser.random()) * total / KILLS)
        done = crash_build(site, tmp_path, at)
        killed += done.returncode == -signal.SIGKILL
        output = snapshot(site / "output")
        context = f"run {run}, killed before change {at} of {total}, seed {seed}"
        assert output in (editions[live], editions[target]), context
        if done.returncode == 0:
            assert output == editions[target], context
        assert all(name.startswith(STAGING) for name in leftovers(site)), context
        if output == editions[target]:
            phases["after the swap"] += 1
            live = target
        else:
            phases["while writing" if leftovers(site) else "before writing"] += 1
    print(f"killed {killed} of {KILLS} builds ({phases}); a build makes {total} changes")
    assert killed > KILLS // 2, f"most builds finished before their kill (seed {seed})"
    assert build_apart(site).returncode == 0
    assert snapshot(site / "output") == editions[target]
    assert leftovers(site) == []


def crash_build(site: Path, tmp: Path, at: int) -> subprocess.CompletedProcess[str]:
    """A build of `site` killed (with its workers) just before its `at`-th change; 0: never."""
    command = build_command(site)
    wrapper = [command[0], str(CRASH), str(at), str(tmp / "changes"), *command[1:]]
    return subprocess.run(
        wrapper,
        start_new_session=True,  # its own process group: the kill reaches no one else
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},  # no .pyc written: same count
        check=False,
    )


def test_two_builds_at_once_take_turns(
    history: Path, editions: dict[str, dict[str, bytes]], tmp_path: Path
) -> None:
    site = copy_of(history, tmp_path)
    write_content(site / "content", ITEMS, "a")  # both builds have work to do
    first = subprocess.Popen(build_command(site), stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(build_command(site), stderr=subprocess.PIPE, text=True)
    assert (first.wait(), second.wait()) == (0, 0), first.stderr.read() + second.stderr.read()
    assert snapshot(site / "output") == editions["a"]
    assert leftovers(site) == []


def test_incremental_build_links_unchanged_files_and_matches_a_full_build(
    editions: dict[str, dict[str, bytes]], tmp_path: Path
) -> None:
    site = write_bulk_site(tmp_path / "site", ITEMS, "a")
    assert build_apart(site).returncode == 0
    inodes = {p: p.stat().st_ino for p in (site / "output").rglob("*.html")}
    write_content(site / "content", ITEMS, "b")
    result = subprocess.run(
        [*build_command(site)[:-1]], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert " unchanged" in result.stdout and ", 0 unchanged" not in result.stdout
    assert snapshot(site / "output") == editions["b"]
    kept = [p for p, ino in inodes.items() if p.exists() and p.stat().st_ino == ino]
    assert kept, "no unchanged file was hard-linked"
    # Files shared with the previous site were never written through: they hold edition b.
    for path in kept:
        assert path.read_bytes() == editions["b"][path.relative_to(site / "output").as_posix()]


def _limit_file_size() -> None:
    """In the child: files may not grow past 4 KiB, and exceeding it is an error, not a kill."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


def test_failing_writes_leave_output_unchanged(
    editions: dict[str, dict[str, bytes]], tmp_path: Path
) -> None:
    site = write_bulk_site(tmp_path / "site", ITEMS, "a")
    assert build_apart(site).returncode == 0
    before, record = snapshot(site / "output"), (site / "addresses.yaml").read_bytes()
    write_content(site / "content", ITEMS, "b")
    result = build_apart(site, preexec_fn=_limit_file_size)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and "Traceback" not in result.stderr
    assert lines[0].startswith("output/") and lines[0].endswith(
        ": error: cannot write: file too large; output/ was left unchanged"
    )
    assert lines[1] == "1 error; output/ was not changed."
    assert snapshot(site / "output") == before
    assert (site / "addresses.yaml").read_bytes() == record  # nothing was published
    assert leftovers(site) == []


def test_full_disk_leaves_output_unchanged(
    editions: dict[str, dict[str, bytes]], tmp_path: Path
) -> None:
    """A real ENOSPC: the site on a small tmpfs that holds one site but not two."""
    disk = tmp_path / "disk"
    disk.mkdir()
    size = sum(len(data) for data in editions["a"].values()) * 3 // 2 + 2 * 1024 * 1024
    mount = ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(disk)]
    if subprocess.run(mount, capture_output=True, check=False).returncode == 0:  # as root
        try:
            fill_the_disk(disk)
        finally:
            subprocess.run(["umount", str(disk)], check=False)
        return
    # Elsewhere the tmpfs is mounted in a user and mount namespace of its own, where the
    # same steps run in a child process (and the mount goes away with it).
    steps = f"import subprocess, test_atomic\nsubprocess.run({mount!r}, check=True)\n"
    steps += f"test_atomic.fill_the_disk(test_atomic.Path({str(disk)!r}))\n"
    here = Path(__file__).resolve().parent  # this module's folder, then its helpers'
    done = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", sys.executable, "-c", steps],
        capture_output=True,
        text=True,
        cwd=here,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(here), str(TESTS), str(REPO)])},
        check=False,
    )
    assert done.returncode == 0, f"cannot mount a tmpfs, not even in a namespace: {done.stderr}"


def fill_the_disk(disk: Path) -> None:
    """On a small disk: a build that needs more room than is left fails and keeps output/."""
    site = write_bulk_site(disk / "site", ITEMS, "a")
    assert build_apart(site).returncode == 0
    # Compared with itself: Pagefind orders its index by the directory order of the
    # file system, which on tmpfs differs from the disk the editions were built on.
    before = snapshot(site / "output")
    config = site / "config.yaml"
    config.write_text(config.read_text().replace("Testverband", "Beispielverband"))
    result = build_apart(site)  # a new title changes every page: a second full site
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and "Traceback" not in result.stderr
    assert lines[0].startswith("output/") and lines[0].endswith(
        ": error: disk full while writing (no space left on device); output/ was left unchanged"
    )
    assert snapshot(site / "output") == before
    assert leftovers(site) == []
