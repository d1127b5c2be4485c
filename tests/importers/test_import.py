"""`import wordpress` and `import feed` (issue: moving in): real exports into a real site.

The WordPress fixture (tests/fixtures/import/wordpress.xml) is an export as WordPress 6 writes
it: block-editor and classic posts, pages with parents, every status, featured images,
captions, galleries, shortcodes, scripts and frames; `uploads/` is its wp-content/uploads with
one image left out on purpose.
"""

from __future__ import annotations

import http.server
import io
import os
import shutil
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar
from urllib.parse import quote

import lxml.html
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from livesite import LiveSite
from playwright.sync_api import Browser, expect
from test_nginx import nginx_serving

from conftest import FIXTURE, NOW, REPO, TESTS, build, copy_site, invoke, snapshot
from litfass.commands.common import progress_printer
from litfass.content.markup import render_markdown
from litfass.importers.html import OldSite, to_markdown

IMPORTS = TESTS / "fixtures" / "import"
EXPORT = IMPORTS / "wordpress.xml"
UPLOADS = IMPORTS / "uploads"
FEEDS = IMPORTS / "feeds"
OLD = "https://alt.paritaet-beispiel.de"
NEWS = "content/news"
LEAD = f"{NEWS}/2019-11-04-soziale-traeger/index.md"
CLASSIC = f"{NEWS}/2019-12-01-gruesse-aus-goerlitz/index.md"


@dataclass(frozen=True)
class Imported:
    site: Path
    code: int
    out: str
    err: str


def import_into(site: Path, *args: str | Path) -> Imported:
    done = invoke("import", *args, "--root", site, "--now", NOW)
    return Imported(site, done.code, done.out, done.err)


def front(site: Path, rel: str) -> tuple[dict, str]:
    """The front matter and the body of a written file."""
    text = (site / rel).read_text(encoding="utf-8")
    _, meta, body = text.split("---\n", 2)
    return yaml.safe_load(meta), body


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    """The fixture site with the WordPress export imported, files from uploads/."""
    site = copy_site(FIXTURE, tmp_path_factory.mktemp("import") / "site")
    return import_into(site, "wordpress", EXPORT, "--uploads", UPLOADS)


def test_posts_become_news_with_their_terms_summary_contact_and_featured_image(
    imported: Imported,
) -> None:
    # One image is left out of uploads/ on purpose: not everything came over, and the exit
    # code says so.
    assert imported.code == 1, imported.out + imported.err
    assert "files copied: 3, files missing: 1" in imported.err
    meta, _ = front(imported.site, LEAD)
    assert meta["title"] == "Soziale Träger als Partner der Wohnungswirtschaft"
    assert meta["date"] == "2019-11-04 10:00"
    assert meta["category"] == "Pressemitteilung"
    assert meta["tags"] == ["Wohnen", "Eingliederungshilfe"]
    assert meta["summary"] == "Die Regionalgeschäftsstelle Leipzig lädt zum Fachtag ein."
    assert meta["contact"] == {"name": "Anna Beispiel"}
    assert (meta["image"], meta["image_alt"]) == (
        "fachtag.jpg",
        "Teilnehmende des Fachtags im Volkshaus",
    )
    assert "draft" not in meta
    # An account name is nobody to contact; a second category becomes a topic.
    meta, _ = front(imported.site, CLASSIC)
    assert "contact" not in meta
    assert meta["category"] == "Aus den Regionen"


def test_block_editor_html_becomes_clean_markdown(imported: Imported) -> None:
    _, body = front(imported.site, LEAD)
    assert "<!--" not in body and "wp:" not in body and "<" not in body.replace("<https", "")
    assert "## Programm" in body
    assert "- Vorträge am Vormittag\n- Workshops am Nachmittag" in body
    assert "| Zeit | Thema |\n| --- | --- |\n| 9 Uhr | Begrüßung |" in body
    # A resized copy in the text becomes the full-size file, the same as the featured image.
    assert (
        "![Teilnehmende des Fachtags im Volkshaus](fachtag.jpg)\n\nDer Fachtag im Volkshaus."
        in body
    )
    assert "<https://www.youtube.com/watch?v=dQw4w9WgXcQ>" in body  # the embed, as a link
    assert "[Einladung als PDF](einladung.pdf)" in body
    # A reusable block, written once and used in many posts, in place.
    assert (
        "<https://www.youtube.com/watch?v=dQw4w9WgXcQ>\n\nDer Paritätische steht für Vielfalt"
        in body
    )
    assert "[Fachtag](/termine/fachtag/)" in body  # a link into the old site, as a path


def test_classic_posts_shortcodes_scripts_and_frames(imported: Imported) -> None:
    _, body = front(imported.site, CLASSIC)
    assert body.startswith("Zum Straßenfest kamen über 300 Gäste.  \nEs gab Musik und Kuchen.")
    caption = "![Das neue Haus der Begegnung von außen](haus.jpg)\n\nDas neue Haus der Begegnung"
    assert caption in body
    gallery = body.split("### Bilder vom Fest", 1)[1]
    assert "![Das neue Haus der Begegnung von außen](haus.jpg)" in gallery
    assert "![Der Garten mit Hochbeeten](garten.jpg)" in gallery
    assert "alert" not in body and "script" not in body
    assert "<https://www.google.com/maps/embed?pb=abc>" in body  # the iframe, as a link
    assert "<https://vimeo.com/123456>" in body  # a URL alone on a line (oEmbed)
    assert '\\[contact-form-7 id="5" title="Newsletter"\\]' in body  # kept as text …
    report = imported.out.split(f"{CLASSIC}: was ", 1)[1].split("\ncontent/", 1)[0]
    assert report.startswith(f"{OLD}/2019/12/01/gr%c3%bc%c3%9fe-aus-g%c3%b6rlitz/\n")
    assert (
        'shortcode left as text: [contact-form-7 id="5" title="Newsletter"]' in report
    )  # … and reported


def test_links_between_imported_items_point_at_their_files(imported: Imported) -> None:
    _, body = front(imported.site, CLASSIC)
    assert "[Fachtag im November](../2019-11-04-soziale-traeger/index.md)" in body
    assert "[Verband](../../pages/ueber-uns-2.md)" in body  # also by its short form /?page_id=30
    _, team = front(imported.site, "content/pages/ueber-uns-2/team.md")
    assert "[Geschichte](team/geschichte.md)" in team  # further down the export
    assert "[Leipzig](/kontakt/)" in team  # not imported: left for `check` to report
    assert "links between imported items: 3" in imported.err


def test_non_ascii_slugs_are_transliterated_and_the_old_address_decoded(
    imported: Imported,
) -> None:
    meta, _ = front(imported.site, CLASSIC)
    assert meta["title"] == "Grüße aus Görlitz: Straßenfest & Begegnung"
    assert "/2019/12/01/grüße-aus-görlitz/" in meta["aliases"]


def test_drafts_pending_and_private_posts_are_drafts_scheduled_ones_dated_ahead(
    imported: Imported,
) -> None:
    for rel in (
        "2020-01-10-kaeltehilfe-entwurf.md",
        "2020-01-11-wartet-auf-freigabe.md",
        "2020-01-12-nur-fuer-den-vorstand.md",
    ):
        assert front(imported.site, f"{NEWS}/{rel}")[0]["draft"] is True, rel
    scheduled, _ = front(imported.site, f"{NEWS}/2031-01-15-neujahrsempfang-2031.md")
    assert scheduled["date"] == "2031-01-15 18:00" and "draft" not in scheduled
    assert "drafts: 3, scheduled: 1" in imported.err


def test_pages_keep_their_hierarchy_as_folders_and_their_menu_order(imported: Imported) -> None:
    # The fixture site has a page /ueber-uns/ of its own: the import's takes the next free
    # name, and its children go into its folder.
    pages = imported.site / "content/pages"
    assert (pages / "ueber-uns-2.md").is_file()
    assert (pages / "ueber-uns-2/team.md").is_file()
    assert (pages / "ueber-uns-2/team/geschichte.md").is_file()
    assert front(imported.site, "content/pages/ueber-uns-2.md")[0]["menu"] == 2
    assert "menu" not in front(imported.site, "content/pages/ueber-uns-2/team.md")[0]
    nav_items = [p for p in pages.rglob("*.md") if "startseite" in p.name]
    assert nav_items == [] and "not imported: 1 × nav_menu_item" in imported.err


def test_files_come_from_uploads_and_a_missing_one_is_reported(imported: Imported) -> None:
    lead = imported.site / LEAD
    assert (lead.parent / "fachtag.jpg").read_bytes() == (
        UPLOADS / "2019/11/fachtag.jpg"
    ).read_bytes()
    assert (lead.parent / "einladung.pdf").is_file()
    classic = (imported.site / CLASSIC).parent
    assert (classic / "haus.jpg").is_file() and not (classic / "garten.jpg").exists()
    assert (
        f"file not found: {OLD}/wp-content/uploads/2019/12/garten.jpg; put it into "
        f"{CLASSIC.rsplit('/', 1)[0]}/ as garten.jpg"
    ) in imported.out
    assert "files copied: 3, files missing: 1" in imported.err


def test_every_old_address_becomes_an_alias(imported: Imported) -> None:
    meta, _ = front(imported.site, LEAD)
    assert meta["aliases"] == [
        "/2019/11/04/soziale-traeger/",
        "/?p=10",
        "/2019/11/04/soziale-traeger/fachtag/",  # attachment pages
        "/?attachment_id=20",
        "/2019/11/04/soziale-traeger/einladung/",
        "/?attachment_id=23",
    ]
    # An old address that a page of the site has now is left to that page.
    assert front(imported.site, "content/pages/ueber-uns-2.md")[0]["aliases"] == [
        "/?page_id=30",  # the guid
        "/?p=30",
    ]
    assert front(imported.site, "content/pages/ueber-uns-2/team.md")[0]["aliases"] == [
        "/ueber-uns/team/",
        "/?page_id=31",
        "/?p=31",
    ]


def test_the_imported_site_checks_clean_but_for_the_reported_items(imported: Imported) -> None:
    checked = invoke("check", "--root", imported.site, "--now", NOW)
    findings = [line for line in checked.out.splitlines() if ": note: " not in line]
    assert checked.code == 0, checked.out
    reported = {
        line.split(": was ", 1)[0] for line in imported.out.splitlines() if ": was " in line
    }
    assert len(findings) == 4
    assert {line.split(":", 1)[0] for line in findings} <= reported, findings
    for line in findings:  # each with its reason, under the item's old address
        _path, number, _severity, message = line.split(":", 3)
        assert f"  line {number}: warning:{message}" in imported.out


@pytest.fixture(scope="module")
def imported_output(imported: Imported) -> Path:
    """The imported site built into its output/."""
    return build(imported.site, "--quiet").output


def test_the_imported_site_builds_with_drafts_and_scheduled_items_left_out(
    imported_output: Path,
) -> None:
    output = imported_output
    page = lxml.html.fromstring((output / "aktuelles/soziale-traeger/index.html").read_bytes())
    assert page.cssselect("h1")[0].text_content().strip().startswith("Soziale Träger")
    assert page.cssselect("table th")[0].text_content() == "Zeit"
    assert not (output / "aktuelles/kaeltehilfe-entwurf").exists()
    assert not (output / "aktuelles/neujahrsempfang-2031").exists()
    assert (output / "team/index.html").is_file() and (output / "geschichte/index.html").is_file()
    classic = lxml.html.fromstring(
        (output / "aktuelles/gruesse-aus-goerlitz/index.html").read_bytes()
    )
    hrefs = {a.text_content(): a.get("href") for a in classic.cssselect("main a")}
    assert hrefs["Fachtag im November"] == "/aktuelles/soziale-traeger/"
    assert hrefs["Verband"] == "/ueber-uns-2/"
    redirect = lxml.html.fromstring((output / "2019/11/04/soziale-traeger/index.html").read_bytes())
    assert (
        redirect.cssselect('link[rel="canonical"]')[0]
        .get("href")
        .endswith("/aktuelles/soziale-traeger/")
    )


def test_old_addresses_answer_301_in_nginx(imported_output: Path, tmp_path: Path) -> None:
    with nginx_serving(imported_output, tmp_path) as nginx:
        for old, new in [
            ("/2019/11/04/soziale-traeger/", "/aktuelles/soziale-traeger/"),
            ("/2019/11/04/soziale-traeger", "/aktuelles/soziale-traeger/"),
            ("/2019/11/04/soziale-traeger/fachtag/", "/aktuelles/soziale-traeger/"),
            (quote("/2019/12/01/grüße-aus-görlitz/"), "/aktuelles/gruesse-aus-goerlitz/"),
            ("/ueber-uns/team/", "/team/"),
            ("/?p=15", "/aktuelles/gruesse-aus-goerlitz/"),
            ("/?utm_source=zeitung&p=10", "/aktuelles/soziale-traeger/"),
            ("/?page_id=32", "/geschichte/"),
            ("/?attachment_id=21", "/aktuelles/gruesse-aus-goerlitz/"),
        ]:
            answer = nginx.get(old)
            assert (answer.status, answer.headers["Location"]) == (301, new), old
            assert nginx.get(new).status == 200, new
        # The home page is served as before, also with a query that names no old item.
        for home in ("/", "/?p=150", "/?p=1"):
            answer = nginx.get(home)
            assert answer.status == 200, home
            assert answer.body == (imported_output / "index.html").read_bytes()


def test_an_old_address_lands_on_the_new_page_in_the_preview(
    imported: Imported, chromium: Browser
) -> None:
    live = LiveSite(imported.site, "serve").ready()
    page = chromium.new_page()
    try:
        page.goto(f"http://127.0.0.1:{live.port}/2019/11/04/soziale-traeger/")
        page.wait_for_url(f"http://127.0.0.1:{live.port}/aktuelles/soziale-traeger/")
        expect(page.locator("h1")).to_contain_text("Soziale Träger als Partner")
    finally:
        page.close()
        assert live.stop() == 0, live.rest()


def test_a_second_run_adds_only_what_is_new(imported: Imported, tmp_path: Path) -> None:
    site = copy_site(imported.site, tmp_path / "again")
    before = snapshot(site / "content")
    again = import_into(site, "wordpress", EXPORT, "--uploads", UPLOADS)
    assert again.code == 0
    assert "imported 0 items" in again.err and "imported before, left as they are: 9" in again.err
    assert snapshot(site / "content") == before
    newer = tmp_path / "newer.xml"
    item = """<item><title>Neu im Januar</title>
<link>https://alt.paritaet-beispiel.de/2020/01/20/neu/</link>
<guid isPermaLink="false">https://alt.paritaet-beispiel.de/?p=50</guid>
<content:encoded><![CDATA[<p>Neu.</p>]]></content:encoded>
<wp:post_id>50</wp:post_id><wp:post_date>2020-01-20 09:00:00</wp:post_date>
<wp:post_name>neu</wp:post_name><wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type></item>
</channel>"""
    newer.write_text(EXPORT.read_text(encoding="utf-8").replace("</channel>", item), "utf-8")
    third = import_into(site, "wordpress", newer, "--uploads", UPLOADS)
    assert "imported 1 items: 1 news, 0 pages" in third.err
    added = set(snapshot(site / "content")) - set(before)
    assert added == {"news/2020-01-20-neu.md"}


def test_an_existing_file_is_never_overwritten(imported: Imported) -> None:
    mine = imported.site / "content/pages/ueber-uns/index.md"
    assert mine.read_bytes() == (FIXTURE / "content/pages/ueber-uns/index.md").read_bytes()
    meta, _ = front(imported.site, "content/pages/ueber-uns-2.md")
    assert meta["title"] == "Über uns"


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"\xff\xd8 an image")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def old_server() -> Iterator[str]:
    """A web server standing in for the old site, recording every request it gets."""
    _Recorder.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_without_uploads_files_are_listed_and_never_fetched(
    tmp_path: Path, old_server: str
) -> None:
    export = tmp_path / "export.xml"
    export.write_text(EXPORT.read_text(encoding="utf-8").replace(OLD, old_server), "utf-8")
    site = copy_site(FIXTURE, tmp_path / "site")
    done = import_into(site, "wordpress", export)
    assert done.code == 1, done.out  # the files did not come over
    assert _Recorder.requests == []
    assert "files copied: 0, files missing: 4" in done.err
    folder = site / LEAD.rsplit("/", 1)[0]
    assert sorted(p.name for p in folder.iterdir()) == ["index.md"]
    for name in ("fachtag.jpg", "einladung.pdf"):
        url = f"{old_server}/wp-content/uploads/2019/11/{name}"
        assert (
            f"file not found: {url}; put it into {NEWS}/2019-11-04-soziale-traeger/ as {name}"
            in done.out
        )


def test_feeds_from_several_files_become_news(tmp_path: Path) -> None:
    site = copy_site(FIXTURE, tmp_path / "site")
    feeds = [FEEDS / "pressemitteilungen-2018.xml", FEEDS / "pressemitteilungen-2019.atom"]
    old_files = tmp_path / "alte-seite"  # the old site's files, by their addresses
    (old_files / "fileadmin/bilder").mkdir(parents=True)
    shutil.copy(UPLOADS / "2019/12/haus.jpg", old_files / "fileadmin/bilder/pflege.jpg")
    done = import_into(site, "feed", *feeds, "--files", old_files)
    assert done.code == 1, done.out  # a file is missing
    assert "files copied: 1, files missing: 1" in done.err
    assert (site / NEWS / "2018-03-13-pflege-braucht-zeit/pflege.jpg").is_file()
    missing = "https://www.paritaet-alt.de/fileadmin/pdf/positionspapier.pdf"
    assert f"file not found: {missing}; put it into " in done.out
    # The prize is in both feeds: imported once, the second recognised by its old address.
    assert "imported 3 items: 3 news, 0 pages" in done.err
    assert "imported before, left as they are: 1" in done.err
    meta, body = front(site, f"{NEWS}/2018-03-13-pflege-braucht-zeit/index.md")
    assert meta["title"] == "Pflege braucht Zeit: Landesverband fordert Personalschlüssel"
    assert meta["date"] == "2018-03-13 08:30"
    assert meta["tags"] == ["Pressemitteilung", "Pflege"]
    assert meta["summary"] == "Der Landesverband fordert mehr Personal in der Pflege."
    assert meta["aliases"] == ["/aktuelles/pressemitteilungen/detail/news/pflege-braucht-zeit/"]
    assert "## Forderungen\n\n1. Personalschlüssel\n2. Tariflöhne" in body
    assert "![Eine Pflegerin mit einer Bewohnerin](pflege.jpg)" in body
    assert "tracking" not in body
    atom, body = front(site, f"{NEWS}/2019-11-04-kaeltebus.md")
    assert atom["date"] == "2019-11-04 10:00"  # 09:00 UTC is 10:00 in Berlin
    assert atom["tags"] == ["Wohnungslosenhilfe"]
    assert "<https://www.youtube-nocookie.com/embed/abc>" in body
    assert invoke("--root", site, "--now", NOW, "--quiet").code == 0


def test_an_export_that_is_not_xml_is_one_message_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    site = copy_site(FIXTURE, tmp_path / "site")
    broken = tmp_path / "export.xml"
    broken.write_text("<?xml version='1.0'?>\n<rss><channel>\n<item><title>x</item>", "utf-8")
    before = snapshot(site)
    done = import_into(site, "wordpress", broken)
    assert done.code == 1
    assert done.err.startswith(f"{broken}:3: error: not readable as XML: ")
    assert "Traceback" not in done.err
    assert snapshot(site) == before
    feed = FEEDS / "pressemitteilungen-2018.xml"  # XML, but no WordPress export
    done = import_into(site, "wordpress", feed)
    assert done.code == 1
    assert done.err.startswith(
        f"{feed}: error: not a WordPress export: none of its 2 items has fields in "
        "WordPress's namespace (http or https://wordpress.org/export/1.0/ to 1.2/); "
        "namespaces found: http://purl.org/rss/1.0/modules/content/\n"
    )
    assert snapshot(site) == before


def test_a_feed_file_that_is_not_a_feed_is_refused(tmp_path: Path) -> None:
    site = copy_site(FIXTURE, tmp_path / "site")
    bad = tmp_path / "feed.xml"
    bad.write_text("Hallo", "utf-8")
    done = import_into(site, "feed", bad)
    assert done.code == 1 and done.err.startswith(f"{bad}: error: not readable as a feed: ")
    shutil.rmtree(site / "content/news")
    assert import_into(site, "feed", tmp_path / "missing.xml").code == 1


# The peak resident memory of an import in a fresh process, in MB. Only the reader, the
# converter and the writer run: what has to stay flat however large the export.
MEASURE = """
import resource, sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo
from litfass.config import load_config
from litfass.importers.summary import Summary
from litfass.importers.wordpress import WordPressExport
from litfass.importers.writer import ContentWriter

config, _ = load_config(Path(sys.argv[2]))
now = datetime(2026, 11, 20, tzinfo=ZoneInfo(config.timezone))
export = WordPressExport(Path(sys.argv[1]))
writer, summary = ContentWriter(config, now), Summary()
for item in export.items():
    summary.add(writer.write(item), config.content_dir, now)
# VmHWM is this process's own peak; ru_maxrss on Linux keeps the peak of the parent that
# forked it (pytest, large after other tests), so it serves only where /proc is missing.
status = Path("/proc/self/status")
if status.exists():
    line = next(x for x in status.read_text().splitlines() if x.startswith("VmHWM:"))
    peak = int(line.split()[1]) // 1024
else:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (1024 * 1024)  # macOS: bytes
print(summary.written, peak)
"""


def large_export(path: Path, items: int) -> None:
    """A WXR shaped like a long-lived site's: every post with meta, tags and many comments."""
    paragraph = (
        "<!-- wp:paragraph -->\n<p>Die Geschäftsstelle lädt <strong>Träger</strong> ein. "
        + "Text " * 40
        + "</p>\n<!-- /wp:paragraph -->\n\n"
    )
    meta = "".join(
        f"<wp:postmeta><wp:meta_key>_key_{k}</wp:meta_key><wp:meta_value>{k}</wp:meta_value>"
        "</wp:postmeta>"
        for k in range(25)
    )
    comment = (
        "<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>Leser</wp:comment_author>"
        "<wp:comment_author_email>l@example.org</wp:comment_author_email><wp:comment_author_url>"
        "</wp:comment_author_url><wp:comment_author_IP>127.0.0.1</wp:comment_author_IP>"
        "<wp:comment_date>2019-01-01 10:00:00</wp:comment_date><wp:comment_content>Danke!"
        "</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_type>"
        "</wp:comment_type><wp:comment_parent>0</wp:comment_parent></wp:comment>"
    )
    tags = "".join(
        f'<category domain="post_tag" nicename="t{t}">Thema {t}</category>' for t in range(8)
    )
    head = EXPORT.read_text(encoding="utf-8").split("<item>", 1)[0]
    with path.open("w", encoding="utf-8") as out:
        out.write(head)
        for n in range(1, items + 1):
            out.write(
                f"<item><title>Meldung {n}</title><link>{OLD}/2019/01/01/meldung-{n}/</link>"
                f"<content:encoded><![CDATA[{paragraph * 20}]]></content:encoded>"
                f"<wp:post_id>{n}</wp:post_id><wp:post_date>2019-01-01 10:00:00</wp:post_date>"
                f"<wp:post_name>meldung-{n}</wp:post_name><wp:status>publish</wp:status>"
                f"<wp:post_type>post</wp:post_type>{tags}{meta}{comment * 30}</item>\n"
            )
        out.write("</channel>\n</rss>\n")


def test_a_large_export_imports_in_bounded_memory(tmp_path: Path) -> None:
    export = tmp_path / "export.xml"
    large_export(export, 2150)
    assert export.stat().st_size > 48 * 1024 * 1024
    site = copy_site(FIXTURE, tmp_path / "site")
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(export), str(site)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    written, peak = (int(n) for n in done.stdout.split())
    assert written == 2150
    # The whole file as one lxml tree alone takes over 200 MB; streaming stays near the
    # interpreter's own 40 MB. The bound is generous, for any machine and Python.
    assert peak < 120, f"peak memory {peak} MB"


@pytest.mark.parametrize(
    ("html", "shown"),
    [
        ("<p>5. Mai: Fachtag in Görlitz</p>", "<p>5. Mai: Fachtag in Görlitz</p>"),
        ("<p>- 5 Grad in der Nacht</p>", "<p>- 5 Grad in der Nacht</p>"),
        ("<p>#Ehrenamt</p>", "<p>#Ehrenamt</p>"),
        ("<p>&gt; 300 Gäste</p>", "<p>&gt; 300 Gäste</p>"),
        ("<p>a &lt;b&gt; *c* _d_</p>", "<p>a &lt;b&gt; *c* _d_</p>"),
        ("<p>am 5. Mai</p>", "<p>am 5. Mai</p>"),
    ],
)
def test_plain_text_stays_plain_text(html: str, shown: str) -> None:
    """Text that Markdown would read as a list, heading, quote or tag comes back as written."""
    old = OldSite("https://alt.example.org", lambda _url: False)
    markdown = to_markdown(html, old).markdown
    assert render_markdown(markdown, allow_html=False) == shown
    assert "\\" not in to_markdown("<p>am 5. Mai, ca. 5 + 3 = 8</p>", old).markdown


def test_an_alias_with_a_query_answers_on_the_server_only(fixture_site: Path) -> None:
    article = fixture_site / "content/news/alt-und-neu.md"
    article.write_text(
        "---\ntitle: Alt und neu\ndate: 2026-11-02\naliases: [/?p=7, /alt/und-neu/]\n---\nText.\n",
        "utf-8",
    )
    assert invoke("--root", fixture_site, "--now", NOW, "--quiet").code == 0
    output = fixture_site / "output"
    assert (output / "alt/und-neu/index.html").is_file()  # a redirect page for the path
    assert not [p for p in output.rglob("*") if "?" in p.name or "p=7" in p.name]
    redirects = (output / "redirects.nginx").read_text(encoding="utf-8")
    assert 'if ($args ~ "^(.*&)?p=7(&.*)?$") { return 301 "/aktuelles/alt-und-neu/"; }' in redirects
    article.write_text(
        "---\ntitle: Alt und neu\ndate: 2026-11-02\naliases: ['/?p=$x{y}']\n---\nText.\n", "utf-8"
    )
    refused = invoke("--root", fixture_site, "--now", NOW, "--quiet")
    assert refused.code == 1
    assert "content/news/alt-und-neu.md:4: error: alias '/?p=$x{y}' must be a path" in refused.err


def test_the_progress_bar_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.delenv("CI", raising=False)
    show = progress_printer("items", minimum=4)
    for done in range(1, 5):
        show(done, 4)
    assert (
        terminal.getvalue()
        == "".join(f"\r[{'#' * (25 * n // 4):<25}] {n}/4 items" for n in range(1, 5)) + "\n"
    )


def test_an_item_moved_over_by_hand_is_recognised_by_its_old_address(tmp_path: Path) -> None:
    site = copy_site(FIXTURE, tmp_path / "site")
    (site / "content/news/fachtag-von-hand.md").write_text(
        "---\ntitle: Fachtag\ndate: 2019-11-04\naliases: [/2019/11/04/soziale-traeger/]\n---\n",
        "utf-8",
    )
    done = import_into(site, "wordpress", EXPORT)
    assert "imported before, left as they are: 1" in done.err
    assert not (site / LEAD).parent.exists()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<p>",
                "</p>",
                "<script>",
                "</script>",
                "<iframe src='https://x.org'>",
                "</iframe>",
                "[caption]",
                "[/caption]",
                "[gallery ids='1,x']",
                "<!-- wp:embed",
                ' {"url":1} -->',
                "<!-- /wp:embed -->",
                "<img src='/wp-content/uploads/a b.JPG'",
                ">",
                "<a href='javascript:alert(1)'>",
                "</a>",
                "\n\n",
                "5. ",
                "# ",
                "<",
                "&",
                "onerror=alert(1)",
                "<style>",
                "\x00",
                "\x0b",
                "ü",
                "*",
                "_",
                "](",
                "[x",
                "&lt;img src=x onerror=alert(1)&gt;",
                "&lt;script&gt;alert(1)&lt;/script&gt;",
                "&amp;lt;b onclick=alert(1)&amp;gt;",
                "[klick](javascript:alert(1))",
                "[1]: javascript:alert(1)",
                "<a href='https://x.org/)<img src=x onerror=alert(1)>'>",
                "<img src='/a.jpg' alt='] (javascript:alert(1)) <img src=x onerror=alert(1)>'>",
                "<a href='https://x.org/' title='\" onmouseover=\"alert(1)'>",
                "<h2>",
                "</h2>",
                "<code>",
                "</code>",
                "\\",
                "`",
                "<",
                ")",
                "javascript:alert(1)",
            ]
        )
        | st.text(max_size=8)
    ).map("".join)
)
def test_any_old_html_becomes_safe_markdown(html: str) -> None:
    """Also where the site allows HTML in Markdown: what the old text showed as text
    (`&lt;img onerror…&gt;`, `[x](javascript:…)`) stays text, nothing becomes live."""
    old = OldSite("https://alt.example.org", lambda url: "/wp-content/uploads/" in url)
    markdown = to_markdown(html, old).markdown
    for allow_html in (False, True):
        rendered = render_markdown(markdown, allow_html=allow_html)
        if not rendered.strip():
            continue
        for element in lxml.html.fragment_fromstring(rendered, create_parent="div").iter():
            assert element.tag not in ("script", "style", "iframe"), rendered
            for name, value in element.attrib.items():
                assert not name.startswith("on"), rendered
                if name in ("href", "src"):
                    assert "javascript:" not in value.strip().lower(), rendered


FIDELITY = [  # what real press releases hold, and what html2text got wrong (docs/importing.md)
    "<p>Sterne *nicht* betonen, Unter_striche und 1. Zahl am Anfang.</p>"
    "<p>5. Mai ist kein Listenpunkt.</p>",
    '<ul><li>Eins<ul><li>Eins a</li></ul></li><li>Zwei</li></ul><ol start="3"><li>Drei</li></ol>',
    '<blockquote><p>Zitat mit <a href="https://example.org/a_b">Link</a></p></blockquote>',
    '<figure><img src="a.jpg" alt="Alt [mit] Klammern"><figcaption>Foto: X</figcaption></figure>'
    "<p>Nach dem Bild.</p>",
    "<table><thead><tr><th>Ort</th><th>Zeit</th></tr></thead><tbody><tr><td>Leipzig</td>"
    '<td>10 Uhr</td></tr></tbody></table><figure><img src="b.jpg" alt="Saal">'
    "<figcaption>Der Saal. Foto: Y</figcaption></figure>",
    "<h2>Forderungen</h2><h3>An das Land</h3><p><strong>Mehr</strong> <em>Personal</em>.</p>",
]


def _seen(fragment: str) -> Counter[tuple[str, str, str, str]]:
    """What a reader meets: each element with its own text, target and alt text."""
    seen: Counter[tuple[str, str, str, str]] = Counter()
    for element in lxml.html.fragment_fromstring(fragment, create_parent="div").iter():
        if element.tag in ("h2", "h3", "li", "th", "td", "img", "a", "strong", "em", "blockquote"):
            own = element.text if element.tag == "li" else element.text_content()
            where = element.get("href") or element.get("src") or ""
            seen[(element.tag, "".join((own or "").split()), where, element.get("alt") or "")] += 1
    return seen


@pytest.mark.parametrize("html", FIDELITY)
def test_conversion_keeps_what_a_reader_sees(html: str) -> None:
    old = OldSite("https://alt.example.org", lambda _url: False)
    rendered = render_markdown(to_markdown(html, old).markdown, allow_html=False)
    assert _seen(rendered) == _seen(html)
    text = lxml.html.fragment_fromstring(rendered, create_parent="div").text_content()
    assert "".join(text.split()) == "".join(
        lxml.html.fragment_fromstring(html, create_parent="div").text_content().split()
    )
