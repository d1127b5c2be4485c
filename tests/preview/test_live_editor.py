"""The live site's browser editor (`litfass admin`) under the headers the project ships (issue 23).

The same built site with its /admin/ served by nginx with deploy/nginx.conf and by Apache with
the site's .htaccess files: the editor's own policy for /admin/ alone, the strict one elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from apache import apache_serving
from playwright.sync_api import Browser, expect
from test_nginx import RECORD_VIOLATIONS, SETTLED, nginx_serving

from conftest import FIXTURE, NOW, copy_site
from litfass.cli import main
from litfass.outputs import serving

SERVERS = {"nginx": nginx_serving, "apache": apache_serving}


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture site built, with the editor for a Forgejo server written into it."""
    site = copy_site(FIXTURE, tmp_path_factory.mktemp("editor") / "site")
    assert main(["--root", str(site), "--now", NOW, "--quiet"]) == 0
    editor = ["--repo", "verband/portal", "--app-id", "a1", "--base-url", "https://git.example.org"]
    assert main(["admin", "--root", str(site), *editor]) == 0
    return site / "output"


@pytest.fixture(scope="module", params=sorted(SERVERS))
def server(
    request: pytest.FixtureRequest, output: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    with SERVERS[request.param](output, tmp_path_factory.mktemp(request.param)) as running:
        yield running


def test_the_editor_has_its_own_policy_and_the_site_keeps_the_strict_one(server: Any) -> None:
    for path in ("/admin/", "/admin/config.yml", "/admin/decap-cms/decap-cms.js"):
        answer = server.get(path)
        assert answer.status == 200, path
        assert answer.headers["Content-Security-Policy"] == serving.ADMIN_POLICY, path
        assert answer.headers["X-Frame-Options"] == "DENY", path
    assert server.get("/admin/config.yml").headers["Content-Type"].startswith("text/yaml")
    for path in ("/", "/static/style.css", "/gibt-es-nicht/"):
        assert server.get(path).headers["Content-Security-Policy"] == serving.SITE_POLICY, path


@pytest.mark.browser
def test_the_editor_renders_under_the_shipped_headers(server: Any, chromium: Browser) -> None:
    problems: list[str] = []

    def answered(response: Any) -> None:
        # Chromium asks for /favicon.ico on its own; the editor has none.
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            problems.append(f"{response.status}: {response.url}")

    def console(message: Any) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)

    context = chromium.new_context()
    try:
        page = context.new_page()
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", console)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("response", answered)
        page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} ({r.failure})"))
        answer = page.goto(server.url + "/admin/")
        assert answer is not None and answer.status == 200
        expect(page.get_by_role("button", name=re.compile("Forgejo"))).to_be_visible(timeout=60_000)
        assert page.evaluate(SETTLED) == []
    finally:
        context.close()
    assert problems == []
