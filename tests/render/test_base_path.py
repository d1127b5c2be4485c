"""A site below a folder of its host: base_url https://verein.example/portal/ (issue 23).

The example portal built with that base_url: every address its pages, feeds, calendars,
sitemap, robots.txt, redirects.nginx and .htaccess name is below /portal/; served by a real
Apache with `Alias /portal/ output/`, Chromium requests nothing outside it; the preview
serves the site in its folder too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import icalendar
import lxml.etree
import lxml.html
import pytest
from apache import Server, apache_serving
from livesite import LiveSite
from playwright.sync_api import Browser, expect
from test_apache import QUERY_ALIASES, QUERY_ITEM, browse, build_portal, site_path
from test_nginx import (
    ARTICLE,
    DELETED,
    OLD_ARTICLE,
    RECORD_VIOLATIONS,
    SETTLED,
    nginx_serving,
    server_block,
)

from conftest import REPO, copy_site
from litfass.cli import main
from litfass.config import load_config
from litfass.outputs import serving
from litfass.render.basepath import below_base

BASE_URL = "https://verein.example/portal/"
HOST = "https://verein.example"
EVENT = "/veranstaltungen/fachtag-pflege-im-quartier/"
# Where a page names another address: links, sources, forms, refreshes.
ADDRESSES = "//@href | //@src | //@action | //@poster | //@data"


def below_folder(site: Path) -> Path:
    config = site / "config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        re.sub(r"^base_url: .*$", f"base_url: {BASE_URL}", text, flags=re.M), encoding="utf-8"
    )
    return site


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example portal below /portal/, with aliases, a rename, a deletion and the editor."""
    site = below_folder(copy_site(REPO, tmp_path_factory.mktemp("folder") / "portal"))
    built = build_portal(site)
    editor = ["--repo", "verband/portal", "--app-id", "a1", "--base-url", "https://git.example.org"]
    assert main(["admin", "--root", str(site), *editor]) == 0
    return built


@pytest.fixture(scope="module")
def server(output: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with apache_serving(output, tmp_path_factory.mktemp("folder-run"), base="/portal/") as running:
        yield running


def pages(output: Path) -> list[Path]:
    return [p for p in sorted(output.rglob("*.html")) if "admin" not in p.parts]


def addresses_in(page: Path) -> list[str]:
    tree = lxml.html.fromstring(page.read_bytes())
    found = [str(value) for value in tree.xpath(ADDRESSES)]
    for srcset in tree.xpath("//@srcset"):
        found += [candidate.split()[0] for candidate in str(srcset).split(",")]
    for refresh in tree.xpath("//meta[@http-equiv='refresh']/@content"):
        found.append(str(refresh).split("url=", 1)[1])
    return found


# Units --------------------------------------------------------------------------------


def test_the_folder_of_base_url_is_the_base_path(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(f"title: Verein\nbase_url: {BASE_URL}\n", "utf-8")
    config, _warnings = load_config(tmp_path)
    assert config.base_path == "/portal/"
    assert config.href("/aktuelles/x/") == "/portal/aktuelles/x/"
    assert config.href("/") == "/portal/"
    for other in ("https://example.org/x", "//cdn.example/x", "mailto:a@b.de", "#top", "x/"):
        assert config.href(other) == other
    assert config.absolute("/aktuelles/") == "https://verein.example/portal/aktuelles/"


def test_a_folder_with_characters_to_escape_is_refused(tmp_path: Path, run) -> None:
    (tmp_path / "config.yaml").write_text(
        "title: Verein\nbase_url: https://verein.example/über-uns/\n", "utf-8"
    )
    result = run("--root", tmp_path)
    assert result.code == 1
    assert "config.yaml:2: error: the folder in 'base_url' may have only" in result.err


def test_site_paths_in_tags_get_the_folder_and_nothing_else_does() -> None:
    page = (
        '<a href="/a/">x</a><img src="/b.jpg" srcset="/b-1.jpg 1x, /b-2.jpg 2x" alt="">'
        '<form action="/suche/"></form><meta http-equiv="refresh" content="0; url=/neu/">'
        '<a href="https://e.org/x">e</a><a href="//cdn.example/y">c</a><a href="#top">t</a>'
        '<p title="a > b" data-x="/not-an-address">&lt;a href="/code"&gt;</p>'
    )
    expected = (
        '<a href="/portal/a/">x</a><img src="/portal/b.jpg" srcset="/portal/b-1.jpg 1x, '
        '/portal/b-2.jpg 2x" alt=""><form action="/portal/suche/"></form><meta '
        'http-equiv="refresh" content="0; url=/portal/neu/"><a href="https://e.org/x">e</a>'
        '<a href="//cdn.example/y">c</a><a href="#top">t</a>'
        '<p title="a > b" data-x="/not-an-address">&lt;a href="/code"&gt;</p>'
    )
    assert below_base(page, lambda url: "/portal" + url if url[1:2] != "/" else url) == expected


# The built files ----------------------------------------------------------------------


def test_every_address_in_every_page_is_below_the_folder(output: Path) -> None:
    wrong = []
    for page in pages(output):
        for address in addresses_in(page):
            parts = urlsplit(address)
            ours = parts.scheme in ("", "http", "https", "webcal") and (
                parts.netloc in ("", "verein.example")
            )
            if ours and parts.path and not parts.path.startswith("/portal/"):
                wrong.append(f"{page.relative_to(output)}: {address}")
    assert wrong == []
    assert len(pages(output)) > 50


def test_feeds_name_items_and_their_links_below_the_folder(output: Path) -> None:
    for name in ("aktuelles/feed.xml", "aktuelles/atom.xml", "veranstaltungen/feed.xml"):
        feed = feedparser.parse((output / name).read_bytes())
        assert feed.entries, name
        assert feed.feed.link.startswith(BASE_URL), name
        for entry in feed.entries:
            assert entry.link.startswith(BASE_URL), (name, entry.link)
            for content in entry.get("content", []):
                body = lxml.html.fromstring(f"<div>{content.value}</div>")
                for address in body.xpath("//@href | //@src"):
                    if str(address).startswith(HOST):
                        assert str(address).startswith(BASE_URL), (name, address)


def test_sitemap_calendars_and_robots_name_the_folder(output: Path) -> None:
    sitemap = lxml.etree.fromstring((output / "sitemap.xml").read_bytes())
    locations = [str(loc) for loc in sitemap.xpath("//*[local-name()='loc']/text()")]
    assert locations and all(loc.startswith(BASE_URL) for loc in locations)
    assert f"{BASE_URL}aktuelles/" in locations
    calendar = icalendar.Calendar.from_ical((output / "veranstaltungen/kalender.ics").read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert events and all(str(event["URL"]).startswith(BASE_URL) for event in events)
    robots = (output / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {BASE_URL}sitemap.xml" in robots


def test_redirect_files_name_the_folder(output: Path) -> None:
    nginx = (output / "redirects.nginx").read_text(encoding="utf-8")
    locations = re.findall(r'^location = "([^"]*)"', nginx, flags=re.M)
    assert locations and all(path.startswith("/portal/") for path in locations)
    assert f'"/portal{ARTICLE}"' in nginx
    htaccess = (output / ".htaccess").read_text(encoding="utf-8")
    assert "\nRewriteBase /portal/\n" in htaccess
    assert "\nErrorDocument 404 /portal/404.html\n" in htaccess
    assert "\nErrorDocument 410 /portal/410.html\n" in htaccess


def test_the_editor_loads_its_files_from_its_own_folder(output: Path) -> None:
    page = lxml.html.fromstring((output / "admin/index.html").read_bytes())
    assert all(not str(address).startswith("/") for address in page.xpath(ADDRESSES))


# Served by Apache below /portal/ -------------------------------------------------------


def test_apache_answers_below_the_folder(server: Server) -> None:
    assert server.get("/").status == 200
    answer = server.get(OLD_ARTICLE)
    assert answer.status == 301
    assert urlsplit(answer.headers["Location"]).path == "/portal" + ARTICLE
    assert site_path(server, server.get(QUERY_ALIASES[0]).headers["Location"]) == QUERY_ITEM
    gone = server.get(DELETED)
    assert gone.status == 410 and gone.body == server.file("/410.html")
    missing = server.get("/gibt-es-nicht/")
    assert missing.status == 404 and missing.body == server.file("/404.html")
    assert missing.headers["Content-Security-Policy"] == serving.SITE_POLICY
    packed = server.get(ARTICLE, {"Accept-Encoding": "br"})
    assert packed.headers["Content-Encoding"] == "br"
    (stylesheet,) = lxml.html.fromstring(server.file("/")).xpath("//link[@rel='stylesheet']/@href")
    assert stylesheet.startswith("/portal/static/")
    assert server.get(stylesheet[len("/portal") :]).headers["Cache-Control"] == serving.IMMUTABLE
    assert server.get("/.htaccess").status == 404


@pytest.mark.browser
def test_the_site_works_in_a_browser_below_the_folder(server: Server, chromium: Browser) -> None:
    search = "/suche/?q=Wohnungswirtschaft"
    visited = ["/", ARTICLE, search, EVENT, "/veranstaltungen/", "/gibt-es-nicht/"]
    assert browse(server, chromium, visited, found=ARTICLE) == []


@pytest.mark.browser
def test_the_calendar_filters_stay_below_the_folder(server: Server, chromium: Browser) -> None:
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(server.url + "/veranstaltungen/")
        link = page.locator("[data-event-filter] [data-param] a[data-value]:not([data-value=''])")
        link.first.click()
        expect(page).to_have_url(re.compile(re.escape(server.url + "/veranstaltungen/") + r"\?"))
        expect(page.locator(".calendar .event-item:not([hidden])").first).to_be_visible()
    finally:
        context.close()


@pytest.mark.browser
def test_the_live_editor_works_below_the_folder(server: Server, chromium: Browser) -> None:
    outside: list[str] = []
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.add_init_script(RECORD_VIOLATIONS)
        page.on(
            "request",
            lambda r: outside.append(r.url) if not r.url.startswith(server.url + "/") else None,
        )
        answer = page.goto(server.url + "/admin/")
        assert answer is not None and answer.status == 200
        expect(page.get_by_role("button", name=re.compile("Forgejo"))).to_be_visible(timeout=60_000)
        assert page.evaluate(SETTLED) == []
    finally:
        context.close()
    assert [url for url in outside if not url.endswith("/favicon.ico")] == []


# Served by nginx below /portal/ ---------------------------------------------------------


def block_below_folder(output: Path, port: int) -> str:
    """deploy/nginx.conf with the edits docs/deploying.md lists for a site in a folder: the
    site's folder named like the folder (here a link), `root` the folder above it, and
    /portal in front of the error pages, the include's location, static/ and admin/."""
    www = output.parent / "www"
    www.mkdir(exist_ok=True)
    if not (www / "portal").exists():
        (www / "portal").symlink_to(output)
    text = server_block(www / "portal", port)
    edits = {
        f"root {www / 'portal'};": f"root {www};",
        "error_page 404 /404.html;": "error_page 404 /portal/404.html;",
        "error_page 410 /410.html;": "error_page 410 /portal/410.html;",
        'location ~ "^/static/': 'location ~ "^/portal/static/',
        "location ^~ /admin/ {": "location ^~ /portal/admin/ {",
        "location = /redirects.nginx {": "location = /portal/redirects.nginx {",
    }
    for old, new in edits.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def nginx(output: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("folder-nginx")
    with nginx_serving(output, folder, block_below_folder) as running:
        yield Server(running.port, output, "/portal/")


def test_nginx_answers_below_the_folder(nginx: Server) -> None:
    assert nginx.get("/").status == 200
    assert nginx.get(OLD_ARTICLE).headers["Location"] == "/portal" + ARTICLE
    gone = nginx.get(DELETED)
    assert gone.status == 410 and gone.body == nginx.file("/410.html")
    missing = nginx.get("/gibt-es-nicht/")
    assert missing.status == 404 and missing.body == nginx.file("/404.html")
    (stylesheet,) = lxml.html.fromstring(nginx.file("/")).xpath("//link[@rel='stylesheet']/@href")
    assert nginx.get(stylesheet[len("/portal") :]).headers["Cache-Control"] == serving.IMMUTABLE
    assert nginx.get("/admin/").headers["Content-Security-Policy"] == serving.ADMIN_POLICY
    assert nginx.get("/").headers["Content-Security-Policy"] == serving.SITE_POLICY
    for hidden in ("/redirects.nginx", "/.htaccess"):
        assert nginx.get(hidden).status == 404, hidden


# The preview ---------------------------------------------------------------------------


def test_the_preview_serves_the_site_in_its_folder(fixture_site: Path) -> None:
    live = LiveSite(below_folder(fixture_site), "serve").ready()
    try:
        answer = live.raw(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert answer.startswith(b"HTTP/1.0 301") and b"\r\nLocation: /portal/\r\n" in answer
        status, home = live.get("/portal/")
        assert status == 200 and 'href="/portal/aktuelles/' in home
        status, article = live.get("/portal/aktuelles/neujahr/")
        assert status == 200 and '<script src="/__litfass/reload.js"' in article
        assert live.get("/aktuelles/neujahr/")[0] == 404  # outside the folder
        # The editor in the folder too, beside the stylesheet its preview pane wears.
        answer = live.raw(b"GET /admin/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert answer.startswith(b"HTTP/1.0 301") and b"\r\nLocation: /portal/admin/\r\n" in answer
        assert live.get("/portal/admin/")[0] == 200
        assert live.get("/portal/static/style.css")[0] == 200
    finally:
        assert live.stop() == 0, live.rest()
