"""Take the screenshots of docs/redaktion.md ("Im Browser schreiben") from the real editor.

Run from the repository: `python docs/cms_screenshots.py`. It copies the example portal into
a temporary folder, starts `build.py serve` there and drives /admin/ in Debian's Chromium.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect, sync_playwright

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
NOW = "2026-11-20 12:00"
SERVE = ["--port", "0", "--now", NOW]  # any free port, the tests' clock


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "portal"
        site.mkdir()
        shutil.copy(REPO / "config.yaml", site)
        for name in ("content", "templates"):
            shutil.copytree(REPO / name, site / name)
        photo = Path(folder) / "beratung.jpg"
        _photo(photo)
        server = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "serve", "--root", str(site), *SERVE],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            _shoot(_port(server), photo)
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)


def _port(server: subprocess.Popen[str]) -> int:
    assert server.stdout is not None
    for line in server.stdout:
        found = re.match(r"Serving http://[^ ]+:(\d+)/", line)
        if found:
            return int(found[1])
    raise SystemExit("the preview did not start")


def _photo(path: Path) -> None:
    """A stand-in photo: shapes in the theme's colours."""
    image = Image.new("RGB", (1600, 1000), (226, 239, 236))
    draw = ImageDraw.Draw(image)
    draw.ellipse((200, 250, 700, 750), fill=(46, 125, 160))
    draw.rectangle((850, 300, 1350, 800), fill=(240, 168, 60))
    image.save(path, quality=85)


def _shoot(port: int, photo: Path) -> None:
    base = f"http://127.0.0.1:{port}/admin/"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--lang=de-DE"]
        )
        page = browser.new_context(
            viewport={"width": 1280, "height": 800}, locale="de-DE"
        ).new_page()
        page.on("dialog", lambda dialog: dialog.accept())  # leave the unsaved example item
        page.goto(base)
        page.get_by_role("button", name="Anmelden", exact=True).click()
        expect(page.get_by_text("Inhaltstypen")).to_be_visible()
        page.goto(base + "#/collections/news")
        expect(page.get_by_role("link", name=re.compile("Kita-Finanzierung"))).to_be_visible()
        page.screenshot(path=DOCS / "cms-uebersicht.png")

        page.goto(base + "#/collections/news/new")
        page.get_by_label("Titel").fill("Neue Beratungsstelle für Familien in Görlitz")
        page.get_by_label("Datum").fill("2026-11-20T10:00")
        _choose(page, "Kategorie", "Pressemitteilung")
        _choose(page, "Themen", "Armut")
        page.get_by_role("button", name="Wähle ein Bild").click()
        page.locator("input[type=file]").set_input_files(photo)
        page.screenshot(path=DOCS / "cms-bild.png")
        page.get_by_role("button", name="Ausgewähltes Element verwenden").click()
        page.get_by_label("Alternativtext").fill("Zwei Beraterinnen im Gespräch mit einer Familie")
        page.locator("[data-slate-editor]").click()
        page.keyboard.type("Ab Dezember berät die neue Stelle Familien in allen Lebenslagen.")
        page.get_by_label("Titel").scroll_into_view_if_needed()
        page.screenshot(path=DOCS / "cms-pressemitteilung.png")
        page.get_by_role("button", name="Veröffentlichen").click()
        page.screenshot(path=DOCS / "cms-veroeffentlichen.png")
        page.keyboard.press("Escape")

        page.goto(base + "#/collections/events/new")
        page.reload()  # a fresh form, not the press release's
        page.get_by_label("Titel").fill("Fachtag: Ehrenamt im Quartier")
        page.get_by_label("Beginn").fill("2027-03-12T10:00")
        page.get_by_label("Ende").fill("2027-03-12T16:00")
        page.get_by_label("Name (optional)", exact=True).fill("Volkshaus Leipzig")
        page.get_by_label("Anschrift (optional)", exact=True).fill("Karl-Liebknecht-Straße 30")
        page.get_by_label("Beginn").scroll_into_view_if_needed()
        page.screenshot(path=DOCS / "cms-veranstaltung.png")
        browser.close()


def _choose(page: Page, label: str, option: str) -> None:
    page.get_by_label(label).click()
    page.keyboard.type(option)
    page.keyboard.press("Enter")


if __name__ == "__main__":
    main()
