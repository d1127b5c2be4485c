"""The preview's publish button in real Chromium against a real `litfass serve`: the public
site (no drafts) lands at config.yaml's destination, or nothing does and the problems show.
"""

from __future__ import annotations

import http.client
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from livesite import LiveSite
from playwright.sync_api import Browser, Page, expect
from test_publish import broken_references, live

from conftest import NOW, snapshot

pytestmark = pytest.mark.browser
WAIT = 180_000  # ms: a build and a publish on a busy machine; never reached when it works


def with_destination(site: Path, destination: str) -> None:
    config = site / "config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(f"{text}publish:\n  destination: {destination}\n", encoding="utf-8")


@pytest.fixture
def served(fixture_site: Path) -> Iterator[LiveSite]:
    with_destination(fixture_site, "../webspace")
    # --drafts: the preview shows the draft; the button must never publish it
    site = LiveSite(fixture_site, "serve", "--drafts").ready()
    yield site
    assert site.stop() == 0
    assert "Traceback" not in "\n".join(site.rest())


@pytest.fixture
def page(chromium: Browser, served: LiveSite) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


def press_publish(page: Page) -> None:
    page.get_by_role("button", name="Publish", exact=True).click()
    dialog = page.get_by_role("dialog", name="Put the site online")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Publish now").click()


def test_one_click_publishes_the_public_site(
    page: Page, served: LiveSite, fixture_site: Path, run
) -> None:
    page.goto(f"http://127.0.0.1:{served.port}/aktuelles/entwurf/")
    expect(page.get_by_role("heading", name="Noch nicht fertig")).to_be_visible()  # the draft
    press_publish(page)
    status = page.locator("#litfass-golive-status")
    expect(status).to_contain_text("Published:", timeout=WAIT)
    expect(status).to_contain_text("files uploaded")
    web = fixture_site.parent / "webspace"
    published = live(web)
    assert "index.html" in published and not broken_references(web)
    assert not any("entwurf" in rel for rel in published)
    assert not any(b"Noch nicht fertig" in data for data in published.values())
    # exactly what `python build.py` makes of the site
    copy = fixture_site.parent / "again"
    copy.mkdir()
    for name in ("config.yaml", "content", "templates"):
        source = fixture_site / name
        target = copy / name
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            target.write_bytes(source.read_bytes())
    assert run("--root", copy, "--now", NOW, "--quiet").code == 0
    assert published == snapshot(copy / "output")
    # and the preview goes back to its own site, with the draft, once the dialog is closed
    page.get_by_role("button", name="Close").click()
    expect(page.get_by_role("heading", name="Noch nicht fertig")).to_be_visible(timeout=WAIT)


def test_a_site_with_problems_shows_them_and_publishes_nothing(
    page: Page, served: LiveSite, fixture_site: Path
) -> None:
    (fixture_site / "content/news/kaputt.md").write_text(
        "---\ntitle: Kaputt\ndate: 32.13.2026\n---\nText.\n", encoding="utf-8"
    )
    served.rebuilt()
    page.goto(f"http://127.0.0.1:{served.port}/")
    press_publish(page)
    problems = page.locator("#litfass-golive-problems")
    expect(problems).to_be_visible(timeout=WAIT)
    expect(problems).to_contain_text("content/news/kaputt.md:3:")
    expect(page.locator("#litfass-golive-status")).to_contain_text("Not published")
    assert not (fixture_site.parent / "webspace").exists()


def post(port: int, body: dict, origin: str | None) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json", "Host": f"127.0.0.1:{port}"}
    if origin:
        headers["Origin"] = origin
    try:
        connection.request("POST", "/__litfass/publish", json.dumps(body), headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_only_the_preview_s_own_page_may_publish(served: LiveSite, fixture_site: Path) -> None:
    for origin in ("http://evil.example", None):
        status, answer = post(served.port, {}, origin)
        assert status == 403, answer
    assert not (fixture_site.parent / "webspace").exists()


def test_the_editor_page_has_the_button_too(served: LiveSite) -> None:
    status, page = served.get("/admin/")
    assert status == 200
    assert 'id="litfass-golive"' in page and "/__litfass/golive.js" in page
    assert "/__litfass/reload.js" not in page  # a reload would lose what is being typed


def test_one_click_publishes_over_sftp_with_the_key_openssh_would_use(
    chromium: Browser, fixture_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No options at all: the key in ~/.ssh/id_ed25519, the server in ~/.ssh/known_hosts."""
    from servers import start_sshd

    server = start_sshd(tmp_path / "sshd")
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    shutil.copy(server.key, home / ".ssh/id_ed25519")
    shutil.copy(server.known_hosts, home / ".ssh/known_hosts")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    monkeypatch.delenv("LITFASS_PUBLISH_PASSWORD", raising=False)
    web = tmp_path / "htdocs"
    with_destination(fixture_site, server.url(web))
    site = LiveSite(fixture_site, "serve").ready()
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{site.port}/admin/")  # from the editor's page this time
        press_publish(page)
        expect(page.locator("#litfass-golive-status")).to_contain_text("Published:", timeout=WAIT)
        assert "index.html" in live(web) and not broken_references(web)
    finally:
        context.close()
        assert site.stop() == 0
        server.stop()
