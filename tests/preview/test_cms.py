"""The browser editor at /admin/: Decap CMS in real Chromium against a real `litfass serve`.

An editor writes a press release with a photo and an event, and edits an existing item; the
files land in content/ as litfass reads them, and nothing is requested from another host.
The protocol endpoint is also attacked with plain HTTP: paths out of content/, other
origins, active file types.
"""

from __future__ import annotations

import base64
import http.client
import io
import json
import re
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
import yaml
from babel.messages.pofile import read_po
from livesite import LiveSite
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Expect, Page

from conftest import NOW, REPO, copy_site, snapshot
from litfass.config import load_config
from litfass.content import svg
from litfass.content.schema import FIELDS, Field
from litfass.i18n import catalog
from litfass.languages import split_translation
from litfass.preview.cmsconfig import (
    API,
    COLLECTIONS,
    SLUG_PATTERN,
    WORDS,
    Backend,
    Terms,
    config_yml,
)
from translations import TEMPLATE

pytestmark = pytest.mark.browser

# Every wait on the browser is for a condition, bounded this generously: a loaded 2-core
# machine may take many seconds for what takes one at rest (Playwright's default is 5 s).
WAIT = 120_000  # milliseconds
expect = Expect()  # this module's own, so the patience does not leak into other tests
expect.set_options(timeout=WAIT)

PRESS = "content/news/2026-11-20-verband-begruesst-neue-foerderrichtlinie"
EVENT = "content/events/2027-03-12-fachtag-ehrenamt-im-quartier"
KITA = "content/news/2026-02-12-kita-finanzierung-sinkende-kinderzahlen/index.md"
KITA_URL = "/aktuelles/kita-finanzierung-sinkende-kinderzahlen/"

TRANSLATIONS = ("de-x-ls", "en", "uk", "ar")  # the example portal's other languages


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "foto.jpg"
    Image.new("RGB", (1600, 1000), (200, 80, 40)).save(path, quality=85)
    return path


@pytest.fixture
def served(fixture_site: Path) -> Iterator[LiveSite]:
    live = LiveSite(fixture_site, "serve").ready()
    yield live
    assert live.stop() == 0, live.rest()
    assert "Traceback" not in "\n".join(live.rest())


@pytest.fixture
def admin(chromium: Browser, served: LiveSite) -> Iterator[tuple[Page, set[str]]]:
    """The editor, logged in to the local backend; every host the page asked is noted."""
    context = patient_context(chromium)
    page = context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(origin_of(request.url)))
    page.goto(f"http://127.0.0.1:{served.port}/admin/")
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_text("Inhaltstypen")).to_be_visible()
    yield page, hosts
    context.close()


def patient_context(chromium: Browser) -> BrowserContext:
    """A German desktop browser whose every action waits as long as `WAIT` if it must."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    context.set_default_timeout(WAIT)
    context.set_default_navigation_timeout(WAIT)
    return context


def origin_of(url: str) -> str:
    """Where a request goes: a host, or 'data:' for data within the page itself."""
    parts = urlsplit(url.removeprefix("blob:"))  # blob:http://host/... is made in the page
    return parts.netloc if parts.scheme in ("http", "https", "ws", "wss") else parts.scheme + ":"


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option of a select widget, as a mouse and keyboard would."""
    page.get_by_label(label).click()
    page.keyboard.type(option)
    page.keyboard.press("Enter")


def publish(page: Page, served: LiveSite, saved: str) -> None:
    """Save the item and wait until the editor shows it saved and the preview has rebuilt
    with it: the rebuild that names `saved` (an earlier one may still be under way)."""
    page.get_by_role("button", name="Veröffentlichen").click()
    page.get_by_role("menuitem", name="Jetzt veröffentlichen").click()
    expect(page.get_by_role("button", name="Veröffentlicht", exact=True)).to_be_visible()
    served.line(lambda text: saved in text and " rebuilt in " in text)


def front_matter(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    _, head, body = text.split("---\n", 2)
    return yaml.safe_load(head), body


def problems(site: Path, run) -> set[str]:
    checked = run("check", "--root", site, "--now", NOW)
    found = {line for line in checked.err.splitlines() if re.match(r"\S+:\d+: ", line)}
    assert "checked" in checked.err  # `check` ran through
    return found


def test_an_editor_writes_a_press_release_and_an_event_in_the_browser(
    admin: tuple[Page, set[str]], served: LiveSite, fixture_site: Path, photo: Path, run
) -> None:
    page, hosts = admin
    before = problems(fixture_site, run)
    base = f"http://127.0.0.1:{served.port}/admin/"

    page.goto(base + "#/collections/news/new")
    page.get_by_label("Titel").fill("Verband begrüßt neue Förderrichtlinie")
    page.get_by_label("Datum").fill("2026-11-20T10:00")
    choose(page, "Kategorie", "Pressemitteilung")
    choose(page, "Themen", "Pflege")
    page.get_by_role("button", name="Wähle ein Bild").click()
    page.locator("input[type=file]").set_input_files(photo)
    page.get_by_role("button", name="Ausgewähltes Element verwenden").click()
    page.get_by_label("Alternativtext").fill("Eine Beraterin im Gespräch")
    page.get_by_label("Entwurf").click()  # new items start as drafts, like `litfass new`
    page.locator("[data-slate-editor]").click()
    page.keyboard.type("Der Verband begrüßt die neue Richtlinie für soziale Träger.")
    pane = page.frame_locator("iframe").first  # the preview pane wears the site's stylesheet
    expect(pane.locator("link[href='/static/style.css']")).to_have_count(1)
    expect(pane.get_by_text("Der Verband begrüßt die neue Richtlinie")).to_be_visible()
    publish(page, served, PRESS)

    meta, body = front_matter(fixture_site / PRESS / "index.md")
    assert meta == {
        "title": "Verband begrüßt neue Förderrichtlinie",
        "slug": "verband-begruesst-neue-foerderrichtlinie",
        "date": "2026-11-20 10:00",
        "category": "Pressemitteilung",
        "tags": ["Pflege"],
        "image": "foto.jpg",
        "image_alt": "Eine Beraterin im Gespräch",
        "draft": False,
    }
    assert body.strip() == "Der Verband begrüßt die neue Richtlinie für soziale Träger."
    assert (fixture_site / PRESS / "foto.jpg").read_bytes() == photo.read_bytes()

    page.goto(base + "#/collections/events/new")
    # Only the hash changed: on a busy machine the saved news item's form could still be
    # mounted and take the typed title with it; a fresh load shows the event's form alone.
    page.reload()
    expect(page.get_by_label("Beginn")).to_be_visible()
    page.get_by_label("Titel").fill("Fachtag: Ehrenamt im Quartier")
    expect(page.get_by_label("Titel")).to_have_value("Fachtag: Ehrenamt im Quartier")
    page.get_by_label("Beginn").fill("2027-03-12T10:00")
    page.get_by_label("Ende").fill("2027-03-12T16:00")
    page.get_by_label("Name (optional)", exact=True).fill("Volkshaus Leipzig")
    page.get_by_label("Anschrift (optional)", exact=True).fill(
        "Karl-Liebknecht-Straße 30, 04107 Leipzig"
    )
    page.get_by_label("Entwurf").click()
    page.locator("[data-slate-editor]").click()
    page.keyboard.type("Ein Tag für alle, die Ehrenamtliche begleiten.")
    publish(page, served, EVENT)

    meta, _ = front_matter(fixture_site / EVENT / "index.md")
    assert meta["start"] == "2027-03-12 10:00" and meta["end"] == "2027-03-12 16:00"
    assert meta["location"]["name"] == "Volkshaus Leipzig"
    assert meta["location"]["address"] == "Karl-Liebknecht-Straße 30, 04107 Leipzig"
    assert meta["slug"] == "fachtag-ehrenamt-im-quartier" and meta["draft"] is False

    assert problems(fixture_site, run) == before  # nothing new for `check`
    status, html = served.get("/aktuelles/verband-begruesst-neue-foerderrichtlinie/")
    assert status == 200
    shown = lxml.html.fromstring(html)
    assert "Der Verband begrüßt die neue Richtlinie" in shown.text_content()
    image = shown.xpath("//main//img[@alt='Eine Beraterin im Gespräch']")[0]
    assert "foto-800w.jpg 800w" in image.get("srcset")  # resized like any photo
    status, html = served.get("/veranstaltungen/fachtag-ehrenamt-im-quartier/")
    assert status == 200 and "Volkshaus Leipzig" in html
    assert hosts - {"data:"} == {f"127.0.0.1:{served.port}"}  # the editor asked no other host


def test_saving_an_example_item_keeps_its_page(chromium: Browser, tmp_path: Path, run) -> None:
    site = copy_site(REPO, tmp_path / "example")
    assert run("--root", site, "--now", NOW, "--quiet").code == 0
    page_before = (site / "output" / KITA_URL[1:] / "index.html").read_bytes()
    original = front_matter(site / KITA)
    live = LiveSite(site, "serve").ready()
    context = patient_context(chromium)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"http://127.0.0.1:{live.port}/admin/")
        page.get_by_role("button", name="Anmelden", exact=True).click()
        untouched = snapshot(site / "content")
        for folder in ("news", "events", "magazine", "pages"):  # every example item opens
            for path in sorted((site / "content" / folder).rglob("*.md")):
                if split_translation(path.name, TRANSLATIONS)[1]:
                    continue  # a translation opens in its original's form, in its column
                slug = path.relative_to(site / "content" / folder).with_suffix("").as_posix()
                open_entry(page, live, f"{folder}/entries/{slug}", original_title(path))
        assert errors == []
        assert snapshot(site / "content") == untouched  # opening writes nothing

        slug = "2026-02-12-kita-finanzierung-sinkende-kinderzahlen/index"
        open_entry(page, live, f"news/entries/{slug}", original[0]["title"])
        title = page.get_by_label("Titel").first  # the main language's column
        title.fill(original[0]["title"] + " (geändert)")
        publish(page, live, KITA)
        assert "(geändert)" in (site / KITA).read_text(encoding="utf-8")
        changed = original[0]["title"] + " (geändert)"
        page.reload()  # another day, the item opened afresh: back to the old title
        expect(page.get_by_label("Titel").first).to_have_value(changed)
        page.get_by_label("Titel").first.fill(original[0]["title"])
        publish(page, live, KITA)
    finally:
        context.close()
        assert live.stop() == 0, live.rest()
    assert front_matter(site / KITA) == original  # the same keys, values and body
    page_after = (site / "output" / KITA_URL[1:] / "index.html").read_bytes()
    assert strip_reload(page_after) == strip_reload(page_before)


def open_entry(page: Page, live: LiveSite, entry: str, title: str) -> None:
    """Open an item from its collection's list, as an editor does, and wait for its form."""
    base = f"http://127.0.0.1:{live.port}/admin/#/collections/"
    page.goto(base + entry.split("/", 1)[0])
    expect(page.get_by_role("link", name=title)).to_be_visible()
    page.goto(base + entry)
    expect(page.get_by_label("Titel").first).to_have_value(title)  # the main language's


def original_title(path: Path) -> str:
    return str(front_matter(path)[0]["title"])


def strip_reload(page: bytes) -> bytes:
    return re.sub(rb"<script src=\"/__litfass/[^>]*></script>", b"", page)


# The protocol endpoint, attacked over plain HTTP.


def post(
    live: LiveSite,
    body: object,
    origin: str | None = "",
    host: str = "",
    kind: str = "application/json",
) -> tuple[int, Any]:
    host = host or f"127.0.0.1:{live.port}"
    headers = {"Host": host, "Content-Type": kind}
    if origin is not None:
        headers["Origin"] = origin or f"http://{host}"
    connection = http.client.HTTPConnection("127.0.0.1", live.port, timeout=30)
    try:
        connection.request("POST", API, json.dumps(body).encode(), headers)
        response = connection.getresponse()
        data = response.read()
        is_json = response.getheader("Content-Type", "").startswith("application/json")
        return response.status, json.loads(data) if is_json else {}
    finally:
        connection.close()


def asset(path: str, data: bytes) -> dict:
    return {"path": path, "content": base64.b64encode(data).decode(), "encoding": "base64"}


def persist_media(path: str, data: bytes) -> dict:
    return {"action": "persistMedia", "params": {"asset": asset(path, data)}}


def test_the_endpoint_reads_and_writes_entries_below_content(
    served: LiveSite, fixture_site: Path
) -> None:
    status, info = post(served, {"action": "info", "params": {}})
    assert status == 200 and info["type"] == "local_fs"
    folder = {"folder": "content/news", "extension": "md", "depth": 2}
    status, entries = post(served, {"action": "entriesByFolder", "params": folder})
    paths = {entry["file"]["path"] for entry in entries}
    assert "content/news/2020-01-10-neujahr.md" in paths
    raw = "---\ntitle: Neu\ndate: 2026-11-01\n---\nText.\n"
    entry = {"path": "content/news/neu/index.md", "raw": raw, "slug": "neu"}
    params = {"dataFiles": [entry], "assets": [], "options": {}}
    status, _ = post(served, {"action": "persistEntry", "params": params})
    assert status == 200
    assert (fixture_site / "content/news/neu/index.md").read_text(encoding="utf-8") == raw
    status, got = post(served, {"action": "getEntry", "params": {"path": entry["path"]}})
    assert got["data"] == raw


def test_a_save_through_the_endpoint_rebuilds_and_shows_its_problems(
    served: LiveSite, fixture_site: Path
) -> None:
    raw = "---\ntitle: Fachtag\nstart: 2027-03-12 10:00\nend: 2027-03-11 10:00\n---\nText.\n"
    entry = {"path": "content/events/2027-03-12-werkstatt/index.md", "raw": raw}
    params = {"dataFiles": [entry], "assets": []}
    assert post(served, {"action": "persistEntry", "params": params})[0] == 200
    assert "not rebuilt" in served.rebuilt()  # as after any save in a text editor
    _, page = served.get("/")
    message = lxml.html.fromstring(page).get_element_by_id("litfass-overlay").findtext(".//pre")
    assert f"{entry['path']}:4: the event ends before it starts" in message
    entry["raw"] = raw.replace("2027-03-11 10:00", "2027-03-12 16:00")
    assert post(served, {"action": "persistEntry", "params": params})[0] == 200
    assert " rebuilt in " in served.rebuilt()
    status, page = served.get("/veranstaltungen/werkstatt/")
    assert status == 200 and "litfass-overlay" not in page


@pytest.mark.parametrize(
    "path",
    [
        "../config.yaml",
        "content/../config.yaml",
        "/etc/passwd",
        "config.yaml",
        "output/index.html",
        "content\\..\\config.yaml",
        "C:/Windows/win.ini",
        "content/link/secret.md",
    ],
)
def test_the_endpoint_refuses_paths_outside_content(
    served: LiveSite, fixture_site: Path, path: str
) -> None:
    outside = fixture_site.parent / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.md").write_text("---\ntitle: geheim\n---\n", encoding="utf-8")
    link = fixture_site / "content/link"
    if not link.exists():
        link.symlink_to(outside, target_is_directory=True)
    before = (fixture_site / "config.yaml").read_bytes()
    for request in (
        {"action": "getEntry", "params": {"path": path}},
        {"action": "getMediaFile", "params": {"path": path}},
        {"action": "deleteFile", "params": {"path": path}},
        {
            "action": "persistEntry",
            "params": {"dataFiles": [{"path": path, "raw": "x"}], "assets": []},
        },
        persist_media(path, b"%PDF-1.4"),
    ):
        status, answer = post(served, request)
        assert status in (400, 403), (request, answer)
        assert "not a path below content/" in answer["error"]
    assert (fixture_site / "config.yaml").read_bytes() == before
    assert (outside / "secret.md").read_text(encoding="utf-8") == "---\ntitle: geheim\n---\n"


def test_the_endpoint_refuses_other_origins_and_hosts(served: LiveSite, fixture_site: Path) -> None:
    request = persist_media("content/news/bild.pdf", b"%PDF-1.4")
    assert post(served, request, origin="http://evil.example")[0] == 403
    assert post(served, request, origin=None)[0] == 403  # no Origin: not the editor's page
    assert post(served, request, origin="http://evil.example", host="evil.example")[0] == 403
    assert post(served, request, host=f"rebound.example:{served.port}")[0] == 403
    assert post(served, request, kind="text/plain")[0] == 415  # what a form could send
    garbage = b"POST /admin/api/v1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: x\r\n\r\n"
    assert served.raw(garbage).startswith(b"HTTP/1.0 403")
    assert not (fixture_site / "content/news/bild.pdf").exists()
    assert post(served, request)[0] == 200
    assert (fixture_site / "content/news/bild.pdf").read_bytes() == b"%PDF-1.4"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 0, 0)).save(buffer, "PNG")
    return buffer.getvalue()


def huge_png() -> bytes:
    """49 megapixels in a few kilobytes: over the build's limit for an image."""
    buffer = io.BytesIO()
    Image.new("1", (7000, 7000)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("seite.html", b"<script>alert(1)</script>", ".html files are active content"),
        ("app.js", b"alert(1)", ".js files are active content"),
        ("stil.css", b"body{}", ".css files are active content"),
        ("bild.svg", b'<svg onload="alert(1)"></svg>', "not an SVG drawing: <svg> lacks xmlns"),
        (
            "bild.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "nothing of the drawing is left once what could run script",
        ),
        ("foto.jpg", b"<html>not a photo</html>", "not a readable image"),
        ("foto.jpg", png(), "the file is a PNG image, not .jpg"),
        ("foto.png", png()[:40], "not a readable image"),
        ("heft.pdf", b"<html>", "not a PDF file"),
        (
            "karte.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><image href="https://x.example/p.png"/></svg>',
            "nothing of the drawing is left once what could run script",
        ),
        ("riesig.png", huge_png(), "image is too large (7000×7000 pixels"),
        ("programm", b"#!/bin/sh", "'programm' is not a kind of file the site publishes"),
    ],
)
def test_the_endpoint_refuses_active_and_false_files(
    served: LiveSite, fixture_site: Path, name: str, data: bytes, message: str
) -> None:
    path = f"content/news/{name}"
    status, answer = post(served, persist_media(path, data))
    assert status == 422 and answer["error"].startswith(message)
    entry = {"path": "content/news/x/index.md", "raw": "---\ntitle: x\n---\n"}
    params = {"dataFiles": [entry], "assets": [asset(path, data)]}
    status, answer = post(served, {"action": "persistEntry", "params": params})
    assert status == 422
    assert not (fixture_site / path).exists()
    assert not (fixture_site / "content/news/x").exists()  # nothing written when one part fails
    assert post(served, persist_media("content/news/ok.png", png()))[0] == 200


def test_an_uploaded_drawing_is_published_rebuilt_under_the_sandbox(served: LiveSite) -> None:
    # Script and XHTML can be taken out: the upload is saved, the site shows it rebuilt.
    hostile = (REPO / "tests/fixtures/svg/hostile/xhtml-inside.svg").read_bytes()
    assert post(served, persist_media("content/downloads/plan.svg", hostile))[0] == 200
    served.rebuilt()
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
    try:
        connection.request("GET", "/downloads/plan.svg")
        response = connection.getresponse()
        published = response.read()
    finally:
        connection.close()
    assert response.status == 200 and published == svg.clean(hostile)
    assert b"evil.example" not in published and b"xhtml" not in published
    assert response.getheader("Content-Security-Policy", "").startswith("sandbox;")


def test_the_admin_page_loads_only_from_this_server(served: LiveSite) -> None:
    status, page = served.get("/admin/")
    assert status == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    # The editor's files, relative so that the very same files work in a site below a folder
    # (base_url's path), and the publish button's script and style.
    resolved = [urljoin("http://127.0.0.1/admin/", source) for source in sources]
    here = ("http://127.0.0.1/admin/", "http://127.0.0.1/__litfass/")
    assert sources and all(url.startswith(here) for url in resolved)
    bundle = REPO / "litfass/preview/admin/decap-cms"
    assert (bundle / "LICENSE").is_file() and (bundle / "decap-cms.js").is_file()
    code = "".join(p.read_text(encoding="utf-8") for p in bundle.glob("*.js"))
    assert "fonts.googleapis" not in code and "unpkg.com" not in code


# config.yml from the schema.


def site_config(tmp_path: Path):
    site = copy_site(REPO, tmp_path / "example")
    return load_config(site)[0]


def test_config_yml_has_a_collection_per_kind_with_german_fields(tmp_path: Path) -> None:
    config = site_config(tmp_path)
    document = yaml.safe_load(config_yml(config))
    assert document["backend"] == {"name": "proxy", "proxy_url": API, "branch": "main"}
    collections = {c["name"]: c for c in document["collections"]}
    assert list(collections) == ["news", "events", "magazine", "pages"]
    news = {f["name"]: f for f in collections["news"]["fields"]}
    assert news["title"]["label"] == "Titel" and news["title"]["required"] is True
    assert news["date"]["widget"] == "datetime" and news["date"]["format"] == "YYYY-MM-DD HH:mm"
    assert news["tags"]["widget"] == "select" and "Migration" in news["tags"]["options"]
    assert news["region"]["options"] == ["Chemnitz", "Dresden", "Leipzig"]
    assert news["category"]["options"] == ["Nachricht", "Pressemitteilung"]
    assert news["image"]["widget"] == "image" and news["draft"]["widget"] == "boolean"
    assert news["image_alt"]["hint"].startswith("Was auf dem Bild")
    events = {f["name"]: f for f in collections["events"]["fields"]}
    assert events["start"]["required"] is True
    assert [f["name"] for f in events["location"]["fields"]] == ["name", "address", "online", "url"]
    assert collections["events"]["slug"].startswith("{{fields.start | date('YYYY-MM-DD')}}")
    assert collections["news"]["path"] == "{{slug}}/index"  # a folder per item, for its photos
    assert collections["news"]["media_folder"] == ""


def test_config_yml_speaks_english_for_an_english_site(tmp_path: Path) -> None:
    config = site_config(tmp_path)
    english = type(config)(**{**config.__dict__, "language": "en"})
    document = yaml.safe_load(config_yml(english))
    news = {f["name"]: f for f in document["collections"][0]["fields"]}
    assert document["locale"] == "en" and news["title"]["label"] == "Title"


def _labels(document: dict[str, Any]) -> set[str]:
    """Every label and hint of config.yml, the collections' names and nested fields too."""
    found: set[str] = set()

    def visit(value: object) -> None:
        if isinstance(value, dict):
            found.update(
                str(value[key]) for key in ("label", "label_singular", "hint") if key in value
            )
            for inner in value.values():
                visit(inner)
        elif isinstance(value, list):
            if value and value[0] == SLUG_PATTERN:  # the slug's pattern and what it asks for
                found.add(str(value[1]))
            for inner in value:
                visit(inner)

    visit(document)
    return found


def test_every_word_of_the_editor_comes_from_the_message_catalog(tmp_path: Path) -> None:
    """The schema's labels and hints and the editor's own words are English source strings in
    the catalog, said in German for a German site and as written for an English one."""
    words = {field.label for field in FIELDS} | {field.hint for field in FIELDS if field.hint}
    words |= {word for pair in COLLECTIONS.values() for word in pair} | set(WORDS.values())
    with TEMPLATE.open("rb") as template:
        assert words <= {message.id for message in read_po(template)}
    config = site_config(tmp_path)
    english = type(config)(**{**config.__dict__, "language": "en"})
    german = catalog("de").gettext
    assert _labels(yaml.safe_load(config_yml(english, terms=Terms()))) == words
    assert _labels(yaml.safe_load(config_yml(config, terms=Terms()))) == {german(w) for w in words}


def test_a_key_added_to_the_schema_appears_in_the_editor(tmp_path: Path) -> None:
    config = site_config(tmp_path)
    audience = Field(
        "audience", "choice", frozenset({"event"}), "Audience",
        choices=("Fachkräfte", "Ehrenamtliche"),
    )  # fmt: skip
    document = yaml.safe_load(config_yml(config, terms=Terms(), fields=(*FIELDS, audience)))
    events = {f["name"]: f for f in document["collections"][1]["fields"]}
    assert events["audience"] == {
        "name": "audience",
        "label": "Audience",  # as written until the catalog has it in German
        "required": False,
        "widget": "select",
        "options": ["Fachkräfte", "Ehrenamtliche"],
    }
    news = {f["name"] for f in document["collections"][0]["fields"]}
    assert "audience" not in news
    # The event's status is in the table, so the editor offers it as a select already.
    assert events["status"]["options"] == ["abgesagt", "verschoben", "ausgebucht"]


def test_the_git_backend_config_and_the_ci_workflow(tmp_path: Path, run) -> None:
    config = site_config(tmp_path)
    backend = Backend("forgejo", "verband/portal", "main", "https://git.example.org", app_id="a1")
    document = yaml.safe_load(config_yml(config, backend))
    assert document["backend"] == {
        "name": "forgejo",
        "repo": "verband/portal",
        "branch": "main",
        "app_id": "a1",
        "base_url": "https://git.example.org",
        "api_root": "https://git.example.org/api/v1",
    }
    assert document["publish_mode"] == "editorial_workflow"  # draft, in review, ready
    gitea = yaml.safe_load(config_yml(config, Backend("gitea", "verband/portal")))
    assert "publish_mode" not in gitea  # Decap's gitea backend has no review step
    site = config.root
    admin = tmp_path / "admin"
    made = run("admin", "--root", site, "--repo", "verband/portal", "--app-id", "a1",
               "--base-url", "https://git.example.org", "--out", admin)  # fmt: skip
    assert made.code == 0, made.err
    written = yaml.safe_load((admin / "config.yml").read_text(encoding="utf-8"))
    assert written == {**document, "site_url": config.base_url}
    assert (admin / "index.html").is_file() and (admin / "decap-cms" / "LICENSE").is_file()
    workflow = yaml.safe_load((REPO / "deploy/forgejo-actions.yml").read_text(encoding="utf-8"))
    steps = [step.get("run", "") for step in workflow["jobs"]["build"]["steps"]]
    assert any("litfass build" in step or "build.py" in step for step in steps)
    assert "schedule" in workflow[True] or "schedule" in workflow.get("on", {})


def test_the_admin_command_refuses_a_git_backend_without_repository(tmp_path: Path, run) -> None:
    site = site_config(tmp_path).root
    made = run("admin", "--root", site, "--backend", "gitea")
    assert made.code == 1
    assert "--repo: error: the repository is needed as owner/name" in made.err
    shutil.rmtree(site)


def terms_offered(document: dict) -> tuple[list[str], list[str]]:
    news = {f["name"]: f for f in document["collections"][0]["fields"]}
    return news["tags"].get("options", []), news["region"].get("options", [])


def test_the_live_editor_offers_only_terms_of_public_items(
    fixture_site: Path, served: LiveSite, run
) -> None:
    """On a site without fixed lists, output/admin/config.yml (public) names no topic or
    region that only a draft or a scheduled item uses (issue 22, point 8); the preview's
    own editor, on this computer, offers them to whoever edits the draft."""
    news = fixture_site / "content/news"
    (news / "2026-11-01-kita/index.md").parent.mkdir()
    (news / "2026-11-01-kita/index.md").write_text(
        "---\ntitle: Kita\ndate: 2026-11-01\ndraft: true\ntags: [Schließung Kita Nord]\n"
        "region: Quokkadorf\n---\nIntern.\n",
        encoding="utf-8",
    )
    (news / "2030-02-01-fusion.md").write_text(
        "---\ntitle: Fusion\ndate: 2030-02-01\ntags: [Fusion Sperrfrist]\nregion: Quokkastadt\n"
        "---\nAb Februar.\n",
        encoding="utf-8",
    )
    made = run("admin", "--root", fixture_site, "--repo", "verband/portal")  # as of now
    assert made.code == 0, made.err
    published = (fixture_site / "output/admin/config.yml").read_text(encoding="utf-8")
    topics, regions = terms_offered(yaml.safe_load(published))
    assert topics == ["Ehrenamt", "Pflege", "Wohnen"]
    assert regions == ["Görlitz", "Leipzig"]
    for secret in ("Schließung", "Sperrfrist", "Quokka"):
        assert secret not in published
    status, local = served.get("/admin/config.yml")
    assert status == 200
    topics, regions = terms_offered(yaml.safe_load(local))
    assert "Schließung Kita Nord" in topics and "Fusion Sperrfrist" in topics
    assert "Quokkadorf" in regions


# Renames and deletes through the endpoint (issue 22, points 9 and 11).


def everything(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder below `folder` (folders as None): empty folders count too.
    What the preview's rebuilds write (output/, its cache and spare copy) is not the editor's
    doing."""
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        top = rel.split("/")[0]
        if top != "output" and not top.startswith(".litfass-"):  # the cache, the spare copy
            found[rel] = None if path.is_dir() else path.read_bytes()
    return found


def item(site: Path, name: str, title: str, photo: bool = True) -> Path:
    """A news item in a folder of its own, with its photo beside it."""
    folder = site / "content/news" / name
    folder.mkdir()
    (folder / "index.md").write_text(
        f"---\ntitle: {title}\ndate: 2026-11-01\n" + ("image: foto.png\n" if photo else "")
        + "---\nText.\n", encoding="utf-8"
    )  # fmt: skip
    if photo:
        (folder / "foto.png").write_bytes(png())
    return folder


def rename(
    old: str, new: str, raw: str = "---\ntitle: Neu\ndate: 2026-11-01\n---\nT.\n", assets=()
):
    entry = {"path": old, "newPath": new, "raw": raw}
    params = {"dataFiles": [entry], "assets": list(assets), "options": {}}
    return {"action": "persistEntry", "params": params}


def test_a_rename_gets_every_check_a_path_gets(served: LiveSite, fixture_site: Path) -> None:
    """A rename's `newPath` is checked as `path` is: a Markdown file, below content/."""
    item(fixture_site, "a", "A")
    before = everything(fixture_site)
    raw = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    for new_path in (
        "content/news/evil.svg",
        "content/news/evil.html",
        "content/news/a/index.html",
        "../evil.md",
        "content/../evil.md",
        "output/evil.md",
        "content/news/../../evil.md",
        "config.yaml",
    ):
        status, answer = post(served, rename("content/news/a/index.md", new_path, raw))
        assert status in (400, 403), (new_path, answer)
        assert everything(fixture_site) == before, new_path  # nothing written, nothing moved
    assert not (fixture_site / "output/evil.md").exists()
    assert not (fixture_site.parent / "evil.md").exists()


def test_a_rename_onto_an_existing_item_is_refused_in_german(fixture_site: Path) -> None:
    item(fixture_site, "a", "A")
    item(fixture_site, "b", "B", photo=False)
    (fixture_site / "content/news/flach.md").write_text("---\ntitle: F\n---\n", encoding="utf-8")
    live = LiveSite(fixture_site, "serve", language="de").ready()
    try:
        before = everything(fixture_site / "content")
        for old, new in (
            ("content/news/a/index.md", "content/news/b/index.md"),  # onto another folder
            ("content/news/2020-01-10-neujahr.md", "content/news/flach.md"),  # onto a file
        ):
            status, answer = post(live, rename(old, new))
            assert status == 409, answer
            assert "existiert schon" in answer["error"], answer
        # A new item may not take an existing item's file either.
        entry = {"path": "content/news/b/index.md", "raw": "---\ntitle: X\n---\n"}
        params = {"dataFiles": [entry], "assets": [], "options": {"newEntry": True}}
        status, answer = post(live, {"action": "persistEntry", "params": params})
        assert status == 409 and "existiert schon" in answer["error"]
        assert everything(fixture_site / "content") == before  # not a byte, not a folder
    finally:
        assert live.stop() == 0, live.rest()


def test_a_rename_is_whole_or_nothing(served: LiveSite, fixture_site: Path) -> None:
    item(fixture_site, "a", "A")
    before = everything(fixture_site / "content")
    bad = asset("content/news/c/bild.png", b"not an image")
    status, _ = post(
        served, rename("content/news/a/index.md", "content/news/c/index.md", assets=[bad])
    )
    assert status == 422
    assert everything(fixture_site / "content") == before  # no folder c, a untouched

    raw = "---\ntitle: Umbenannt\ndate: 2026-11-01\nimage: foto.png\n---\nNeu.\n"
    good = asset("content/news/c/plan.pdf", b"%PDF-1.4")
    status, answer = post(
        served, rename("content/news/a/index.md", "content/news/c/index.md", raw, [good])
    )
    assert status == 200, answer
    moved = fixture_site / "content/news/c"
    assert not (fixture_site / "content/news/a").exists()
    assert sorted(p.name for p in moved.iterdir()) == ["foto.png", "index.md", "plan.pdf"]
    assert (moved / "index.md").read_text(encoding="utf-8") == raw
    assert (moved / "foto.png").read_bytes() == png()  # the photo followed its item

    status, answer = post(
        served, rename("content/news/2020-01-10-neujahr.md", "content/news/2020-01-10-jahr.md")
    )
    assert status == 200, answer
    assert not (fixture_site / "content/news/2020-01-10-neujahr.md").exists()
    assert (
        (fixture_site / "content/news/2020-01-10-jahr.md")
        .read_text(encoding="utf-8")
        .startswith("---\ntitle: Neu")
    )


def until_served(served: LiveSite, path: str) -> None:
    """Wait until the preview answers `path` with 200 (a condition, never a fixed time)."""
    deadline = time.monotonic() + WAIT / 1000
    while served.get(path)[0] != 200:
        assert time.monotonic() < deadline, f"{path} was never served"
        time.sleep(0.05)


def test_deleting_a_folder_item_removes_its_folder_whole(
    served: LiveSite, fixture_site: Path
) -> None:
    folder = item(fixture_site, "mit-foto", "Mit Foto")
    (folder / "plan.pdf").write_bytes(b"%PDF-1.4")
    served.line(lambda text: "mit-foto" in text and "rebuilt" in text)  # not mid-rebuild
    status, _ = post(
        served, {"action": "deleteFile", "params": {"path": "content/news/mit-foto/index.md"}}
    )
    assert status == 200
    assert not folder.exists()  # the photo too: withdrawn consent means the photo goes
    assert not [p for p in (fixture_site / "content/news").iterdir() if p.name.startswith(".")]
    second = item(fixture_site, "zwei", "Zwei")
    # Its page served: a rebuild line names only its first three paths, and this item's may
    # share a burst with the deletion above.
    until_served(served, "/aktuelles/zwei/")
    paths = ["content/news/zwei/index.md", "content/news/zwei/foto.png"]
    assert post(served, {"action": "deleteFiles", "params": {"paths": paths}})[0] == 200
    assert not second.exists()
    # A flat item's neighbours are other items' files: only the item's own file goes.
    (fixture_site / "content/news/bild.png").write_bytes(png())
    flat = {"path": "content/news/2020-01-10-neujahr.md"}
    assert post(served, {"action": "deleteFile", "params": flat})[0] == 200
    assert (fixture_site / "content/news/bild.png").exists()


def test_the_editor_may_not_be_framed(served: LiveSite) -> None:
    for path in ("/admin/", "/admin/config.yml"):
        connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        connection.close()
        assert response.status == 200
        assert response.getheader("Content-Security-Policy") == "frame-ancestors 'none'"
        assert response.getheader("X-Frame-Options") == "DENY"
    raw = served.raw(
        f"POST {API} HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\n"
        f"Origin: http://127.0.0.1:{served.port}\r\nContent-Type: application/json\r\n"
        'Content-Length: 36\r\n\r\n{"action": "info", "params": {}}    '.encode()
    )
    head = raw.split(b"\r\n\r\n")[0]
    assert head.startswith(b"HTTP/1.0 200")
    assert b"Content-Security-Policy: frame-ancestors 'none'" in head
    assert b"X-Frame-Options: DENY" in head


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Origin": "http://evil.example"}, b"403"),
        ({"Content-Type": "text/plain"}, b"415"),
        ({"Content-Length": str(900 * 1024 * 1024)}, b"413"),  # larger than any photo
    ],
)
def test_a_refused_request_is_answered_before_its_body_is_read(
    served: LiveSite, headers: dict[str, str], status: bytes
) -> None:
    """Only the headers are sent: the answer must come without the body (60 MB announced,
    within the size allowed: only the other headers can refuse it)."""
    host = f"127.0.0.1:{served.port}"
    sent = {
        "Host": host,
        "Origin": f"http://{host}",
        "Content-Type": "application/json",
        "Content-Length": str(60 * 1024 * 1024),
        **headers,
    }
    head = f"POST {API} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in sent.items())
    with socket.create_connection(("127.0.0.1", served.port), timeout=60) as connection:
        connection.sendall(head.encode() + b"\r\n")
        answer = b""
        while b"\r\n" not in answer and (chunk := connection.recv(4096)):
            answer += chunk
    assert answer.startswith(b"HTTP/1.0 " + status), answer


# The editor's small snags (issue 24, point 10).


def test_an_upload_gets_the_name_new_would_give_it(
    admin: tuple[Page, set[str]], served: LiveSite, fixture_site: Path, tmp_path: Path, run
) -> None:
    """One slug rule: "Pressefoto_Übergabe.jpg" is pressefoto-uebergabe.jpg in the browser
    editor as with `new --image`, in the folder and in the front matter, saved twice."""
    page, _ = admin
    photo = tmp_path / "Pressefoto_Übergabe.jpg"
    Image.new("RGB", (1600, 1000), (200, 80, 40)).save(photo, quality=85)
    page.goto(f"http://127.0.0.1:{served.port}/admin/#/collections/news/new")
    page.get_by_label("Titel").fill("Übergabe der Spende")
    page.get_by_label("Datum").fill("2026-11-20T10:00")
    page.get_by_role("button", name="Wähle ein Bild").click()
    page.locator("input[type=file]").set_input_files(photo)
    page.get_by_role("button", name="Ausgewähltes Element verwenden").click()
    page.get_by_label("Alternativtext").fill("Die Übergabe")
    page.get_by_label("Entwurf").click()
    page.locator("[data-slate-editor]").click()
    page.keyboard.type("Text.")
    folder = fixture_site / "content/news/2026-11-20-uebergabe-der-spende"
    publish(page, served, folder.relative_to(fixture_site).as_posix())
    assert sorted(p.name for p in folder.iterdir()) == ["index.md", "pressefoto-uebergabe.jpg"]
    assert front_matter(folder / "index.md")[0]["image"] == "pressefoto-uebergabe.jpg"

    page.get_by_label("Titel").fill("Übergabe der Spende an die Tafel")  # saved again
    publish(page, served, folder.relative_to(fixture_site).as_posix())
    meta, _ = front_matter(folder / "index.md")
    assert meta["title"].endswith("an die Tafel") and meta["image"] == "pressefoto-uebergabe.jpg"
    assert not [line for line in served.printed if "not found" in line]

    made = run("new", "news", "Übergabe", "--image", photo, "--root", fixture_site, "--now", NOW)
    assert made.code == 0, made.err
    assert front_matter(Path(made.out.strip()))[0]["image"] == "pressefoto-uebergabe.jpg"


def test_the_editor_writes_a_z_and_capitals_as_meant(
    admin: tuple[Page, set[str]], served: LiveSite
) -> None:
    """The slug rule says a-z (Decap shows errors in capitals: it said "A-Z"), and a list's
    label keeps its capitals ("Frühere Adressen", Decap wrote "frühere adressen")."""
    page, _ = admin
    page.goto(f"http://127.0.0.1:{served.port}/admin/#/collections/news/new")
    page.get_by_label("Titel").fill("Fachtag")
    page.get_by_label("Adresse (Kurzname) (optional)").fill("Fachtag_Groß")
    page.get_by_role("button", name="Veröffentlichen").click()
    page.get_by_role("menuitem", name="Jetzt veröffentlichen").click()
    error = page.locator("[class*='-ControlErrorsList']").filter(has_text="Kurzname")
    expect(error).to_be_visible()
    shown = error.inner_text()  # as rendered: CSS capitals included
    assert "a-z" in shown and "A-Z" not in shown, shown
    aliases = page.locator("[class*='-ControlContainer']").filter(
        has=page.get_by_text("Frühere Adressen (optional)", exact=True)
    )
    bar = aliases.locator("[class*='-TopBarContainer']").first
    expect(bar).to_contain_text("0 Frühere Adressen")
    bar.get_by_role("button", name="Frühere Adressen hinzufügen").click()
    expect(bar).to_contain_text("1 Frühere Adressen")
    assert "frühere adressen" not in bar.inner_text()


def test_a_save_with_a_large_photo_raises_no_false_alarm(
    served: LiveSite, fixture_site: Path
) -> None:
    """Issue 24, point 8: saving an item with a large photo warned "file 'grosses-foto.jpg'
    not found" while the photo was still being written. The item's folder appears whole."""
    buffer = io.BytesIO()
    Image.effect_noise((4000, 3000), 64).convert("RGB").save(buffer, "JPEG", quality=95)
    raw = (
        "---\ntitle: Spende\ndate: 2026-11-02\nimage: grosses-foto.jpg\n"
        "image_alt: Eine Übergabe\n---\nText.\n"
    )
    folder = "content/news/2026-11-02-spende"
    entry = {"path": f"{folder}/index.md", "raw": raw}
    photo = asset(f"{folder}/grosses-foto.jpg", buffer.getvalue())
    params = {"dataFiles": [entry], "assets": [photo], "options": {"newEntry": True}}
    assert post(served, {"action": "persistEntry", "params": params})[0] == 200
    done = served.line(lambda text: folder in text and "rebuilt" in text)
    assert " rebuilt in " in done
    # The first rebuild that saw the folder saw it whole: page and photo, nothing missing.
    status, page = served.get("/aktuelles/spende/")
    assert status == 200 and "grosses-foto" in page
    # Only the true warning: a photo this large is published at full size too (issue 24, 9).
    said = [line for line in served.printed if "warning: large photo" not in line]
    assert not [line for line in said if "not found" in line or "warning" in line], said


# A site in several languages: one form, a tab per language, a file per language (issue 26).

FACHTAG = "content/news/2026-11-01-fachtag"


def in_languages(site: Path, languages: str = "[de, en]") -> Path:
    """`site` published in `languages`, with a news item in a folder of its own, in German."""
    with (site / "config.yaml").open("a", encoding="utf-8") as config:
        config.write(f"languages: {languages}\n")
    (site / FACHTAG).mkdir()
    (site / FACHTAG / "index.md").write_text(
        "---\ntitle: Fachtag Pflege\ndate: 2026-11-01\ntags: [Pflege]\n---\nText auf Deutsch.\n",
        encoding="utf-8",
    )
    return site


def test_a_translation_is_written_in_the_english_tab(chromium: Browser, fixture_site: Path) -> None:
    site = in_languages(fixture_site)
    original = (site / FACHTAG / "index.md").read_bytes()
    flat = (
        site / "content/news/2019-11-04-fachtag-in-goerlitz.en.md"
    )  # beside a file, not in a folder
    flat.write_text("---\ntitle: Conference in Görlitz\n---\nIn English.\n", encoding="utf-8")
    live = LiveSite(site, "serve").ready()
    context = patient_context(chromium)
    try:
        page = context.new_page()
        base = f"http://127.0.0.1:{live.port}/admin/#/collections/news"
        page.goto(base)
        page.get_by_role("button", name="Anmelden", exact=True).click()
        expect(page.get_by_role("link", name="Fachtag Pflege")).to_be_visible()
        # An item with its translation is one entry, which opens with both languages.
        expect(
            page.get_by_role("link", name="Fachtag in Görlitz: Straßen für alle")
        ).to_be_visible()
        expect(page.get_by_role("link", name="Conference in Görlitz")).to_have_count(0)
        page.goto(f"{base}/entries/2019-11-04-fachtag-in-goerlitz")
        expect(page.get_by_label("Titel").nth(1)).to_have_value("Conference in Görlitz")
        page.goto(base)  # back to the list: from one entry's form Decap keeps the form
        expect(page.get_by_role("link", name="Fachtag Pflege")).to_be_visible()
        page.goto(f"{base}/entries/2026-11-01-fachtag/index")
        german, english = page.get_by_label("Titel").first, page.get_by_label("Titel").nth(1)
        expect(german).to_have_value("Fachtag Pflege")
        expect(page.get_by_role("button", name="Aktuelle Sprache: EN")).to_be_visible()
        expect(page.get_by_label("Datum", exact=True).first).to_be_visible()
        expect(page.get_by_label("Datum", exact=True).nth(1)).to_be_hidden()  # the original's alone
        english.fill("Care conference")
        page.get_by_label("Zusammenfassung").nth(1).fill("Carers meet in Leipzig.")
        page.locator("[data-slate-editor]").nth(1).click()
        page.keyboard.type("Text in English.")
        save(page)
        translation = site / FACHTAG / "index.en.md"
        assert front_matter(translation) == (
            {"title": "Care conference", "summary": "Carers meet in Leipzig."},
            "Text in English.\n",
        )
        assert (site / FACHTAG / "index.md").read_bytes() == original  # not written again

        # A change to the original alone leaves the translation's file as it was, so its
        # time still says when it was translated (`check`: a translation older than its original).
        written = translation.read_bytes(), translation.stat().st_mtime_ns
        german.fill("Fachtag Pflege und Teilhabe")
        save(page)
        assert (
            front_matter(site / FACHTAG / "index.md")[0]["title"] == "Fachtag Pflege und Teilhabe"
        )
        assert (translation.read_bytes(), translation.stat().st_mtime_ns) == written
    finally:
        context.close()
        assert live.stop() == 0, live.rest()
    assert "Traceback" not in "\n".join(live.rest())


def save(page: Page) -> None:
    """Save the open item, and wait until the editor says it is saved."""
    page.get_by_role("button", name="Veröffentlichen").click()
    page.get_by_role("menuitem", name="Jetzt veröffentlichen").click()
    expect(page.get_by_role("button", name="Veröffentlicht", exact=True)).to_be_visible()


def test_config_yml_has_a_tab_per_language_for_the_words(fixture_site: Path) -> None:
    config = load_config(
        in_languages(fixture_site, "[de, en, {language: ar, prefix: /arabisch/}]")
    )[0]
    document = yaml.safe_load(config_yml(config))
    assert document["i18n"] == {
        "structure": "multiple_files", "locales": ["de", "en", "ar"], "default_locale": "de"
    }  # fmt: skip
    for collection in document["collections"]:
        assert collection["i18n"] is True
        translated = {f["name"] for f in collection["fields"] if f.get("i18n") is True}
        assert {"title", "summary", "body", "image_alt", "draft"} <= translated
        assert not translated & {"date", "start", "location", "tags", "region", "image", "slug"}
    # A git host's editor cannot map index.md to index.de.md: it stays with the main language.
    assert "i18n" not in config_yml(config, Backend("gitea", "verband/portal"))


def test_config_yml_of_a_site_in_one_language_has_no_tabs(fixture_site: Path) -> None:
    text = config_yml(load_config(fixture_site)[0])
    assert "i18n" not in text
    assert text == config_yml(load_config(fixture_site)[0], Backend())


def test_the_endpoint_names_the_original_as_decap_does(fixture_site: Path) -> None:
    """Decap names the main language's file `index.de.md`; on disk it is `index.md`."""
    site = in_languages(fixture_site)
    (site / FACHTAG / "index.en.md").write_text("---\ntitle: Care\n---\nT.\n", encoding="utf-8")
    (site / FACHTAG / "foto.png").write_bytes(png())
    live = LiveSite(site, "serve").ready()
    try:
        request = {"folder": "content/news", "extension": "md", "depth": 2}
        status, entries = post(live, {"action": "entriesByFolder", "params": request})
        names = {e["file"]["path"] for e in entries}
        assert {f"{FACHTAG}/index.de.md", f"{FACHTAG}/index.en.md"} <= names
        assert f"{FACHTAG}/index.md" not in names
        status, entry = post(
            live, {"action": "getEntry", "params": {"path": f"{FACHTAG}/index.de.md"}}
        )
        assert entry["data"] == (site / FACHTAG / "index.md").read_text(encoding="utf-8")

        # A language's tab never written in (a default's `draft: true` alone) makes no file.
        files = [
            {"path": "content/news/neu/index.de.md", "raw": "---\ntitle: Neu\ndate: 2026-11-02\n---\nT.\n"},
            {"path": "content/news/neu/index.en.md", "raw": "---\ndraft: true\n---\n"},
        ]  # fmt: skip
        params = {"dataFiles": files, "assets": [], "options": {"newEntry": True}}
        assert post(live, {"action": "persistEntry", "params": params})[0] == 200
        assert sorted(p.name for p in (site / "content/news/neu").iterdir()) == ["index.md"]

        # A rename moves the item's folder once, with every language's file and the photo.
        moved = "content/news/2026-11-01-pflegetag"
        files = [
            {"path": f"{FACHTAG}/index.{tag}.md", "newPath": f"{moved}/index.{tag}.md", "raw": raw}
            for tag, raw in (("de", "---\ntitle: Pflegetag\n---\nT.\n"), ("en", "---\ntitle: Care\n---\nT.\n"))
        ]  # fmt: skip
        status, answer = post(live, {"action": "persistEntry", "params": {"dataFiles": files}})
        assert status == 200, answer
        assert not (site / FACHTAG).exists()
        assert sorted(p.name for p in (site / moved).iterdir()) == [
            "foto.png",
            "index.en.md",
            "index.md",
        ]

        # Deleting the item deletes its folder whole, translations and photo included.
        paths = [f"{moved}/index.de.md", f"{moved}/index.en.md"]
        assert post(live, {"action": "deleteFiles", "params": {"paths": paths}})[0] == 200
        assert not (site / moved).exists()
        # The checks of every path hold for the main language's name too.
        status, _answer = post(
            live, {"action": "getEntry", "params": {"path": "content/../config.de.md"}}
        )
        assert status == 400
    finally:
        assert live.stop() == 0, live.rest()


def test_a_save_compares_front_matter_it_cannot_read_as_changed(fixture_site: Path) -> None:
    """A file whose date YAML cannot read (30 February) is saved as sent, not refused."""
    from litfass.preview.cms import Protocol

    path = fixture_site / "content/news/februar.md"
    raw = "---\ntitle: Februar\ndate: 2026-02-30\n---\nT.\n"
    path.write_text(raw.replace("T.", "Alt."), encoding="utf-8")
    entry = {"path": "content/news/februar.md", "raw": raw}
    protocol = Protocol(load_config(fixture_site)[0])
    protocol.run({"action": "persistEntry", "params": {"dataFiles": [entry]}})
    assert path.read_text(encoding="utf-8") == raw
