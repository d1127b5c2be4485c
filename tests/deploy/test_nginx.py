"""The built example portal served by a real nginx with deploy/nginx.conf (issue: production).

nginx runs in the foreground on a loopback port with the server block as operators install it;
plain HTTP requests check its answers and headless Chromium checks the pages with the CSP on.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
import shutil
import signal
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import lxml.html
import pytest
from apache import Server
from playwright.sync_api import Browser, ConsoleMessage, expect

from conftest import NOW, REPO, copy_site
from litfass.cli import main

NGINX = "/usr/sbin/nginx"
SERVER_BLOCK = REPO / "deploy" / "nginx.conf"
ARTICLE = "/aktuelles/soziale-traeger-als-partner-der-wohnungswirtschaft/"
OLD_ARTICLE = (
    "/aktuelles/pressemitteilungen/detail/news/soziale-traeger-als-partner-der-wohnungswirtschaft"
)
CALENDAR = "/termine/fachtag.ics"
# Old addresses as an editor may copy them from the previous CMS: spaces, umlauts, percent
# escapes and characters that mean something in nginx's configuration language.
ODD_ALIASES = [
    "/alt/seite mit leerzeichen.html",
    "/alt/über-uns",
    "/alt/%C3%A4rger-mit-escapes",
    '/alt/a"b$c{d};e',
]
MOVED = "/aktuelles/kaeltehilfe-umgezogen/"
RENAMED_FROM, RENAMED_TO = "/aktuelles/beratung-alt/", "/aktuelles/beratung-neu/"
DELETED = "/aktuelles/zurueckgezogen/"
# A language in a folder of its own: its missing and deleted addresses get its own pages.
ENGLISH_DELETED, ENGLISH_MISSING = "/en" + DELETED, "/en/aktuelles/gibt-es-nicht/"
IMMUTABLE = "public, max-age=31536000, immutable"
CSP = re.compile(r"default-src 'self'.*script-src 'self'")
# Content files a browser may open as documents of their own, and one a sandbox would break.
ATTACHMENTS = {
    "plan.svg": b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="4" '
    b'height="4" fill="url(#g)"/><linearGradient id="g"/></svg>',
    "liste.csv": b"Ort;Datum\nLeipzig;2026-11-20\n",
    "satzung.docx": b"PK\x03\x04",
    "interview.mp3": b"ID3",
    "flyer.pdf": b"%PDF-1.4\n%%EOF\n",
}
# What a script in an SVG would do if it ran; nginx's sandbox must stop it even if an SVG
# with script ever reached output/ (litfass refuses it: tests/commands/test_bad_input.py).
SLIPPED_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4">
<script href="/downloads/slipped.js"/><rect width="4" height="4"/></svg>"""
SLIPPED_JS = b'document.documentElement.setAttribute("data-ran", "yes");'


def add_test_content(site: Path) -> None:
    """A moved article with odd old addresses, and a calendar file among the content."""
    aliases = "\n".join(f"  - {json.dumps(alias, ensure_ascii=False)}" for alias in ODD_ALIASES)
    (site / "content/news/2026-10-30-kaeltehilfe-umgezogen.md").write_text(
        "---\ntitle: Kältehilfe ist umgezogen\ndate: 2026-10-30\n"
        f"aliases:\n{aliases}\n---\nDie Kältehilfe hat neue Räume.\n",
        encoding="utf-8",
    )
    (site / "content/termine").mkdir()
    (site / "content/termine/fachtag.ics").write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//DE\r\nEND:VCALENDAR\r\n"
    )
    (site / "content/downloads").mkdir()
    for name, data in ATTACHMENTS.items():
        (site / "content/downloads" / name).write_bytes(data)


def add_items_to_rename_and_delete(site: Path) -> None:
    for name in ("beratung-alt", "zurueckgezogen"):
        (site / f"content/news/2026-10-29-{name}.md").write_text(
            f"---\ntitle: Meldung {name}\ndate: 2026-10-29\n---\nText.\n", encoding="utf-8"
        )
    (site / "content/news/2026-10-29-zurueckgezogen.en.md").write_text(
        "---\ntitle: Withdrawn\n---\nText.\n", encoding="utf-8"
    )


def rename_and_delete(site: Path) -> None:
    """What an editor does after a build: one file renamed, one deleted."""
    news = site / "content/news"
    (news / "2026-10-29-beratung-alt.md").rename(news / "2026-10-29-beratung-neu.md")
    (news / "2026-10-29-zurueckgezogen.md").unlink()
    (news / "2026-10-29-zurueckgezogen.en.md").unlink()


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example portal (precompressed, as its config.yaml says), built once, then built
    again after a file was renamed and one deleted."""
    site = copy_site(REPO, tmp_path_factory.mktemp("nginx") / "portal")
    add_test_content(site)
    add_items_to_rename_and_delete(site)
    assert main(["--root", str(site), "--now", NOW, "--quiet"]) == 0
    rename_and_delete(site)
    assert main(["--root", str(site), "--now", NOW, "--quiet"]) == 0
    return site / "output"


def server_block(output: Path, port: int) -> str:
    """deploy/nginx.conf with the operator's two edits: where the site is, where to listen."""
    text = SERVER_BLOCK.read_text(encoding="utf-8")
    assert "root /srv/portal/output;" in text and "listen 80;" in text, "placeholders moved"
    text = re.sub(r"^\s*listen \[::\]:80;\n", "", text, flags=re.M)
    text = text.replace("listen 80;", f"listen 127.0.0.1:{port};")
    return text.replace("/srv/portal/output", str(output))


def main_config(folder: Path) -> str:
    """The smallest nginx.conf around the server block, everything kept inside `folder`."""
    # The pytest folders are private to their user: as root, nginx's workers would run as
    # 'nobody' and could not read the site.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "".join(
        f"  {kind}_temp_path {folder}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\n"
        f"error_log {folder}/error.log warn;\nevents {{ worker_connections 64; }}\n"
        "http {\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
        f"  access_log off;\n{temp}  include {folder}/portal.conf;\n}}\n"
    )


@pytest.fixture(scope="module")
def server(portal: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with nginx_serving(portal, tmp_path_factory.mktemp("nginx-run")) as running:
        yield running


@contextlib.contextmanager
def nginx_serving(
    output: Path, folder: Path, block: Callable[[Path, int], str] | None = None
) -> Iterator[Server]:
    """A real nginx with deploy/nginx.conf serving `output`, its files kept in `folder`;
    `block` makes the server block another way than `server_block`."""
    nginx = NGINX if os.access(NGINX, os.X_OK) else shutil.which("nginx")
    if nginx is None:
        pytest.fail("nginx is not installed: `bash tests/run` installs Debian's nginx package")
    # The test opens the listening socket and hands it to nginx (its NGINX variable names
    # inherited sockets): the port is free by construction, and requests queue in the
    # socket's backlog until nginx accepts them, so nothing has to wait for it to start.
    listener = socket.create_server(("127.0.0.1", 0), backlog=64)
    port = listener.getsockname()[1]
    (folder / "portal.conf").write_text((block or server_block)(output, port), encoding="utf-8")
    (folder / "nginx.conf").write_text(main_config(folder), encoding="utf-8")
    command = [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf")]
    command += ["-e", str(folder / "error.log")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(
        command,
        env={**os.environ, "NGINX": f"{listener.fileno()};"},
        pass_fds=(listener.fileno(),),
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    listener.close()
    try:
        yield Server(port, output)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


def stylesheet(server: Server) -> str:
    (href,) = lxml.html.fromstring(server.file("/")).xpath('//link[@rel="stylesheet"]/@href')
    return href


def test_pages_feeds_and_assets_are_sent_as_the_precompressed_files(server: Server) -> None:
    paths = ["/", ARTICLE, "/aktuelles/feed.xml", stylesheet(server), CALENDAR]
    for path in [*paths, "/pagefind/pagefind.js", "/veranstaltungen/kalender.ics"]:
        answer = server.get(path, {"Accept-Encoding": "gzip, deflate, br"})
        assert answer.status == 200, path
        assert answer.headers["Content-Encoding"] == "gzip", path
        assert "Accept-Encoding" in answer.headers["Vary"], path
        local = server.local(path)
        assert answer.body == local.with_name(local.name + ".gz").read_bytes(), path
        assert gzip.decompress(answer.body) == server.file(path), path


def test_clients_without_gzip_get_the_plain_file(server: Server) -> None:
    answer = server.get(ARTICLE)
    assert answer.status == 200
    assert "Content-Encoding" not in answer.headers
    assert answer.body == server.file(ARTICLE)


def test_a_renamed_items_old_address_answers_301(server: Server) -> None:
    for path in (RENAMED_FROM, RENAMED_FROM.rstrip("/")):
        answer = server.get(path)
        assert (answer.status, answer.headers["Location"]) == (301, RENAMED_TO), path
    assert server.get(RENAMED_TO).status == 200


def test_a_deleted_items_address_answers_410_with_the_sites_page(server: Server) -> None:
    answer = server.get(DELETED)
    assert answer.status == 410
    assert answer.body == server.file("/410.html")
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"


def test_unknown_address_gets_the_sites_404_page_and_status(server: Server) -> None:
    answer = server.get("/aktuelles/gibt-es-nicht/")
    assert answer.status == 404
    assert answer.body == server.file("/404.html")
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert CSP.search(answer.headers["Content-Security-Policy"])


def test_a_languages_missing_and_deleted_addresses_get_its_own_pages(server: Server) -> None:
    assert_each_language_answers_with_its_own_pages(server)


def assert_each_language_answers_with_its_own_pages(server: Server) -> None:
    """A missing and a deleted address in /en/ get the English 404 and 410 pages, the main
    language's stay German (nginx's prefix locations, Apache's `<If>` blocks)."""
    for path, status in ((ENGLISH_MISSING, 404), (ENGLISH_DELETED, 410)):
        answer = server.get(path)
        assert answer.status == status, path
        assert answer.body == server.file(f"/en/{status}.html"), path
        assert lxml.html.fromstring(answer.body).get("lang") == "en"
    assert server.get(DELETED).body == server.file("/410.html")  # the main language's own


def test_redirect_include_is_not_served(server: Server) -> None:
    answer = server.get("/redirects.nginx")
    assert answer.status == 404
    assert b"location" not in answer.body


def test_old_address_is_a_permanent_redirect_to_the_article(server: Server) -> None:
    for old in (OLD_ARTICLE, OLD_ARTICLE + "/"):
        answer = server.get(old)
        assert answer.status == 301, old
        assert answer.headers["Location"] == ARTICLE
        assert server.get(answer.headers["Location"]).status == 200


@pytest.mark.parametrize("alias", ODD_ALIASES)
def test_odd_old_addresses_redirect_too(server: Server, alias: str) -> None:
    requested = quote(alias, safe="/%")  # what a browser sends for the address
    answer = server.get(requested)
    assert answer.status == 301, requested
    assert answer.headers["Location"] == MOVED


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "no-cache"),
        (ARTICLE, "no-cache"),
        ("/aktuelles/feed.xml", "no-cache"),
        ("/static/style.css", "no-cache"),
        ("/static/logo.svg", "public, max-age=3600"),
    ],
)
def test_html_and_plain_names_are_revalidated(server: Server, path: str, expected: str) -> None:
    assert server.get(path).headers["Cache-Control"] == expected


def test_fingerprinted_assets_are_cached_for_a_year(server: Server) -> None:
    page = lxml.html.fromstring(server.file("/"))
    assets = [stylesheet(server), page.cssselect(".brand img")[0].get("src")]
    for path in assets:
        assert re.fullmatch(r"/static/\w+\.[0-9a-f]{8}\.\w+", path), path
        answer = server.get(path)
        assert answer.status == 200
        assert answer.headers["Cache-Control"] == IMMUTABLE


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/404.html", "text/html; charset=utf-8"),
        ("/static/style.css", "text/css; charset=utf-8"),
        ("/aktuelles/feed.xml", "application/rss+xml; charset=utf-8"),
        ("/aktuelles/atom.xml", "application/atom+xml; charset=utf-8"),
        (CALENDAR, "text/calendar; charset=utf-8"),
        ("/static/logo.svg", "image/svg+xml; charset=utf-8"),
    ],
)
def test_content_types(server: Server, path: str, expected: str) -> None:
    answer = server.get(path, {"Accept-Encoding": "gzip"})
    assert answer.status == 200
    assert answer.headers["Content-Type"] == expected


def test_every_calendar_of_the_site_is_text_calendar(server: Server) -> None:
    calendars = sorted(server.output.rglob("*.ics"))
    assert calendars
    for path in calendars:
        answer = server.get("/" + path.relative_to(server.output).as_posix())
        assert answer.headers["Content-Type"].startswith("text/calendar"), path


@pytest.mark.parametrize("path", ["/", "/static/style.css", "/gibt-es-nicht", OLD_ARTICLE])
def test_security_headers_on_every_answer(server: Server, path: str) -> None:
    headers = server.get(path).headers
    assert CSP.search(headers["Content-Security-Policy"])
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


# Recorded before any page script runs; injected by the browser's debugging protocol, which the
# page's CSP does not govern.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""
STYLE = """() => {
  const style = getComputedStyle(document.body);
  return [style.margin, style.fontFamily, style.lineHeight, style.color, style.backgroundColor];
}"""
SETTLED = "() => new Promise((done) => requestAnimationFrame(() => setTimeout(() => done(window.__violations), 0)))"


@pytest.mark.browser
def test_pages_work_in_a_browser_with_the_csp_on(server: Server, chromium: Browser) -> None:
    missing = "/gibt-es-nicht/"
    search = "/suche/?q=Wohnungswirtschaft"  # Pagefind's script and WebAssembly at work
    pages = ["/", ARTICLE, "/veranstaltungen/", "/themen/", "/magazin/", search, missing]
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        # The 404 page's own status is logged too; failed subresources are caught below.
        expected = message.location["url"] == server.url + missing and message.text.startswith(
            "Failed to load resource"
        )
        if message.type == "error" and not expected:
            problems.append(f"{message.location['url']}: {message.text}")

    def failed(request: Any) -> None:
        # The next page's navigation cancels what loads after the load event (the favicon):
        # that is no failure of the site; a missing or refused file is one (status, CSP).
        if request.failure != "net::ERR_ABORTED":
            problems.append(f"failed: {request.url} ({request.failure})")

    context = chromium.new_context()
    try:
        page = context.new_page()
        page.on("console", console)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("requestfailed", failed)
        page.on(
            "response",
            lambda r: (
                problems.append(f"{r.status}: {r.url}")
                if r.status >= 400 and r.request.resource_type != "document"
                else None
            ),
        )
        unstyled = page.evaluate(STYLE)
        page.add_init_script(RECORD_VIOLATIONS)
        for path in pages:
            answer = page.goto(server.url + path)
            assert answer is not None
            assert answer.status == (404 if path == missing else 200), path
            if path == search:
                expect(page.locator(f"#search_results a[href='{ARTICLE}']")).to_be_visible()
            assert page.evaluate(SETTLED) == [], path
            assert page.evaluate(STYLE) != unstyled, f"{path}: the stylesheet did not apply"
    finally:
        context.close()
    assert problems == []


@pytest.mark.parametrize(
    "path", ["/downloads/plan.svg", "/downloads/liste.csv", "/downloads/satzung.docx",
             "/downloads/interview.mp3", CALENDAR]
)  # fmt: skip
def test_content_files_are_sandboxed(server: Server, path: str) -> None:
    answer = server.get(path)
    assert answer.status == 200
    policy = answer.headers["Content-Security-Policy"]
    assert policy.startswith("sandbox; default-src 'none';")
    assert "script-src" not in policy
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_pdfs_and_pages_keep_the_sites_policy(server: Server) -> None:
    # Chrome shows no PDF in a sandbox; a PDF's script runs in the viewer, not as the site.
    for path in ("/downloads/flyer.pdf", "/", "/static/style.css"):
        policy = server.get(path).headers["Content-Security-Policy"]
        assert CSP.search(policy) and "sandbox" not in policy, path
    assert server.get("/downloads/plan.svg").headers["Content-Type"].startswith("image/svg+xml")


@pytest.mark.browser
def test_script_in_an_svg_does_not_run_under_the_sandbox(server: Server, chromium: Browser) -> None:
    assert_svg_script_stays_inert(server, chromium)


def assert_svg_script_stays_inert(server: Server, chromium: Browser) -> None:
    """A script slipped into an SVG does not run where the server sandboxes it."""
    # The site's own script, which its policy allows anywhere but in a sandbox.
    slipped = server.output / "downloads/slipped.svg"
    script = server.output / "downloads/slipped.js"
    slipped.write_bytes(SLIPPED_SVG)
    script.write_bytes(SLIPPED_JS)
    context = chromium.new_context()
    try:
        page = context.new_page()
        answer = page.goto(server.url + "/downloads/slipped.svg")
        assert answer is not None and answer.status == 200
        assert page.evaluate("document.documentElement.localName") == "svg"
        assert page.evaluate("document.documentElement.getAttribute('data-ran')") is None
    finally:
        context.close()
        slipped.unlink()
        script.unlink()


@pytest.mark.parametrize("path", ["/.htaccess", "/aktuelles/.litfass-notiz"])
def test_hidden_files_are_not_served(server: Server, path: str) -> None:
    hidden = server.local(path)
    made = not hidden.exists()  # the build writes .htaccess; a copy may bring others along
    if made:
        hidden.write_text("intern", encoding="utf-8")
    try:
        answer = server.get(path)
        assert answer.status == 404
        assert answer.body == server.file("/404.html")
    finally:
        if made:
            hidden.unlink()
