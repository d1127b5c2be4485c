"""Shared fixtures: real sites copied into tmp_path and built with the real command line.

One family of built sites: `built_once` (the fixture site built once per session, read only),
`built` (a copy of it for a test to change), `portal` (the example portal's output, read only).
One `write` for a file of a site, one `build` for a build that must succeed, `run` for any
command line whose outcome a test checks.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import json
import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest
import yaml
from playwright.sync_api import Browser, sync_playwright

from litfass.cli import main
from litfass.i18n import use_language

# Tests assert the English source messages; a test that wants German asks for it
# (monkeypatch.setenv("LITFASS_LANG", "de"), or delenv to follow the site's language).
os.environ["LITFASS_LANG"] = "en"

TESTS = Path(__file__).resolve().parent  # the helpers and data; the tests are in folders below
REPO = TESTS.parent
FIXTURE = TESTS / "fixtures" / "site"
NOW = "2026-11-20 12:00"  # every test builds as of this moment unless it says otherwise
CHROMIUM = "/usr/bin/chromium"  # Debian's package; never a browser downloaded by Playwright
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    """Each test starts in English: a command run in German (a test's LITFASS_LANG=de) leaves
    `_()` in German for this worker's next test, which may call the engine directly."""
    use_language("en")
    yield
    use_language("en")


@pytest.fixture(autouse=True)
def sigterm_left_as_found() -> Iterator[None]:
    """No test leaves its SIGTERM handler to the next: the worker's forked build workers
    inherit it (a preview's left behind once hung a build in CI)."""
    before = signal.getsignal(signal.SIGTERM)
    yield
    assert signal.getsignal(signal.SIGTERM) is before, "SIGTERM's handler left changed"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden/ from current output"
    )


# A skipped test is a test that did not run: the run fails and says which ones (issue:
# checked tests). Workers under pytest-xdist send their reports to the controller, which
# sees them here as in a serial run.
class FailOnSkip:
    """Collects skipped and xfailed tests; a run with any of them exits non-zero."""

    def __init__(self) -> None:
        self.not_run: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if hasattr(report, "wasxfail"):
            outcome = "xfailed" if report.skipped else "xpassed"
            self.not_run.append(f"{report.nodeid} ({outcome}: {report.wasxfail})")
        elif report.skipped:
            self.not_run.append(f"{report.nodeid} ({_reason(report)})")

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.skipped:  # a whole module, as `pytest.importorskip` at its top does
            self.not_run.append(f"{report.nodeid} ({_reason(report)})")

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.not_run and exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.not_run:
            terminalreporter.section("tests that did not run", red=True, bold=True)
            terminalreporter.write_line(f"{len(self.not_run)} skipped or xfailed: the run fails.")
            for line in self.not_run:
                terminalreporter.write_line(f"  {line}")


def _reason(report: pytest.TestReport | pytest.CollectReport) -> object:
    """What `pytest.skip` was told: its (file, line, reason) triple holds it last."""
    return report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the controller, or a run without xdist
        config.pluginmanager.register(FailOnSkip(), "fail-on-skip")


@dataclass
class Run:
    """The outcome of one command-line run."""

    code: int
    out: str
    err: str


def invoke(*args: str | Path) -> Run:
    """Run the litfass command line in-process and capture what it prints."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture
def run() -> Callable[..., Run]:
    """The litfass command line, run in-process, with what it prints."""
    return invoke


@dataclass
class Built(Run):
    """A build that succeeded, and the folder it wrote."""

    output: Path


def build(site: Path, *options: str | Path) -> Built:
    """Build `site` as of NOW with the real command line; the test fails unless it succeeds."""
    result = invoke("--root", site, "--now", NOW, *options)  # a later --now wins
    assert result.code == 0, result.err
    return Built(result.code, result.out, result.err, site / "output")


def write(site: Path, rel: str, data: str | bytes) -> Path:
    """Save a file below `site` as an editor would, its folders made as needed."""
    path = site / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def copy_site(source: Path, target: Path) -> Path:
    """Copy a site's config and content, with the repository's theme."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "config.yaml", target / "config.yaml")
    shutil.copytree(source / "content", target / "content")
    shutil.copytree(REPO / "templates", target / "templates")
    return target


@pytest.fixture
def example_site(tmp_path: Path) -> Path:
    """A copy of the example portal shipped in the repository."""
    return copy_site(REPO, tmp_path / "example")


@pytest.fixture
def fixture_site(tmp_path: Path) -> Path:
    """A copy of the small fixture site under tests/fixtures/site."""
    return copy_site(FIXTURE, tmp_path / "site")


@pytest.fixture(scope="session")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture site built once for the session (its root): read it, copy it, never change it."""
    site = copy_site(FIXTURE, tmp_path_factory.mktemp("built") / "site")
    build(site, "--quiet")
    return site


@pytest.fixture
def built(built_once: Path, tmp_path: Path) -> Path:
    """A built fixture site of this test's own (its root), copied rather than built again."""
    return Path(shutil.copytree(built_once, tmp_path / "site", symlinks=True))


@pytest.fixture(scope="session")
def built_in(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """The fixture site written in a language (config.yaml's tag: "ar", "de-x-ls"), its menu in
    that language too: the output, built once per session and language, read only."""
    outputs: dict[str, Path] = {}

    def output(language: str) -> Path:
        if language not in outputs:
            site = copy_site(FIXTURE, tmp_path_factory.mktemp(f"in-{language}") / "site")
            table = yaml.safe_load((REPO / f"templates/i18n/{language}.yaml").read_text("utf-8"))
            config = (site / "config.yaml").read_text("utf-8")
            config = config.replace("language: de\n", f"language: {language}\n")
            for key, german in MENU.items():  # JSON's string is YAML's too
                config = config.replace(f"title: {german},", f"title: {json.dumps(table[key])},")
            (site / "config.yaml").write_text(config, "utf-8")
            outputs[language] = build(site, "--quiet").output
        return outputs[language]

    return output


# A site in five languages (issue 26): config.yaml's `languages:` and translations beside
# their originals, as editors write them (docs/redaktion.md).
LANGUAGES = "languages: [de, de-x-ls, en, uk, ar]\n"
TRANSLATIONS = {
    "news/2021-05-01-pflege.en.md": "---\ntitle: Care needs time\n---\nCare needs **more time**.\n",
    "news/2021-05-01-pflege.de-x-ls.md": "---\ntitle: Pflege braucht Zeit\n---\nPflege ist wichtig.\n",
    "news/2021-05-01-pflege.uk.md": "---\ntitle: Догляд потребує часу\n---\nДогляд важливий.\n",
    "news/2021-05-01-pflege.ar.md": "---\ntitle: الرعاية تحتاج إلى وقت\n---\nالرعاية مهمة.\n",
    "news/2020-01-10-neujahr.en.md": "---\ntitle: New year\nslug: new-year\n---\nWhat comes next.\n",
    "news/entwurf.en.md": "---\ntitle: Not ready yet\n---\nA draft's translation.\n",
    "news/2021-06-02-nur-hier.uk.md": "---\ntitle: Лише українською\ntags: [Pflege]\n---\nТекст.\n",
    "events/fachtag.en.md": "---\ntitle: 'Conference: streets for all'\n---\nThe programme.\n",
    "events/fachtag.ar.md": "---\ntitle: 'مؤتمر: شوارع للجميع'\n---\nالبرنامج.\n",
    "pages/ueber-uns/index.en.md": "---\ntitle: About us\n---\nOur team: ![The team](team.txt)\n",
    "pages/ueber-uns/index.ar.md": "---\ntitle: من نحن\n---\nفريقنا: ![الفريق](team.txt)\n",
}


def multilingual_site(target: Path) -> Path:
    """The fixture site in five languages, with translations of some of its items."""
    site = copy_site(FIXTURE, target)
    config = (site / "config.yaml").read_text("utf-8").replace("language: de\n", LANGUAGES)
    (site / "config.yaml").write_text(config, "utf-8")
    for rel, text in TRANSLATIONS.items():
        write(site, f"content/{rel}", text)
    return site


@pytest.fixture(scope="session")
def multilingual(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output of the site in five languages, built once per session, read only."""
    return build(multilingual_site(tmp_path_factory.mktemp("multilingual") / "site")).output


MENU = {"news": "Aktuelles", "events": "Veranstaltungen", "topics": "Themen", "magazine": "Magazin"}


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` with its bytes, to compare whole trees."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def full_build(site: Path, tmp: Path, run) -> dict[str, bytes]:
    """The output of a plain first build of the same sources, in a folder of its own."""
    copy = tmp / "full"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("output", ".litfass*"))
    assert run("--root", copy, "--now", NOW, "--quiet").code == 0
    return snapshot(copy / "output")


@pytest.fixture(scope="session")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example portal built once, for tests that only read its output."""
    site = copy_site(REPO, tmp_path_factory.mktemp("portal") / "example")
    return build(site, "--quiet").output


# The policy the portal is built for: no inline script or style, nothing from elsewhere.
STRICT_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'"
)


class StrictHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a built site with the strict policy, quietly."""

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", STRICT_POLICY)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def strict_server() -> Iterator[Callable[[Path], str]]:
    """`strict_server(output)`: the address of a built site served on a free port of
    127.0.0.1 with the strict policy, as a browser test opens it; one server per folder,
    started when first asked for and kept for the session."""
    servers: dict[Path, http.server.ThreadingHTTPServer] = {}

    def address(output: Path) -> str:
        if output not in servers:
            handler = functools.partial(StrictHandler, directory=str(output))
            servers[output] = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            threading.Thread(target=servers[output].serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{servers[output].server_port}"

    yield address
    for httpd in servers.values():
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """One headless Chromium for every browser test: Playwright's sync API runs one at a time."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def example(portal: Path) -> Path:
    """The example portal for the subscriber tests: the very build `portal` made (read only)."""
    return portal


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture site plus items whose every value is hostile, built once."""
    from subscribers import add_hostile_items

    site = copy_site(FIXTURE, tmp_path_factory.mktemp("hostile"))
    add_hostile_items(site)
    return build(site, "--quiet").output


def hreflangs(page: lxml.html.HtmlElement) -> dict[str, str]:
    """A page's language alternates: hreflang -> address."""
    links = page.xpath('//head/link[@rel="alternate"][@hreflang]')
    return {link.get("hreflang"): link.get("href") for link in links}


def canonical_pages(output: Path) -> dict[str, lxml.html.HtmlElement]:
    """Every page of a built site by its canonical address (redirect pages aside)."""
    found = {}
    for path in sorted(output.rglob("*.html")):
        page = lxml.html.fromstring(path.read_bytes())
        canonical = page.xpath('//link[@rel="canonical"]/@href')
        if canonical and not page.xpath('//meta[@http-equiv="refresh"]'):
            found[canonical[0]] = page
    return found
