"""Sites in Arabic (right to left) and in Leichte Sprache in headless Chromium and the Nu
checker (issue 26): 0 axe violations, valid pages, a mirrored layout measured by its boxes,
and search in the site's language."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from test_browser import ARTIFACTS, axe_violations
from test_html_valid import nu_errors

from litfass.languages import EASY_GERMAN

pytestmark = pytest.mark.browser

SERVED = ("ar", EASY_GERMAN, "de")  # German: the left-to-right layout the Arabic one mirrors
PAGES = {
    "home": "/",
    "news": "/aktuelles/",
    "article": "/aktuelles/pflege/",
    "calendar": "/veranstaltungen/",
    "event": "/veranstaltungen/online/",
    "search": "/suche/",
    "404": "/404.html",
}
WIDTH = 1280


@pytest.fixture(scope="module")
def served(built_in: Callable[[str], Path], strict_server: Callable[[Path], str]) -> dict[str, str]:
    """Each language's site, served with the portal's strict policy."""
    return {tag: strict_server(built_in(tag)) for tag in SERVED}


@pytest.fixture
def open_page(chromium: Browser, served: dict[str, str]) -> Iterator[Callable[..., Page]]:
    """A page of a language's site in a fresh context, `width` pixels wide."""
    contexts = []

    def make(tag: str, path: str, width: int = WIDTH) -> Page:
        context = chromium.new_context(viewport={"width": width, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.goto(served[tag] + path)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize("width", [375, WIDTH])
@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.parametrize("tag", ["ar", EASY_GERMAN])
def test_pages_have_no_axe_violations(open_page, tag: str, name: str, width: int) -> None:
    page = open_page(tag, PAGES[name], width)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{tag}-{name}-{width}.png", full_page=True)
    assert axe_violations(page) == []


@pytest.mark.validator
def test_pages_pass_the_nu_html_checker(built_in: Callable[[str], Path]) -> None:
    sites = [built_in("ar"), built_in(EASY_GERMAN)]
    assert all(len(list(site.rglob("*.html"))) > 20 for site in sites)
    assert nu_errors(*sites) == []


def boxes(page: Page, selector: str) -> list[dict[str, float]]:
    """The border boxes of every element `selector` finds, in page order."""
    return [element.bounding_box() for element in page.locator(selector).all()]


def right_to_left(row: list[dict[str, float]]) -> bool:
    """Whether each box lies left of the one before it."""
    return all(b["x"] + b["width"] <= a["x"] + 1 for a, b in itertools.pairwise(row))


def test_arabic_layout_mirrors_the_german_one(open_page) -> None:
    arabic, german = open_page("ar", PAGES["article"]), open_page("de", PAGES["article"])
    arabic.screenshot(path=ARTIFACTS / "ar-article-layout.png", full_page=True)
    menu, crumbs = boxes(arabic, ".main-nav li a"), boxes(arabic, ".breadcrumb li")
    german_menu, german_crumbs = boxes(german, ".main-nav li a"), boxes(german, ".breadcrumb li")
    # The first menu item and the first crumb start at the right edge, where German ones
    # start at the left: mirrored to the pixel.
    assert menu[0]["x"] + menu[0]["width"] == pytest.approx(WIDTH - german_menu[0]["x"], abs=1)
    assert crumbs[0]["x"] + crumbs[0]["width"] == pytest.approx(
        WIDTH - german_crumbs[0]["x"], abs=1
    )
    # Each further item lies left of the one before: the menu and the trail read right to left.
    assert right_to_left(menu) and right_to_left(crumbs) and not right_to_left(german_crumbs)
    assert len(crumbs) == 3
    # The name of the site on the right, the search field on the left.
    brand, search = boxes(arabic, ".brand")[0], boxes(arabic, ".header-top .search-form")[0]
    assert search["x"] + search["width"] < brand["x"]
    # Chevrons and arrows point the way the page reads.
    after = "el => getComputedStyle(el, '::after').content"
    before = "el => getComputedStyle(el, '::before').content"
    assert "‹" in arabic.locator(".breadcrumb li + li").first.evaluate(before)
    assert "›" in german.locator(".breadcrumb li + li").first.evaluate(before)
    assert "←" in arabic.locator(".prev-next .older span").evaluate(after)
    assert "→" in german.locator(".prev-next .older span").evaluate(after)
    older, article = boxes(arabic, ".prev-next .older")[0], boxes(arabic, "main h1")[0]
    assert older["x"] < article["x"]  # the way on: to the left


@pytest.mark.parametrize(
    ("tag", "word", "found"),
    [
        ("ar", "Pflege", "/aktuelles/pflege/"),
        # German stems for Leichte Sprache: "Ehrenamtlicher" finds "Ehrenamtlichen".
        (EASY_GERMAN, "Ehrenamtlicher", "/aktuelles/neujahr/"),
    ],
)
def test_search_finds_pages_in_the_site_language(
    open_page, tag: str, word: str, found: str
) -> None:
    page = open_page(tag, f"{PAGES['search']}?q={word}")
    expect(page.locator(f"#search_results a[href='{found}']")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == tag


def test_a_word_form_is_not_found_without_german_stems(open_page) -> None:
    """Guard: the Arabic index has no German stems, so the form above needs them."""
    page = open_page("ar", f"{PAGES['search']}?q=Ehrenamtlicher")
    expect(page.locator("#search_status")).to_contain_text("لا توجد نتائج")  # search_none
    expect(page.locator("#search_results")).to_be_hidden()
