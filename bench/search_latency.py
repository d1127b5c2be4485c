"""A reader's first search on a phone network: litfass's search page against one Pagefind index.

Builds the benchmark corpus (`bench/corpus.py`) with its search index, makes a second copy of
the same pages with one index from a plain Pagefind run over all of them (what a Hugo user
publishes), and searches both on the search page in headless Chromium with the network
throttled as a phone's (150 ms round trip, 1.6 Mbit/s down; the server plays the network, see
`Link`): the time from submitting a query to the results shown, and the requests and bytes
it took.

    python bench/search_latency.py --items 4000
    python bench/search_latency.py --items 1000 --litfass /work/main   # another checkout
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import corpus
from playwright.sync_api import Browser, sync_playwright

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ROUND_TRIP = 0.150  # seconds
PHONE_BITS = 1_600_000  # per second, down (the few bytes of a request go up at once)
WORDS = ("Wohnungswirtschaft", "Fachkräftemangel", "Beratung", "Ehrenamtliche")


def build(site: Path, checkout: Path, items: int) -> None:
    """The corpus as a litfass site with its search index, built by `checkout`'s litfass."""
    shutil.rmtree(site, ignore_errors=True)
    corpus.write_litfass(site, corpus.items(items), search=True)
    shutil.rmtree(site / "templates")
    shutil.copytree(checkout / "templates", site / "templates")
    command = [sys.executable, str(checkout / "build.py"), "--root", str(site)]
    command += ["--now", corpus.NOW, "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    subprocess.run(command, check=True, env=env)


def plain(output: Path, folder: Path) -> Path:
    """The same pages, with one index made by Pagefind over all of them at once."""
    shutil.rmtree(folder, ignore_errors=True)
    ignore = shutil.ignore_patterns("pagefind", "*.gz", "*.br")
    shutil.copytree(output, folder, ignore=ignore, copy_function=os.link)
    subprocess.run(
        [*pagefind(), "--site", ".", "--output-path", "pagefind"],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    # For a search script of a litfass that merged parts: one index has none.
    (folder / "pagefind/parts.json").write_text("[]\n")
    return folder


def pagefind() -> list[str]:
    """The Pagefind program litfass runs (`pagefind[extended]`)."""
    try:
        import pagefind_bin_extended

        return [str(pagefind_bin_extended.get_executable())]
    except ImportError:
        return [sys.executable, "-m", "pagefind"]


class Link:
    """A phone's connection, played by the server: every response waits one round trip,
    then its bytes take their turn on one downlink of PHONE_BITS per second. (Chromium's own
    throttling, DevTools' Network.emulateNetworkConditions, leaves out the requests of a web
    worker, where Pagefind loads its WebAssembly and index.)"""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.free = 0.0  # when the downlink has sent what it was given
        self.requests = 0
        self.bytes = 0

    def send(self, size: int) -> None:
        with self.lock:
            self.requests += 1
            self.bytes += size
            start = max(time.monotonic(), self.free)
            self.free = start + size * 8 / PHONE_BITS
            done = self.free
        time.sleep(max(0.0, done - time.monotonic()))


@contextlib.contextmanager
def serving(folder: Path, link: Link) -> Iterator[str]:
    handler = functools.partial(Throttled, link, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


class Throttled(http.server.SimpleHTTPRequestHandler):
    def __init__(self, link: Link, *args: Any, **kwargs: Any) -> None:
        self.link = link
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        time.sleep(ROUND_TRIP)  # the request going up and the first byte coming down
        super().do_GET()

    def copyfile(self, source: Any, outputfile: Any) -> None:
        data = source.read()
        self.link.send(len(data))
        outputfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


def first_search(browser: Browser, address: str, link: Link, word: str) -> tuple[float, int, int]:
    """Seconds from submitting `word` to its results, requests and bytes it took."""
    context = browser.new_context()  # an empty cache: the reader's first search
    page = context.new_page()
    page.goto(f"{address}/suche/", wait_until="networkidle")
    with link.lock:
        link.requests = link.bytes = 0
    page.fill("#search_q", word)
    start = time.perf_counter()
    page.press("#search_q", "Enter")
    page.locator("#search_results li").first.wait_for(timeout=120_000)
    took = time.perf_counter() - start
    page.wait_for_load_state("networkidle")
    context.close()
    return took, link.requests, link.bytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=4000)
    parser.add_argument("--litfass", type=Path, default=REPO, help="the checkout to build with")
    parser.add_argument("--work", type=Path, default=Path("/dev/shm/litfass-search-latency"))
    parser.add_argument("--repeat", type=int, default=3, help="searches per word and index")
    parser.add_argument("--no-build", action="store_true", help="search the last build again")
    args = parser.parse_args()
    site = args.work / f"litfass-{args.items}"
    if not args.no_build:
        build(site, args.litfass.resolve(), args.items)
        plain(site / "output", args.work / f"plain-{args.items}")
    results: dict[str, list[tuple[float, int, int]]] = {"litfass": [], "one Pagefind index": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        folders = {
            "litfass": site / "output",
            "one Pagefind index": args.work / f"plain-{args.items}",
        }
        for name, folder in folders.items():
            link = Link()
            with serving(folder, link) as address:
                for word in WORDS:
                    runs = [first_search(browser, address, link, word) for _ in range(args.repeat)]
                    results[name].append(min(runs))
        browser.close()
    print(f"{args.items} items, {args.litfass.resolve()}, phone network (150 ms, 1.6 Mbit/s)")
    print("| index | first search, median of words | requests | transferred |")
    print("|---|---:|---:|---:|")
    medians = {}
    for name, runs in results.items():
        medians[name] = statistics.median(r[0] for r in runs)
        requests = statistics.median(r[1] for r in runs)
        kilobytes = statistics.median(r[2] for r in runs) / 1000
        print(f"| {name} | {medians[name]:.2f} s | {requests:.0f} | {kilobytes:.0f} kB |")
    ratio = medians["litfass"] / medians["one Pagefind index"]
    print(f"litfass ÷ one index: {ratio:.2f}×")


if __name__ == "__main__":
    main()
