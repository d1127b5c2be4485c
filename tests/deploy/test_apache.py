"""The built example portal on Apache web space: its own .htaccess, a real Apache 2.4 (issue 23).

Apache runs as shared hosts run it (tests/apache.py): AllowOverride All, only mod_rewrite,
mod_headers, mod_mime (and what every host has), Debian's mime.conf. Plain HTTP requests
check the answers; headless Chromium checks the pages with the site's policy on.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import brotli
import lxml.html
import pytest
from apache import Server, apache_serving
from playwright.sync_api import Browser, ConsoleMessage, expect
from test_nginx import (
    ARTICLE,
    CALENDAR,
    DELETED,
    MOVED,
    ODD_ALIASES,
    OLD_ARTICLE,
    RECORD_VIOLATIONS,
    RENAMED_FROM,
    RENAMED_TO,
    SETTLED,
    STYLE,
    add_items_to_rename_and_delete,
    add_test_content,
    assert_each_language_answers_with_its_own_pages,
    assert_svg_script_stays_inert,
    rename_and_delete,
)

from conftest import NOW, REPO, copy_site
from litfass.cli import main
from litfass.outputs import serving

# Addresses of the WordPress the portal replaced: the article it became answers for them.
QUERY_ALIASES = ["/?p=123", "/index.php?id=7&typ=news"]
QUERY_ITEM = "/aktuelles/alte-abfrage/"


def add_query_aliases(site: Path) -> None:
    aliases = "".join(f"  - {old}\n" for old in QUERY_ALIASES)
    (site / "content/news/2026-10-28-alte-abfrage.md").write_text(
        f"---\ntitle: Alte Abfrage\ndate: 2026-10-28\naliases:\n{aliases}---\nText.\n",
        encoding="utf-8",
    )


def build_portal(site: Path) -> Path:
    """The example portal with the test content, built, then built again after a rename and
    a deletion: as test_nginx.py builds it."""
    add_test_content(site)
    add_query_aliases(site)
    add_items_to_rename_and_delete(site)
    assert main(["--root", str(site), "--now", NOW, "--quiet"]) == 0
    rename_and_delete(site)
    assert main(["--root", str(site), "--now", NOW, "--quiet"]) == 0
    return site / "output"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    site = copy_site(REPO, tmp_path_factory.mktemp("apache") / "portal")
    output = build_portal(site)
    with apache_serving(output, tmp_path_factory.mktemp("apache-run")) as running:
        yield running


def stylesheet(server: Server) -> str:
    (href,) = lxml.html.fromstring(server.file("/")).xpath('//link[@rel="stylesheet"]/@href')
    return href


def site_path(server: Server, location: str) -> str:
    """A Location header as the site path it leads to (Apache names the host too)."""
    parts = urlsplit(location)
    assert parts.netloc in ("", f"127.0.0.1:{server.port}"), location
    assert parts.path.startswith(server.base), location
    return "/" + parts.path[len(server.base) :] + (f"?{parts.query}" if parts.query else "")


@pytest.mark.parametrize(("accepted", "encoding"), [("gzip, deflate, br", "br"), ("gzip", "gzip")])
def test_text_files_are_sent_as_the_precompressed_files(
    server: Server, accepted: str, encoding: str
) -> None:
    suffix, unpack = {"br": (".br", brotli.decompress), "gzip": (".gz", gzip.decompress)}[encoding]
    paths = ["/", ARTICLE, "/aktuelles/feed.xml", stylesheet(server), CALENDAR]
    for path in [*paths, "/pagefind/pagefind.js", "/veranstaltungen/kalender.ics"]:
        answer = server.get(path, {"Accept-Encoding": accepted})
        assert answer.status == 200, path
        assert answer.headers["Content-Encoding"] == encoding, path
        assert "Accept-Encoding" in answer.headers["Vary"], path
        assert "Content-Language" not in answer.headers, path  # .br is no language here
        local = server.local(path)
        assert answer.body == local.with_name(local.name + suffix).read_bytes(), path
        assert unpack(answer.body) == server.file(path), path


def test_clients_without_compression_get_the_plain_file(server: Server) -> None:
    answer = server.get(ARTICLE)
    assert answer.status == 200
    assert "Content-Encoding" not in answer.headers
    assert "Accept-Encoding" in answer.headers["Vary"]
    assert answer.body == server.file(ARTICLE)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/404.html", "text/html; charset=utf-8"),
        ("/static/style.css", "text/css; charset=utf-8"),
        ("/aktuelles/feed.xml", "application/rss+xml; charset=utf-8"),
        ("/aktuelles/atom.xml", "application/atom+xml; charset=utf-8"),
        ("/sitemap.xml", "text/xml; charset=utf-8"),
        (CALENDAR, "text/calendar; charset=utf-8"),
        ("/veranstaltungen/kalender.ics", "text/calendar; charset=utf-8"),
        ("/static/logo.svg", "image/svg+xml; charset=utf-8"),
    ],
)
@pytest.mark.parametrize("accepted", ["", "gzip", "br"])
def test_content_types_with_charset(
    server: Server, path: str, expected: str, accepted: str
) -> None:
    answer = server.get(path, {"Accept-Encoding": accepted} if accepted else {})
    assert answer.status == 200
    assert answer.headers["Content-Type"] == expected


def test_a_renamed_items_old_address_answers_301(server: Server) -> None:
    for path in (RENAMED_FROM, RENAMED_FROM.rstrip("/")):
        answer = server.get(path)
        assert answer.status == 301, path
        assert site_path(server, answer.headers["Location"]) == RENAMED_TO
    assert server.get(RENAMED_TO).status == 200


def test_old_address_is_a_permanent_redirect_to_the_article(server: Server) -> None:
    for old in (OLD_ARTICLE, OLD_ARTICLE + "/"):
        answer = server.get(old)
        assert answer.status == 301, old
        assert site_path(server, answer.headers["Location"]) == ARTICLE
        assert answer.headers["Content-Security-Policy"] == serving.SITE_POLICY


@pytest.mark.parametrize("alias", ODD_ALIASES)
def test_odd_old_addresses_redirect_too(server: Server, alias: str) -> None:
    answer = server.get(quote(alias, safe="/%"))  # what a browser sends for the address
    assert answer.status == 301, alias
    assert site_path(server, answer.headers["Location"]) == MOVED


@pytest.mark.parametrize(
    "old", [*QUERY_ALIASES, "/?utm_source=x&p=123", "/index.php?typ=news&id=7&id=7&typ=news"]
)
def test_old_addresses_with_a_query_redirect(server: Server, old: str) -> None:
    answer = server.get(old)
    assert answer.status == 301, old
    # The old query stays behind: the new address needs none.
    assert site_path(server, answer.headers["Location"]) == QUERY_ITEM
    # Near misses are the page as it is.
    for other in ("/?p=1234", "/?q=p=123x", "/?s=suche"):
        assert server.get(other).status == 200, other


def test_a_deleted_items_address_answers_410_with_the_sites_page(server: Server) -> None:
    for path in (DELETED, DELETED.rstrip("/")):
        answer = server.get(path)
        assert answer.status == 410, path
        assert answer.body == server.file("/410.html")
        assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
        assert answer.headers["Content-Security-Policy"] == serving.SITE_POLICY


def test_unknown_address_gets_the_sites_404_page_and_status(server: Server) -> None:
    answer = server.get("/aktuelles/gibt-es-nicht/")
    assert answer.status == 404
    assert answer.body == server.file("/404.html")
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert answer.headers["Content-Security-Policy"] == serving.SITE_POLICY


def test_a_languages_missing_and_deleted_addresses_get_its_own_pages(server: Server) -> None:
    assert_each_language_answers_with_its_own_pages(server)


@pytest.mark.parametrize(
    "path", ["/.htaccess", "/redirects.nginx", "/.litfass-notiz.txt", "/aktuelles/.versteckt.html"]
)
def test_internal_files_are_never_served(server: Server, path: str) -> None:
    hidden = server.local(path)
    if not hidden.exists():  # what a build or an upload tool may leave in the folder
        hidden.write_text("intern", encoding="utf-8")
    answer = server.get(path)
    assert answer.status == 404
    assert answer.body == server.file("/404.html")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", serving.REVALIDATE),
        (ARTICLE, serving.REVALIDATE),
        ("/aktuelles/feed.xml", serving.REVALIDATE),
        (CALENDAR, serving.REVALIDATE),
        ("/static/style.css", serving.REVALIDATE),
        ("/static/logo.svg", serving.REPLACEABLE),
        ("/downloads/flyer.pdf", serving.REPLACEABLE),
    ],
)
def test_html_and_plain_names_are_revalidated(server: Server, path: str, expected: str) -> None:
    assert server.get(path).headers["Cache-Control"] == expected


def test_fingerprinted_assets_are_cached_for_a_year(server: Server) -> None:
    page = lxml.html.fromstring(server.file("/"))
    assets = [stylesheet(server), page.cssselect(".brand img")[0].get("src")]
    for path in assets:
        assert re.fullmatch(r"/static/\w+\.[0-9a-f]{8}\.\w+", path), path
        for accepted in ("", "gzip"):
            answer = server.get(path, {"Accept-Encoding": accepted})
            assert answer.status == 200
            assert answer.headers["Cache-Control"] == serving.IMMUTABLE, (path, accepted)


@pytest.mark.parametrize("path", ["/", "/static/style.css", "/gibt-es-nicht", OLD_ARTICLE, DELETED])
def test_security_headers_on_every_answer(server: Server, path: str) -> None:
    headers = server.get(path).headers
    assert headers["Content-Security-Policy"] == serving.SITE_POLICY
    for name, value in serving.SECURITY_HEADERS.items():
        assert headers[name] == value, (path, name)


@pytest.mark.parametrize(
    "path", ["/downloads/plan.svg", "/downloads/liste.csv", "/downloads/satzung.docx",
             "/downloads/interview.mp3", CALENDAR]
)  # fmt: skip
def test_content_files_are_sandboxed(server: Server, path: str) -> None:
    for accepted in ("", "gzip, br"):
        answer = server.get(path, {"Accept-Encoding": accepted})
        assert answer.status == 200
        assert answer.headers["Content-Security-Policy"] == serving.SANDBOX_POLICY, path
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_pdfs_and_pages_keep_the_sites_policy(server: Server) -> None:
    for path in ("/downloads/flyer.pdf", "/", "/static/style.css"):
        assert server.get(path).headers["Content-Security-Policy"] == serving.SITE_POLICY, path


def browse(server: Server, chromium: Browser, pages: list[str], found: str = "") -> list[str]:
    """Open each site path in Chromium: every problem (CSP violation, failed or refused
    request, script error, missing style), and every address requested outside the site."""
    problems: list[str] = []
    missing = [path for path in pages if "gibt-es-nicht" in path]

    def console(message: ConsoleMessage) -> None:
        # The 404 page's own status is logged too; failed subresources are caught below.
        expected = any(
            message.location["url"] == server.url + path for path in missing
        ) and message.text.startswith("Failed to load resource")
        if message.type == "error" and not expected:
            problems.append(f"{message.location['url']}: {message.text}")

    def failed(request: Any) -> None:
        # The next page's navigation cancels what loads after the load event (the favicon).
        if request.failure != "net::ERR_ABORTED":
            problems.append(f"failed: {request.url} ({request.failure})")

    def requested(request: Any) -> None:
        if not request.url.startswith(server.url + "/"):
            problems.append(f"outside the site: {request.url}")

    def answered(response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            problems.append(f"{response.status}: {response.url}")

    context = chromium.new_context()
    try:
        page = context.new_page()
        page.on("console", console)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("requestfailed", failed)
        page.on("request", requested)
        page.on("response", answered)
        unstyled = page.evaluate(STYLE)
        page.add_init_script(RECORD_VIOLATIONS)
        for path in pages:
            answer = page.goto(server.url + path)
            assert answer is not None
            assert answer.status == (404 if path in missing else 200), path
            if "?q=" in path:
                link = server.base.rstrip("/") + found  # as the host has it
                expect(page.locator(f"#search_results a[href='{link}']")).to_be_visible()
            assert page.evaluate(SETTLED) == [], path
            assert page.evaluate(STYLE) != unstyled, f"{path}: the stylesheet did not apply"
    finally:
        context.close()
    return problems


@pytest.mark.browser
def test_pages_work_in_a_browser_with_the_csp_on(server: Server, chromium: Browser) -> None:
    search = "/suche/?q=Wohnungswirtschaft"  # Pagefind's script and WebAssembly at work
    pages = ["/", ARTICLE, "/veranstaltungen/", "/themen/", "/magazin/", search, "/gibt-es-nicht/"]
    assert browse(server, chromium, pages, found=ARTICLE) == []


@pytest.mark.browser
def test_script_in_an_svg_does_not_run_under_the_sandbox(server: Server, chromium: Browser) -> None:
    assert_svg_script_stays_inert(server, chromium)
