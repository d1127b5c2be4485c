"""output/ is always a complete site: the previous one or the new one, never a mix.

Real builds of a generated portal are killed with SIGKILL at random moments, run out of
disk space, and run two at a time; after each, output/ is compared with complete builds.
"""

from __future__ import annotations

import os
import random
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bulk_site import write_bulk_site, write_content
from conftest import NOW, REPO, snapshot

ITEMS = 150
KILLS = 20
STAGING = ".litfass-staging-"


def build_command(site: Path) -> list[str]:
    return [sys.executable, str(REPO / "build.py"), "--root", str(site), "--now", NOW, "-q"]


def build(site: Path, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(build_command(site), capture_output=True, text=True, **kwargs)


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    """The complete output of each edition of the generated site, built undisturbed, once
    its address record knows both (the items only one edition has answer 410 in the other)."""
    site = with_history(write_bulk_site(tmp_path_factory.mktemp("a") / "site", ITEMS, "a"))
    result = {"a": snapshot(site / "output")}
    write_content(site / "content", ITEMS, "b")
    assert build(site).returncode == 0
    result["b"] = snapshot(site / "output")
    assert result["a"] != result["b"]
    return result


def with_history(site: Path) -> Path:
    """The site of edition "a" built after edition "b" was: both are in its address record."""
    for edition in ("a", "b", "a"):
        write_content(site / "content", ITEMS, edition)
        assert build(site).returncode == 0
    return site


def leftovers(site: Path) -> list[str]:
    """What a build left in the site's folder besides its own files and caches."""
    expected = {"config.yaml", "content", "templates", "output", ".litfass.lock", ".litfass-cache"}
    expected.add("addresses.yaml")  # every address published, kept by the build
    expected.add(".litfass-previous")  # the site before the last swap, for the next build
    return sorted(p.name for p in site.iterdir() if p.name not in expected)


def test_killed_builds_leave_the_old_or_the_new_site(
    editions: dict[str, dict[str, bytes]], tmp_path: Path
) -> None:
    site = write_bulk_site(tmp_path / "site", ITEMS, "a")
    started = _clock()
    assert build(site).returncode == 0
    duration = _clock() - started
    with_history(site)
    live = "a"
    seed = random.randrange(2**32)
    chooser = random.Random(seed)
    killed = 0
    phases = {"before writing": 0, "while writing": 0, "after the swap": 0}
    for run in range(KILLS):
        target = "b" if live == "a" else "a"
        write_content(site / "content", ITEMS, target)
        process = subprocess.Popen(
            build_command(site), start_new_session=True, stderr=subprocess.DEVNULL
        )
        try:
            process.wait(timeout=chooser.uniform(0.05, 1.0) * duration)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            killed += 1
        code = process.wait()
        output = snapshot(site / "output")
        context = f"run {run}, seed {seed}, exit {code}"
        assert output in (editions[live], editions[target]), context
        if code == 0:
            assert output == editions[target], context
        assert all(name.startswith(STAGING) for name in leftovers(site)), context
        if output == editions[target]:
            phases["after the swap"] += 1
            live = target
        else:
            phases["while writing" if leftovers(site) else "before writing"] += 1
    print(f"killed {killed} of {KILLS} builds ({phases}); a build took {duration:.2f} s")
    assert killed > 0, f"every build finished before its kill (seed {seed})"
    assert build(site).returncode == 0
    assert snapshot(site / "output") == editions[target]
    assert leftovers(site) == []


def _clock() -> float:
    # A wall clock only to pick kill moments in the range a build takes; nothing is timed.
    return os.times().elapsed


def test_two_builds_at_once_take_turns(editions: dict[str, dict[str, bytes]], tmp_path: Path):
    site = with_history(write_bulk_site(tmp_path / "site", ITEMS, "a"))
    write_content(site / "content", ITEMS, "b")
    write_content(site / "content", ITEMS, "a")  # touched: both builds have work to do
    first = subprocess.Popen(build_command(site), stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(build_command(site), stderr=subprocess.PIPE, text=True)
    assert (first.wait(), second.wait()) == (0, 0), first.stderr.read() + second.stderr.read()
    assert snapshot(site / "output") == editions["a"]
    assert leftovers(site) == []


def test_incremental_build_links_unchanged_files_and_matches_a_full_build(
    editions: dict[str, dict[str, bytes]], tmp_path: Path
) -> None:
    site = write_bulk_site(tmp_path / "site", ITEMS, "a")
    assert build(site).returncode == 0
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
    assert build(site).returncode == 0
    before, record = snapshot(site / "output"), (site / "addresses.yaml").read_bytes()
    write_content(site / "content", ITEMS, "b")
    result = build(site, preexec_fn=_limit_file_size)
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
    tests = Path(__file__).resolve().parent
    done = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", sys.executable, "-c", steps],
        capture_output=True,
        text=True,
        cwd=tests,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tests), str(REPO)])},
        check=False,
    )
    assert done.returncode == 0, f"cannot mount a tmpfs, not even in a namespace: {done.stderr}"


def fill_the_disk(disk: Path) -> None:
    """On a small disk: a build that needs more room than is left fails and keeps output/."""
    site = write_bulk_site(disk / "site", ITEMS, "a")
    assert build(site).returncode == 0
    # Compared with itself: Pagefind orders its index by the directory order of the
    # file system, which on tmpfs differs from the disk the editions were built on.
    before = snapshot(site / "output")
    config = site / "config.yaml"
    config.write_text(config.read_text().replace("Testverband", "Beispielverband"))
    result = build(site)  # a new title changes every page: a second full site
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and "Traceback" not in result.stderr
    assert lines[0].startswith("output/") and lines[0].endswith(
        ": error: disk full while writing (no space left on device); output/ was left unchanged"
    )
    assert snapshot(site / "output") == before
    assert leftovers(site) == []
