"""How long an editor waits: from saving one article to its new page in output/.

Generates a portal of N articles, starts `build.py watch` on it, edits one article ~20 times
and reports the median time until the new page is on disk. `python bench/watch_latency.py`.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOPICS = ["Wohnen", "Pflege", "Ehrenamt", "Kita", "Migration", "Armut", "Inklusion", "Gesundheit"]
REGIONS = ["Leipzig", "Dresden", "Chemnitz", "Görlitz", "Zwickau", "Bautzen"]
CATEGORIES = ["Nachricht", "Pressemitteilung"]
PARAGRAPH = (
    "Die Regionalgeschäftsstelle {region} hat am Dienstag gemeinsam mit Mitgliedsorganisationen "
    "über {topic} beraten. „Wir brauchen verlässliche Finanzierung“, sagte die Geschäftsführerin. "
    "Rund {n} Gäste aus Verbänden, Verwaltung und Politik nahmen teil."
)


def make_corpus(target: Path, articles: int = 4000, seed: int = 4000) -> Path:
    """A copy of the example portal with `articles` generated news items added."""
    rng = random.Random(seed)
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "config.yaml", target / "config.yaml")
    shutil.copytree(REPO / "content", target / "content", dirs_exist_ok=True)
    shutil.copytree(REPO / "templates", target / "templates", dirs_exist_ok=True)
    news = target / "content" / "news"
    for number in range(articles):
        year, month, day = 2010 + number % 16, 1 + number % 12, 1 + number % 28
        topics = rng.sample(TOPICS, k=rng.randint(1, 3))
        region = rng.choice(REGIONS)
        body = "\n\n".join(
            PARAGRAPH.format(region=region, topic=rng.choice(topics), n=rng.randint(20, 300))
            for _ in range(rng.randint(3, 8))
        )
        (news / f"{year}-{month:02d}-{day:02d}-meldung-{number:04d}.md").write_text(
            "---\n"
            f'title: "Meldung {number}: {topics[0]} in {region}"\n'
            f'date: "{year}-{month:02d}-{day:02d} {8 + number % 10}:{number % 60:02d}"\n'
            f"category: {rng.choice(CATEGORIES)}\n"
            f"tags: [{', '.join(topics)}]\n"
            f"region: {region}\n"
            "---\n"
            f"## Hintergrund\n\n{body}\n",
            encoding="utf-8",
        )
    return target


def watch_latency(articles: int = 4000, edits: int = 20, folder: Path | None = None) -> dict:
    """Median milliseconds from saving one article to its new page in output/ (`watch`)."""
    with tempfile.TemporaryDirectory(prefix="litfass-latency-") as scratch:
        root = make_corpus(Path(folder or scratch) / "portal", articles)
        article = sorted((root / "content/news").glob("*meldung-*.md"))[articles // 2]
        page = root / "output/aktuelles" / article.stem[len("2019-11-04-") :] / "index.html"
        process = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "watch", "--root", str(root)],
            env={**os.environ, "LITFASS_LANG": "en"},  # the lines read below are English
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        lines = _lines(process)
        try:
            _wait_for(lines, "Watching ", timeout=600)
            files = sum(1 for p in (root / "output").rglob("*") if p.is_file())
            samples = [_one_edit(article, page, lines, n) for n in range(edits)]
        finally:
            process.terminate()
            process.wait(timeout=60)
    return {
        "articles": articles,
        "files": files,
        "edits": edits,
        "median_ms": round(statistics.median(samples), 1),
        "min_ms": round(min(samples), 1),
        "max_ms": round(max(samples), 1),
        "samples_ms": [round(s, 1) for s in samples],
    }


def _one_edit(article: Path, page: Path, lines: queue.Queue, number: int) -> float:
    marker = f"Nachtrag {number} zur Meldung."
    text = article.read_text(encoding="utf-8") + f"\n{marker}\n"
    before = page.stat().st_ino
    started = time.perf_counter()
    article.write_text(text, encoding="utf-8")
    deadline = started + 60
    while time.perf_counter() < deadline:
        try:
            if page.stat().st_ino != before and marker in page.read_text(encoding="utf-8"):
                took = (time.perf_counter() - started) * 1000
                _wait_for(lines, " rebuilt in ", timeout=60)  # the next edit starts afresh
                return took
        except FileNotFoundError:
            pass  # between the swap's two renames on systems without renameat2
        time.sleep(0.001)
    raise RuntimeError(f"edit {number} did not reach {page} within 60 s")


def _lines(process: subprocess.Popen) -> queue.Queue:
    found: queue.Queue = queue.Queue()

    def read() -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            found.put(line)
        found.put(None)

    threading.Thread(target=read, daemon=True).start()
    return found


def _wait_for(lines: queue.Queue, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        if line is None:
            raise RuntimeError("litfass watch ended early")
        if text in line:
            return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=4000)
    parser.add_argument("--edits", type=int, default=20)
    args = parser.parse_args()
    print(json.dumps(watch_latency(args.articles, args.edits), indent=2))


if __name__ == "__main__":
    main()
