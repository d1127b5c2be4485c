"""What the preview tells an editor in the browser: errors (red), warnings (yellow, closable),
slow steps, and why an unpublished item's address shows nothing.

The real `build.py serve` runs on a copy of the fixture site; pages are opened in Debian's
Chromium through Playwright, or fetched over HTTP where only the answer matters.
"""

from __future__ import annotations

import http.client
import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from livesite import EventStream, LiveSite
from PIL import Image
from playwright.sync_api import Browser, Page

ARTICLE = "content/news/2020-01-10-neujahr.md"
ARTICLE_URL = "/aktuelles/neujahr/"
OTHER = "content/news/2019-11-04-fachtag-in-goerlitz.md"  # sorts before ARTICLE
YELLOW, RED = "rgb(254, 243, 199)", "rgb(127, 29, 29)"


def add_typo(site: Path, rel: str) -> None:
    """A misspelt key: a warning (`sumary` on line 2), the page is still built."""
    path = site / rel
    path.write_text(path.read_text(encoding="utf-8").replace("---\n", "---\nsumary: x\n", 1))


@pytest.fixture
def tab(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []  # the injected script never breaks the page


def start(site: Path, *extra: str, language: str = "en") -> LiveSite:
    return LiveSite(site, "serve", *extra, language=language).ready()


def stop(server: LiveSite) -> None:
    assert server.stop() == 0


def test_warnings_are_yellow_own_file_first_and_can_be_closed(
    fixture_site: Path, tab: Page
) -> None:
    add_typo(fixture_site, ARTICLE)
    add_typo(fixture_site, OTHER)
    server = start(fixture_site)
    try:
        tab.goto(f"http://127.0.0.1:{server.port}{ARTICLE_URL}")
        box = tab.locator("#litfass-warnings")
        assert box.is_visible()
        assert box.evaluate("e => getComputedStyle(e).backgroundColor") == YELLOW
        assert tab.locator("#litfass-overlay").count() == 0  # no error: nothing red
        assert tab.locator("#litfass-warnings h2").inner_text() == "2 warnings"
        lines = tab.locator("#litfass-warnings pre").inner_text().splitlines()
        assert lines == [
            f"{ARTICLE}:2: unknown key 'sumary'; did you mean 'summary'?",
            f"{OTHER}:2: unknown key 'sumary'; did you mean 'summary'?",
        ]
        tab.get_by_role("button", name="Close").click()
        assert not box.is_visible()
        heading = tab.locator("main h1")
        assert heading.is_visible() and heading.inner_text()  # the page itself is all there
        tab.reload()
        assert not tab.locator("#litfass-warnings").is_visible()  # closed: the same warnings

        tab.goto(f"http://127.0.0.1:{server.port}/aktuelles/fachtag-in-goerlitz/")
        lines = tab.locator("#litfass-warnings pre").inner_text().splitlines()
        assert lines[0].startswith(f"{OTHER}:2:")  # this page's own file first
    finally:
        stop(server)


def test_an_error_is_red_over_the_last_good_page_in_german(fixture_site: Path, tab: Page) -> None:
    add_typo(fixture_site, OTHER)
    server = start(fixture_site, language="de")
    try:
        tab.goto(f"http://127.0.0.1:{server.port}{ARTICLE_URL}")
        title = tab.locator("main h1").inner_text()
        article = fixture_site / ARTICLE
        article.write_text(article.read_text(encoding="utf-8").replace("title:", "titel:"))
        assert "nicht neu gebaut" in server.rebuilt()
        red = tab.locator("#litfass-overlay")
        red.wait_for()  # the open tab reloads by itself
        assert red.get_attribute("role") == "alert"
        assert red.evaluate("e => getComputedStyle(e).backgroundColor") == RED
        assert tab.locator("#litfass-overlay h2").inner_text() == (
            "Das Portal konnte nicht neu gebaut werden"
        )
        assert tab.locator("#litfass-overlay pre").inner_text().splitlines()[0] == (
            f"{ARTICLE}:2: 'title' fehlt; ergänzen Sie im Kopf der Datei eine Zeile 'title: ...'"
        )
        assert tab.locator("main h1").inner_text() == title  # the last good page
        yellow = tab.locator("#litfass-warnings")
        assert tab.locator("#litfass-warnings h2").inner_text() == "2 Warnungen"
        assert "unbekannter Schlüssel 'sumary'" in yellow.inner_text()
        tab.get_by_role("button", name="Schließen").click()
        assert not yellow.is_visible() and red.is_visible()
    finally:
        stop(server)


def test_a_new_large_photo_says_it_is_being_resized(fixture_site: Path, tab: Page) -> None:
    server = start(fixture_site)
    try:
        tab.goto(f"http://127.0.0.1:{server.port}{ARTICLE_URL}")
        stream = EventStream(server.port)
        stream.next_build()
        folder = fixture_site / "content/news/2020-02-01-foto"
        folder.mkdir()
        (folder / "index.md").write_text(
            "---\ntitle: Foto\ndate: 2020-02-01\nimage: foto.jpg\nimage_alt: Ein Saal\n---\nText\n",
            encoding="utf-8",
        )
        photo = fixture_site / "foto.jpg"  # outside content/: moved in whole, as a save is
        Image.effect_noise((4000, 3000), 64).convert("RGB").save(photo, quality=90)
        server.rebuilt()
        os.replace(photo, folder / "foto.jpg")
        said = stream.next_event("progress")
        assert said.startswith("resizing images: 1 of ")
        assert said.endswith(" (content/news/2020-02-01-foto/foto.jpg) ...")
        box = tab.wait_for_selector("#litfass-progress", state="attached")
        assert box is not None and (box.text_content() or "").startswith("resizing images: ")
        line = server.line(lambda text: "resizing images" in text)
        assert line.endswith(" (content/news/2020-02-01-foto/foto.jpg) ...")
        assert " rebuilt in " in server.rebuilt()
        sizes = [said]
        while sizes[-1]:  # each size of the photo, then "" when done: the box goes
            sizes.append(stream.next_event("progress"))
        assert sizes[-2].startswith(f"resizing images: {len(sizes) - 1} of {len(sizes) - 1} (")
        stream.close()
    finally:
        stop(server)


def test_unpublished_addresses_explain_themselves_without_leaking(fixture_site: Path) -> None:
    secret = fixture_site / "content/news/geheim.md"
    secret.write_text(
        "---\ntitle: Geheimer Titel\ndate: 2020-05-05\ndraft: true\n---\nGeheimer Text.\n",
        encoding="utf-8",
    )
    server = start(fixture_site, language="de")
    try:
        status, page = server.get("/aktuelles/zukunft/")
        assert status == 404
        assert "geplant für 1. Januar 2030, 0:00 Uhr — sichtbar mit --future" in page
        status, page = server.get("/aktuelles/geheim/")
        assert status == 404
        assert "Entwurf — sichtbar mit --drafts" in page
        assert "Geheim" not in page  # neither its title nor its text
        status, page = server.get("/aktuelles/gibt-es-nicht/")
        assert status == 404 and "sichtbar mit" not in page
    finally:
        stop(server)
    for path in (fixture_site / "output").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"sichtbar mit" not in data and b"Geheim" not in data, path


def test_with_drafts_a_draft_is_shown_and_the_scheduled_one_still_explained(
    fixture_site: Path,
) -> None:
    server = start(fixture_site, "--drafts")
    try:
        status, _ = server.get("/aktuelles/entwurf/")
        assert status == 200
        status, page = server.get("/aktuelles/zukunft")  # without the slash, too
        assert status == 404
        assert "scheduled for January 1, 2030, 12:00 AM — visible with --future" in page
    finally:
        stop(server)


def test_a_large_first_build_says_how_far_it_is(fixture_site: Path) -> None:
    for number in range(150):
        text = f"---\ntitle: Meldung {number}\ndate: 2020-03-01\n---\nText {number}.\n"
        (fixture_site / f"content/news/2020-03-01-meldung-{number}.md").write_text(text)
    server = start(fixture_site, language="de")
    try:
        said = [
            re.fullmatch(r"\S+ Dateien erstellt: (\d+) von (\d+) \.\.\.", line)
            for line in server.printed
            if "Dateien erstellt" in line
        ]
        counts = [(int(line[1]), int(line[2])) for line in said if line]
        assert len(counts) == len(said) >= 2  # a few lines, not one per file
        done = [count for count, _ in counts]
        assert done == sorted(set(done)) and counts[-1][0] == counts[-1][1] >= 200
    finally:
        stop(server)


def test_a_dead_link_is_a_warning_in_the_preview(fixture_site: Path, tab: Page) -> None:
    server = start(fixture_site)
    try:
        tab.goto(f"http://127.0.0.1:{server.port}{ARTICLE_URL}")
        article = fixture_site / ARTICLE
        good = article.read_text(encoding="utf-8")
        article.write_text(
            good + "\n[Kalender](/veranstaltungen/kalender/) und [Entwurf](/aktuelles/entwurf/)\n"
        )
        assert " rebuilt in " in server.rebuilt()
        nowhere = (
            f"{ARTICLE}:9: warning: link to '/veranstaltungen/kalender/' leads nowhere: "
            "no page at /veranstaltungen/kalender/"
        )
        draft = (
            f"{ARTICLE}:9: warning: link to '/aktuelles/entwurf/': /aktuelles/entwurf/ is a "
            "draft (content/news/entwurf.md): it is not on the site yet; "
            "its text is shown without the link"
        )
        assert [line for line in server.printed if line.startswith(ARTICLE)] == [draft, nowhere]
        box = tab.locator("#litfass-warnings pre")
        box.wait_for()  # the tab reloaded by itself
        assert box.inner_text().splitlines() == [
            line.replace(": warning: ", ": ", 1) for line in (draft, nowhere)
        ]
        article.write_text(good)
        assert " rebuilt in " in server.rebuilt()
        tab.locator("#litfass-warnings").wait_for(state="detached")  # fixed: the box is gone
    finally:
        stop(server)


def status_of(server: LiveSite, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


def test_the_preview_names_the_files_of_a_deleted_item(fixture_site: Path, tab: Page) -> None:
    """Issue 22, point 11: an item's index.md deleted (in the browser editor), its photo
    is no longer published and the overlay names it."""
    folder = fixture_site / "content/news/2021-07-08-fest"
    folder.mkdir()
    (folder / "index.md").write_text("---\ntitle: Fest\ndate: 2021-07-08\n---\nGarten.\n")
    Image.new("RGB", (600, 400)).save(folder / "foto.jpg")
    server = start(fixture_site)
    try:
        assert status_of(server, "/aktuelles/fest/foto.jpg") == 200
        tab.goto(f"http://127.0.0.1:{server.port}/")
        (folder / "index.md").unlink()
        assert " rebuilt in " in server.rebuilt()
        box = tab.locator("#litfass-warnings pre")
        box.wait_for()  # the tab reloaded by itself
        assert box.inner_text().splitlines() == [
            "content/news/2021-07-08-fest/foto.jpg: left over from a deleted item: its folder "
            "has no index.md, so this file is not published; delete it, or put the item's "
            "index.md back"
        ]
        assert status_of(server, "/aktuelles/fest/foto.jpg") == 404
    finally:
        stop(server)


def overlaps(a: dict, b: dict) -> bool:
    """Whether two bounding boxes share any area."""
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def boxes_of(page: Page) -> dict[str, dict]:
    found = {}
    for name in ("progress", "notice", "overlay", "golive", "warnings"):
        box = page.locator(f"#litfass-{name}")
        if box.count() and box.is_visible():
            found[name] = box.bounding_box()
    return found


@pytest.mark.parametrize("viewport", [(1280, 800), (375, 740)])
def test_the_boxes_never_cover_each_other(chromium: Browser, viewport: tuple[int, int]) -> None:
    """Issue 24, point 8: the progress box sat on the red box. Every box the preview can
    show at once (many errors and warnings, a slow step, a notice, the publish button), as
    Chromium lays them out,
    on a desktop and a phone; then a progress box made by the script when the step begins."""
    from litfass.errors import Problem
    from litfass.preview.server import (
        EVENTS,
        GO_LIVE_JS,
        GO_LIVE_JS_CODE,
        OVERLAY_CSS,
        RELOAD_JS,
        SCRIPT,
        STYLE,
        State,
        inject,
    )

    width, height = viewport
    problems = tuple(
        Problem(f"content/news/x{n}.md", n + 1, "the file is empty; start with '---'", severity)
        for n in range(25)
        for severity in ("error", "warning")
    )
    page_html = b"<!DOCTYPE html><html><body><h1>Seite</h1><p>Text</p></body></html>"
    states = {
        "/": State(problems=problems, progress="resizing images: 1 of 4 (foto.jpg) ...",
                   hidden={"/": "draft"}),
        "/ohne/": State(problems=problems),
    }  # fmt: skip
    context = chromium.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()

        def answer(route, request) -> None:
            path = urlsplit(request.url).path
            if path == STYLE:
                route.fulfill(body=OVERLAY_CSS, content_type="text/css")
            elif path == SCRIPT:
                route.fulfill(body=RELOAD_JS, content_type="text/javascript")
            elif path == GO_LIVE_JS:
                route.fulfill(body=GO_LIVE_JS_CODE, content_type="text/javascript")
            elif path == EVENTS:
                said = "event: progress\ndata: resizing images: 2 of 4 (bild.jpg) ...\n\n"
                route.fulfill(body="retry: 60000\n" + said, content_type="text/event-stream")
            else:
                body = inject(page_html, states[path], path, go_live=True)
                route.fulfill(body=body, content_type="text/html; charset=utf-8")

        page.route("http://preview.test/**", answer)
        page.goto("http://preview.test/")
        shown = boxes_of(page)
        assert set(shown) == {"progress", "notice", "overlay", "golive", "warnings"}
        page.goto("http://preview.test/ohne/")
        expect_progress = page.locator("#litfass-progress")
        expect_progress.wait_for(state="visible", timeout=60_000)  # made by the script
        assert "bild.jpg" in expect_progress.inner_text()
        for seen in (shown, boxes_of(page)):
            names = sorted(seen)
            for i, a in enumerate(names):
                box = seen[a]
                assert box["y"] >= 0 and box["y"] + box["height"] <= height + 0.5, (a, box)
                for b in names[i + 1 :]:
                    assert not overlaps(box, seen[b]), (a, b, seen)
    finally:
        context.close()
