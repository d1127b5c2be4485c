"""The same content gives byte-identical output on any machine, in any order, at any hour.

File-system order, the machine's locale and time zone must not matter; "now" comes only
from --now / LITFASS_NOW (or the clock), so scheduled items are reproducible.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import feedparser

from conftest import NOW, REPO, copy_site, snapshot


def installed_locale(*wanted: str) -> str:
    """The first of `wanted` this machine has (`locale -a`), else POSIX."""
    listed = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False).stdout
    have = {name.lower().replace("utf8", "utf-8") for name in listed.split()}
    return next((name for name in wanted if name.lower() in have), "POSIX")


GERMAN = installed_locale("de_DE.UTF-8", "de_AT.UTF-8", "en_US.UTF-8")
ENVIRONMENTS = {
    "C locale, UTC": {"LC_ALL": "C", "LANG": "C", "TZ": "UTC"},
    "UTF-8 locale, Auckland": {"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "TZ": "Pacific/Auckland"},
    f"{GERMAN}, Honolulu": {"LC_ALL": GERMAN, "LANG": GERMAN, "TZ": "Pacific/Honolulu"},
}


def build_in(site: Path, env: dict[str, str], *args: str) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    environment.pop("LITFASS_NOW", None)
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--root", str(site), "-q", *args],
        env={**environment, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # A missing locale only draws a warning from the C library; litfass must not care.
    assert result.stderr == "", result.stderr


def copy_in_reverse_order(source: Path, target: Path) -> None:
    """The same tree, every folder and file created in the opposite order."""
    target.mkdir()
    entries = sorted(source.rglob("*"), reverse=True)
    for path in sorted((p for p in entries if p.is_dir()), key=lambda p: len(p.parts)):
        (target / path.relative_to(source)).mkdir(exist_ok=True)
    for path in (p for p in entries if p.is_file()):
        shutil.copyfile(path, target / path.relative_to(source))


def test_file_system_order_does_not_matter(example_site: Path, tmp_path: Path, run) -> None:
    reverse = tmp_path / "reverse"
    copy_in_reverse_order(example_site, reverse)
    for site in (example_site, reverse):
        assert run("--root", site, "--now", NOW).code == 0
    assert snapshot(reverse / "output") == snapshot(example_site / "output")


def test_locale_and_time_zone_do_not_matter(example_site: Path, tmp_path: Path) -> None:
    outputs = {}
    for name, env in ENVIRONMENTS.items():
        site = copy_site(REPO, tmp_path / name.replace(" ", "-").replace(",", ""))
        build_in(site, env, "--now", NOW)
        outputs[name] = snapshot(site / "output")
    first, *others = outputs.values()
    for name, output in zip(list(outputs)[1:], others, strict=True):
        assert output == first, name


def test_now_comes_from_the_option_or_the_environment(fixture_site: Path, tmp_path: Path):
    """LITFASS_NOW and --now are the same clock; a scheduled item appears on its day."""
    by_option = copy_site(fixture_site, tmp_path / "option")
    build_in(by_option, {}, "--now", "2029-12-31 23:59")
    by_env = copy_site(fixture_site, tmp_path / "env")
    build_in(by_env, {"LITFASS_NOW": "2029-12-31 23:59", "TZ": "Asia/Tokyo"})
    assert snapshot(by_env / "output") == snapshot(by_option / "output")
    assert not (by_env / "output/aktuelles/zukunft/index.html").exists()
    build_in(by_env, {"LITFASS_NOW": "2030-01-01 00:00"})  # the nightly build after midnight
    assert (by_env / "output/aktuelles/zukunft/index.html").is_file()


def test_now_is_read_in_the_sites_time_zone(fixture_site: Path, tmp_path: Path) -> None:
    """Midnight in Berlin is still the previous day in UTC; the site's zone decides."""
    build_in(fixture_site, {"TZ": "UTC"}, "--now", "2030-01-01 00:30")
    assert (fixture_site / "output/aktuelles/zukunft/index.html").is_file()


def test_a_feed_without_items_carries_no_clock(fixture_site: Path, tmp_path: Path) -> None:
    shutil.rmtree(fixture_site / "content/news")
    feeds = []
    for now in ("2019-01-01 12:00", "2031-06-30 12:00"):
        build_in(fixture_site, {}, "--now", now)
        feeds.append((fixture_site / "output/aktuelles/feed.xml").read_bytes())
    assert feeds[0] == feeds[1]
    feed = feedparser.parse(feeds[0])
    assert feed.entries == []
    assert feed.feed.updated_parsed[0] < 2019  # a fixed date, neither the build's nor the clock's


def test_the_search_index_is_the_same_on_a_file_system_that_lists_by_creation(
    example_site: Path, tmp_path_factory
) -> None:
    """tmpfs lists a folder in the order its files were made, and Pagefind indexes in the
    order it lists them: files rendered over several workers must still be made in order."""
    memory = Path("/dev/shm")  # tmpfs on Linux, where CI runs; elsewhere any folder will do
    base = Path(tempfile.mkdtemp(dir=memory if memory.is_dir() else tmp_path_factory.getbasetemp()))
    try:
        outputs = []
        for name in ("one", "two"):
            site = copy_site(example_site, base / name)
            build_in(site, {}, "--now", NOW, "--workers", "2")
            outputs.append(snapshot(site / "output"))
        assert any(path.startswith("pagefind/") for path in outputs[0])
        assert outputs[0] == outputs[1]
    finally:
        shutil.rmtree(base, ignore_errors=True)
