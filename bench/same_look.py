"""Does a stylesheet change keep the pages as they looked? Screenshots with two stylesheets.

    python bench/same_look.py REV [--work DIR] [PATH ...]

Builds the example portal with this checkout, then takes full-page screenshots of each PATH
(key pages by default) in Chromium at 375 and 1280 pixels, light and dark: once with
templates/static/style.css of git revision REV in place of this checkout's, once with this
checkout's. Exits 1 if any pair differs by one pixel. Only the stylesheet changes between
the two, so the pages' HTML must be the same for both (bench/same_output.py checks that).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import corpus
from PIL import Image, ImageChops
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
PAGES = [
    "/", "/aktuelles/", "/aktuelles/soziale-traeger-als-partner-der-wohnungswirtschaft/",
    "/veranstaltungen/", "/veranstaltungen/workshop-inklusionsbetriebe-gruenden/",
    "/themen/wohnen/", "/magazin/", "/presse/", "/suche/", "/404.html", "/leichte-sprache/",
    "/abonnieren/",
]  # fmt: skip
LOAD_ALL_IMAGES = """() => Promise.all([...document.images].map((image) => {
  image.loading = "eager";
  return image.decode().catch(() => null);
}))"""


class Quiet(http.server.SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # each round must fetch its stylesheet
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """`folder` on a free port of 127.0.0.1."""
    handler = functools.partial(Quiet, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def build_portal(work: Path) -> Path:
    """The example portal built by this checkout; its output folder."""
    site = work / "example"
    for name in ("content", "templates"):
        shutil.copytree(REPO / name, site / name)
    for name in ("config.yaml", "addresses.yaml"):
        shutil.copy(REPO / name, site / name)
    command = [sys.executable, str(REPO / "build.py"), "--root", str(site), "--now", corpus.NOW]
    subprocess.run([*command, "--quiet"], check=True, cwd=REPO)
    return site / "output"


def shoot(server: str, paths: list[str], folder: Path) -> None:
    """Full-page screenshots of `paths` at each width and colour scheme into `folder`."""
    folder.mkdir(parents=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for width in (375, 1280):
            for scheme in ("light", "dark"):
                context = browser.new_context(
                    viewport={"width": width, "height": 900}, color_scheme=scheme
                )
                for path in paths:
                    page = context.new_page()
                    page.goto(server + path)
                    page.evaluate(LOAD_ALL_IMAGES)
                    name = path.strip("/").replace("/", "_") or "home"
                    page.screenshot(path=folder / f"{name}-{width}-{scheme}.png", full_page=True)
                    page.close()
                context.close()
        browser.close()


def differing(before: Path, after: Path) -> list[str]:
    """The screenshots that are not the same pixel for pixel."""
    found = []
    for old in sorted(before.iterdir()):
        a, b = Image.open(old).convert("RGB"), Image.open(after / old.name).convert("RGB")
        if a.size != b.size or ImageChops.difference(a, b).getbbox() is not None:
            found.append(old.name)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the git revision whose stylesheet the pages are compared with")
    parser.add_argument("paths", nargs="*", default=PAGES)
    parser.add_argument("--work", type=Path, help="keep the build and screenshots here")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="same-look-"))
    old_css = subprocess.run(
        ["git", "show", f"{args.rev}:templates/static/style.css"],
        cwd=REPO, capture_output=True, check=True,
    ).stdout  # fmt: skip
    output = build_portal(work)
    published = sorted((output / "static").glob("style.*.css"))  # the fingerprinted name
    new_css = published[0].read_bytes()
    with serving(output) as server:
        published[0].write_bytes(old_css)
        shoot(server, args.paths, work / "before")
        published[0].write_bytes(new_css)
        shoot(server, args.paths, work / "after")
    found = differing(work / "before", work / "after")
    count = len(list((work / "before").iterdir()))
    print(f"{count - len(found)} of {count} screenshots the same; differing: {found or 'none'}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
