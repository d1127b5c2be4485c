"""The site in five languages in headless Chromium and the Nu checker (issue 26): each
language's search finds its own pages only, and its Arabic pages, with the language switcher
and the alternates in their heads, are valid and have 0 axe violations."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from test_browser import ARTIFACTS, axe_violations
from test_html_valid import nu_errors

pytestmark = pytest.mark.browser

ARABIC = ["/ar/", "/ar/aktuelles/", "/ar/aktuelles/pflege/", "/ar/veranstaltungen/fachtag/"]


@pytest.fixture(scope="module")
def address(multilingual: Path, strict_server: Callable[[Path], str]) -> str:
    """The site, served with the portal's strict policy."""
    return strict_server(multilingual)


@pytest.fixture
def open_page(chromium: Browser, address: str) -> Iterator[Callable[[str], Page]]:
    contexts = []

    def make(path: str) -> Page:
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.goto(address + path)
        return page

    yield make
    for context in contexts:
        context.close()


def results(page: Page) -> list[str]:
    """The addresses a search lists, once it has listed them."""
    expect(page.locator("#search_results li").first).to_be_visible()
    return [link.get_attribute("href") or "" for link in page.locator("#search_results a").all()]


@pytest.mark.parametrize(
    ("prefix", "word", "found"),
    [
        ("/", "Pflege", "/aktuelles/pflege/"),
        ("/leichte-sprache/", "Pflege", "/leichte-sprache/aktuelles/pflege/"),
        ("/en/", "care", "/en/aktuelles/pflege/"),
        ("/uk/", "Догляд", "/uk/aktuelles/pflege/"),
        ("/ar/", "الرعاية", "/ar/aktuelles/pflege/"),
    ],
)
def test_each_languages_search_finds_its_own_pages(
    open_page: Callable[[str], Page], prefix: str, word: str, found: str
) -> None:
    page = open_page(f"{prefix}suche/?q={word}")
    listed = results(page)
    assert found in listed
    others = [p for p in ("/leichte-sprache/", "/en/", "/uk/", "/ar/") if p != prefix]
    assert all(url.startswith(prefix) for url in listed), listed
    assert not [url for url in listed if url.startswith(tuple(others))], listed


def test_the_switcher_leads_to_the_page_in_another_language(
    open_page: Callable[[str], Page],
) -> None:
    page = open_page("/en/aktuelles/pflege/")
    page.locator(".languages a[hreflang='ar']").click()
    expect(page).to_have_url(f"{page.url.split('/ar/')[0]}/ar/aktuelles/pflege/")
    assert page.evaluate("[document.documentElement.lang, document.dir]") == ["ar", "rtl"]
    current = page.locator(".languages a[aria-current='page']")
    expect(current).to_have_attribute("lang", "ar")


@pytest.mark.parametrize("path", ARABIC)
def test_arabic_pages_have_no_axe_violations(open_page: Callable[[str], Page], path: str) -> None:
    page = open_page(path)
    ARTIFACTS.mkdir(exist_ok=True)
    name = path.strip("/").replace("/", "-")
    page.screenshot(path=ARTIFACTS / f"multilingual-{name}.png", full_page=True)
    assert axe_violations(page) == []


@pytest.mark.validator
def test_arabic_pages_pass_the_nu_html_checker(multilingual: Path) -> None:
    arabic = multilingual / "ar"
    assert len(list(arabic.rglob("*.html"))) > 10
    assert nu_errors(arabic) == []
