"""The theme in every language a site may be written in (issue 26): whole tables, Leichte
Sprache that keeps its rules, and a site's pages and dates in its language."""

from __future__ import annotations

import json
import re
import string
from collections.abc import Callable
from datetime import date
from pathlib import Path

import lxml.html
import pytest
import yaml
from babel.dates import format_date

from conftest import MENU, REPO, build, write
from litfass.languages import EASY_GERMAN, LANGUAGES

I18N = REPO / "templates" / "i18n"
# What the Netzwerk Leichte Sprache rules out and a test can see.
ABBREVIATION = re.compile(r"\b(?:z\. ?B|bzw|ca|usw|d\. ?h|ggf|evtl|u\. ?a|inkl|vgl|Nr|Tel)\.")
WORDS_A_SENTENCE = 12  # short sentences: one statement each
LETTERS_A_WORD = 14  # longer compounds are split with a hyphen: Presse-Mitteilung


def table(tag: str) -> dict[str, str]:
    """A language's labels (its `words:`, the site's own words, are `words(tag)`)."""
    found = yaml.safe_load((I18N / f"{tag}.yaml").read_text("utf-8"))
    return {k: v for k, v in found.items() if k != "words"}


def words(tag: str) -> dict[str, str]:
    return yaml.safe_load((I18N / f"{tag}.yaml").read_text("utf-8"))["words"]


def placeholders(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name)


@pytest.mark.parametrize("tag", list(LANGUAGES))
def test_every_language_has_the_whole_table(tag: str) -> None:
    german, own = table("de"), table(tag)
    assert own.keys() == german.keys()
    assert [k for k, v in own.items() if not isinstance(v, str)] == []
    assert [k for k, v in own.items() if not v.strip() and k != "time_suffix"] == []
    assert {k: placeholders(v) for k, v in own.items()} == {
        k: placeholders(v) for k, v in german.items()
    }
    # The site's own words: a category or dateline of the main language's pages as this
    # language writes it, where that is another word.
    assert all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in words(tag).items()
    )
    assert [k for k, v in words(tag).items() if k == v] == []


def breaches(strings: dict[str, str]) -> list[str]:
    """The texts of a table that break a rule of Leichte Sprache a program can check."""
    texts = [v for k, v in strings.items() if not k.startswith("format_")]
    sentences = [s for text in texts for s in re.split(r"(?<=[.?!:])\s+", text)]
    words = [w for text in texts for w in re.findall(r"[^\W\d_]+", text)]
    return (
        [s for s in sentences if len(s.split()) > WORDS_A_SENTENCE]
        + [t for t in texts if ABBREVIATION.search(t) or ";" in t]
        + [w for w in words if len(w) > LETTERS_A_WORD]
    )


def test_leichte_sprache_is_written_as_leichte_sprache() -> None:
    assert breaches(table("de")) != []  # the standard German table breaks them: the check bites
    assert breaches(table(EASY_GERMAN)) == []
    assert breaches(words(EASY_GERMAN)) == []
    # Dates written out ("7. Dezember 2026"), never in digits only.
    assert all("MMMM" in table(EASY_GERMAN)[f"format_{s}"] for s in ("date_long", "date_short"))


def parse(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


@pytest.mark.parametrize("tag", list(LANGUAGES))
def test_a_site_is_built_in_its_language(built_in: Callable[[str], Path], tag: str) -> None:
    output, language, words = built_in(tag), LANGUAGES[tag], table(tag)
    for name in ("index.html", "veranstaltungen/index.html", "suche/index.html", "404.html"):
        page = parse(output / name)
        assert (page.get("lang"), page.get("dir")) == (tag, "rtl" if tag in ("ar", "fa") else None)
        assert page.cssselect(".skip-link")[0].text == words["skip_link"]
        assert page.cssselect(".main-nav li a")[0].text == words[next(iter(MENU))]
    calendar = parse(output / "veranstaltungen/index.html")
    months = [h.text_content() for h in calendar.cssselect(".month-group h2")]
    assert months == [  # the fixture's next events: February and July 2027, as Babel names them
        format_date(date(2027, month, 1), words["format_month"], locale=language.locale)
        for month in (2, 7)
    ]
    # Machines read the same moments whatever the language.
    german = parse(built_in("de") / "veranstaltungen/index.html")
    assert [t.get("datetime") for t in calendar.iter("time")] == [
        t.get("datetime") for t in german.iter("time")
    ]
    event = parse(output / "veranstaltungen/online/index.html").cssselect(".facts time")[0]
    weekday = format_date(date(2027, 2, 1), words["format_date_weekday"], locale=language.locale)
    assert event.text.startswith(weekday + words["date_time_separator"])
    # Pagefind indexes the pages under their `lang`: one index, in the site's language.
    entry = json.loads((output / "pagefind/pagefind-entry.json").read_text("utf-8"))
    assert list(entry["languages"]) == [tag]


def test_month_names_are_the_locales_own(built_in: Callable[[str], Path]) -> None:
    headings = {
        tag: parse(built_in(tag) / "veranstaltungen/index.html").cssselect(".month-group h2")[0]
        for tag in ("ar", "uk", EASY_GERMAN)
    }
    assert headings["ar"].text_content() == "فبراير 2027"
    assert headings["uk"].text_content() == "лютий 2027 р."  # the month alone: nominative
    assert headings[EASY_GERMAN].text_content() == "Februar 2027"


@pytest.mark.parametrize(
    ("tag", "size"), [(EASY_GERMAN, "1,2 MB"), ("ar", "1.2 MB"), ("uk", "1,2 MB")]
)
def test_a_documents_size_is_written_as_the_locale_writes_numbers(
    fixture_site: Path, tag: str, size: str
) -> None:
    config = fixture_site / "config.yaml"
    config.write_text(config.read_text("utf-8").replace("language: de\n", f"language: {tag}\n"))
    write(fixture_site, "content/news/2021-06-01-heft/index.md", HEFT)
    write(fixture_site, "content/news/2021-06-01-heft/heft.pdf", b"%PDF-1.4\n" + b"x" * 1_234_567)
    output = build(fixture_site, "--quiet").output
    info = parse(output / "aktuelles/heft/index.html").cssselect(".doc-info")[0]
    assert info.text == f"(PDF, {size})"


HEFT = "---\ntitle: Heft\ndate: 2021-06-01\n---\nDas [Heft](heft.pdf) ist da.\n"
