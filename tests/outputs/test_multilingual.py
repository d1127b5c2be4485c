"""A site in five languages (issue 26): each language's pages in its folder, linked both ways
by `hreflang`, a language switcher, and each language's own lists, feeds and calendars, read
with real parsers (lxml, feedparser, icalendar)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import feedparser
import icalendar
import lxml.etree
import lxml.html
import pytest
from livesite import LiveSite

from conftest import build, canonical_pages, hreflangs, multilingual_site, write

BASE = "https://test.example.org"
PREFIXES = {"de": "/", "de-x-ls": "/leichte-sprache/", "en": "/en/", "uk": "/uk/", "ar": "/ar/"}
SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def html_of(output: Path, url: str) -> lxml.html.HtmlElement:
    path = output / url.lstrip("/") / "index.html"
    return lxml.html.fromstring(path.read_bytes())


def test_every_page_names_itself_and_its_languages_both_ways(multilingual: Path) -> None:
    every = canonical_pages(multilingual)
    assert len(every) > 100
    for url, page in every.items():
        links = hreflangs(page)
        lang = page.get("lang")
        assert links[lang] == url, url  # itself, in its own language
        for tag, other in links.items():
            if tag == "x-default":
                assert other == links["de"], url  # the main language's page
                continue
            assert hreflangs(every[other]).get(lang) == url, (url, other)
            assert every[other].get("lang") == tag


def test_an_item_and_its_translations_are_at_the_original_address_in_each_folder(
    multilingual: Path,
) -> None:
    links = hreflangs(html_of(multilingual, "/en/aktuelles/pflege/"))
    assert links == {
        **{tag: f"{BASE}{prefix}aktuelles/pflege/" for tag, prefix in PREFIXES.items()},
        "x-default": f"{BASE}/aktuelles/pflege/",
    }
    english = html_of(multilingual, "/en/aktuelles/pflege/")
    assert english.get("lang") == "en"
    assert english.xpath("//h1")[0].text_content() == "Care needs time"
    arabic = html_of(multilingual, "/ar/aktuelles/pflege/")
    assert (arabic.get("lang"), arabic.get("dir")) == ("ar", "rtl")
    # What the translator left out is the original's: its topic, region and date.
    assert "/ar/themen/pflege/" in arabic.xpath("//main//a/@href")
    assert arabic.xpath("//time/@datetime")[0].startswith("2021-05-01")


def test_a_translation_may_have_an_address_of_its_own(multilingual: Path) -> None:
    links = hreflangs(html_of(multilingual, "/en/aktuelles/new-year/"))
    assert links["de"] == f"{BASE}/aktuelles/neujahr/"
    assert hreflangs(html_of(multilingual, "/aktuelles/neujahr/"))["en"] == links["en"]


def test_an_event_translation_takes_its_times_and_place_from_the_original(
    multilingual: Path,
) -> None:
    page = html_of(multilingual, "/en/veranstaltungen/fachtag/")
    assert "Volkshaus" in page.xpath("string(//main)")
    assert page.xpath("//time/@datetime")[0].startswith("2019-11-11T09:00")


def test_the_switcher_leads_to_the_same_item_or_to_a_language_home(multilingual: Path) -> None:
    switcher = html_of(multilingual, "/uk/aktuelles/nur-hier/").xpath('//nav[@class="languages"]')
    links = switcher[0].xpath(".//a")
    assert [(a.get("lang"), a.get("hreflang")) for a in links] == [(tag, tag) for tag in PREFIXES]
    hrefs = {a.get("lang"): a.get("href") for a in links}
    assert hrefs == {**PREFIXES, "uk": "/uk/aktuelles/nur-hier/"}
    current = [a.get("lang") for a in links if a.get("aria-current")]
    assert current == ["uk"]
    english = html_of(multilingual, "/en/aktuelles/pflege/")
    hrefs = {a.get("lang"): a.get("href") for a in english.xpath('//nav[@class="languages"]//a')}
    assert hrefs["ar"] == "/ar/aktuelles/pflege/"
    assert hrefs["de"] == "/aktuelles/pflege/"


def test_each_language_lists_its_own_items(multilingual: Path) -> None:
    news = html_of(multilingual, "/en/aktuelles/")
    links = set(news.xpath("//main//a/@href"))
    assert {"/en/aktuelles/pflege/", "/en/aktuelles/new-year/"} <= links
    assert not {href for href in links if href.startswith("/aktuelles/") and href != "/"}
    german = set(html_of(multilingual, "/aktuelles/").xpath("//main//a/@href"))
    assert not {href for href in german if href.startswith(("/en/", "/uk/", "/ar/"))}
    topic = set(html_of(multilingual, "/uk/themen/pflege/").xpath("//main//a/@href"))
    assert {"/uk/aktuelles/pflege/", "/uk/aktuelles/nur-hier/"} <= topic


@pytest.mark.parametrize("tag", list(PREFIXES))
def test_each_language_has_its_own_feeds(multilingual: Path, tag: str) -> None:
    prefix = PREFIXES[tag]
    for name in ("aktuelles/feed.xml", "aktuelles/atom.xml", "veranstaltungen/feed.xml"):
        feed = feedparser.parse((multilingual / prefix.lstrip("/") / name).read_bytes())
        assert not feed.bozo, (name, feed.bozo_exception)
        assert feed.feed.language == tag
        for entry in feed.entries:
            path = entry.link.removeprefix(BASE)
            assert path.startswith(prefix)
            assert all(not path.startswith(p) for p in PREFIXES.values() if len(p) > len(prefix))
    news = feedparser.parse((multilingual / prefix.lstrip("/") / "aktuelles/feed.xml").read_bytes())
    titles = {entry.title for entry in news.entries}
    expected = {
        "de": {"Pflege braucht Zeit", "Neujahrsempfang"},
        "en": {"Care needs time", "New year"},
        "uk": {"Догляд потребує часу", "Лише українською"},
    }
    assert expected.get(tag, set()) <= titles


def test_each_language_has_its_own_calendar(multilingual: Path) -> None:
    def events(prefix: str, name: str = "veranstaltungen/kalender.ics") -> list:
        data = (multilingual / prefix.lstrip("/") / name).read_bytes()
        return icalendar.Calendar.from_ical(data).walk("VEVENT")

    english = events("/en/")
    assert [str(e["summary"]) for e in english] == ["Conference: streets for all"]
    assert str(english[0]["url"]) == f"{BASE}/en/veranstaltungen/fachtag/"
    assert english[0].decoded("dtstart").isoformat().startswith("2019-11-11T09:00")
    assert len(events("/")) == 3
    assert events("/uk/") == []
    one = events("/ar/", "veranstaltungen/fachtag/kalender.ics")
    assert str(one[0]["summary"]) == "مؤتمر: شوارع للجميع"


def test_the_sitemap_names_each_page_in_every_language(multilingual: Path) -> None:
    tree = lxml.etree.parse(str(multilingual / "sitemap.xml"))
    urls = {
        url.findtext("s:loc", namespaces=SITEMAP): url for url in tree.iterfind("s:url", SITEMAP)
    }
    alternates: dict[str, dict[str, str]] = defaultdict(dict)
    for loc, url in urls.items():
        for link in url.iterfind("x:link", SITEMAP):
            alternates[loc][link.get("hreflang")] = link.get("href")
    item = {tag: f"{BASE}{prefix}aktuelles/pflege/" for tag, prefix in PREFIXES.items()}
    for url in item.values():
        assert alternates[url] == item
    assert f"{BASE}/uk/aktuelles/nur-hier/" in urls
    assert not alternates[f"{BASE}/uk/aktuelles/nur-hier/"]
    assert f"{BASE}/en/" in urls and alternates[f"{BASE}/en/"]["de"] == f"{BASE}/"


def test_a_draft_withholds_its_translations(multilingual: Path) -> None:
    assert not (multilingual / "aktuelles/entwurf").exists()
    assert not (multilingual / "en/aktuelles/entwurf").exists()
    everything = b"".join(p.read_bytes() for p in multilingual.rglob("*") if p.is_file())
    assert b"Not ready yet" not in everything
    assert b"/en/aktuelles/entwurf/" not in everything


def test_a_scheduled_original_holds_back_its_translation(tmp_path: Path) -> None:
    site = multilingual_site(tmp_path / "site")
    write(site, "content/news/spaeter.md", "---\ntitle: Später\ndate: 2027-01-01\n---\nText.\n")
    write(site, "content/news/spaeter.en.md", "---\ntitle: Later\ndate: 2026-01-01\n---\nText.\n")
    output = build(site).output
    assert not (output / "en/aktuelles/spaeter").exists()
    output = build(site, "--now", "2027-01-02 12:00").output
    assert (output / "en/aktuelles/spaeter/index.html").is_file()


def test_a_folder_item_translated_shares_its_files(multilingual: Path) -> None:
    page = html_of(multilingual, "/en/ueber-uns/")
    assert "/ueber-uns/team.txt" in page.xpath("//main//@href | //main//@src")
    assert not (multilingual / "en/ueber-uns/team.txt").exists()


def test_a_removed_translation_is_gone_in_its_language_only(tmp_path: Path) -> None:
    site = multilingual_site(tmp_path / "site")
    build(site)
    (site / "content/news/2021-05-01-pflege.en.md").unlink()
    output = build(site).output
    redirects = (output / "redirects.nginx").read_text("utf-8")
    gone = 'location = "/en/aktuelles/pflege/" { error_page 410 "/en/410.html"; return 410; }'
    assert gone in redirects
    assert "/aktuelles/pflege/" not in redirects.replace("/en/aktuelles/pflege/", "")
    assert (output / "aktuelles/pflege/index.html").is_file()
    assert (output / "ar/aktuelles/pflege/index.html").is_file()
    links = hreflangs(html_of(output, "/aktuelles/pflege/"))
    assert "en" not in links and links["ar"] == f"{BASE}/ar/aktuelles/pflege/"
    htaccess = (output / ".htaccess").read_text("utf-8")
    assert "/en/aktuelles/pflege/" in htaccess


def test_a_translation_given_another_address_redirects(tmp_path: Path) -> None:
    site = multilingual_site(tmp_path / "site")
    build(site)
    path = site / "content/news/2021-05-01-pflege.uk.md"
    path.write_text(path.read_text("utf-8").replace("---\n", "---\nslug: dohlyad\n", 1), "utf-8")
    output = build(site).output
    redirects = (output / "redirects.nginx").read_text("utf-8")
    assert 'location = "/uk/aktuelles/pflege/" { return 301 "/uk/aktuelles/dohlyad/"; }' in (
        redirects
    )
    assert 'location = "/aktuelles/pflege/"' not in redirects
    assert hreflangs(html_of(output, "/aktuelles/pflege/"))["uk"] == f"{BASE}/uk/aktuelles/dohlyad/"


def test_an_item_in_one_language_only_keeps_its_files_as_its_original_would(
    tmp_path: Path,
) -> None:
    site = multilingual_site(tmp_path / "site")
    text = "---\ntitle: Консультація\nsummary: Щосереди.\n{draft}---\n[План](plan.txt)\n"
    write(site, "content/pages/beratung/index.uk.md", text.format(draft="draft: true\n"))
    write(site, "content/pages/beratung/plan.txt", "Plan")
    output = build(site).output
    assert not list(output.rglob("plan.txt"))
    write(site, "content/pages/beratung/index.uk.md", text.format(draft=""))
    output = build(site).output
    assert (output / "uk/beratung/plan.txt").read_text("utf-8") == "Plan"
    assert "/uk/beratung/plan.txt" in html_of(output, "/uk/beratung/").xpath("//main//a/@href")
    assert not (output / "beratung").exists()


def test_menu_and_footer_speak_the_language_and_lead_to_its_pages(multilingual: Path) -> None:
    page = html_of(multilingual, "/en/")
    menu = [(a.text_content(), a.get("href")) for a in page.xpath('//nav[@class="main-nav"]//a')]
    assert menu[:2] == [("News", "/en/aktuelles/"), ("Events", "/en/veranstaltungen/")]
    assert ("About us", "/en/ueber-uns/") in menu
    footer = page.xpath("//footer//a/@href")
    assert "/impressum/" in footer  # not translated: the main language's
    assert "/en/aktuelles/feed.xml" in footer and "/en/suche/" in footer
    assert page.xpath('//a[@class="brand"]/@href') == ["/en/"]


def test_an_item_in_one_language_only_needs_what_any_item_needs(tmp_path: Path, run) -> None:
    site = multilingual_site(tmp_path / "site")
    write(site, "content/news/nur-englisch.en.md", "---\ntitle: English only\n---\nText.\n")
    result = run("--root", site, "--now", "2026-11-20 12:00")
    assert result.code == 1
    assert "content/news/nur-englisch.en.md: error: 'date' is missing" in result.err
    write(site, "content/news/nur-englisch.md", "---\ntitle: Nur hier\ndate: 2026-01-01\n---\n")
    output = build(site).output
    assert (output / "en/aktuelles/nur-englisch/index.html").is_file()


def test_categories_and_datelines_are_in_the_pages_language(tmp_path: Path) -> None:
    site = multilingual_site(tmp_path / "site")
    original = (site / "content/news/2021-05-01-pflege.md").read_text("utf-8")
    said = "category: Stellungnahme\ndateline: Leipzig\n"
    write(site, "content/news/2021-05-01-pflege.md", original.replace("tags:", said + "tags:"))
    # A site's own word beside the theme's: its table's `words:` adds to the default's.
    write(site, "templates/i18n/en.yaml", "words:\n  Stellungnahme: Position paper\n")
    output = build(site).output

    def shown(url: str) -> tuple[str, str]:
        page = html_of(output, url)
        return page.cssselect(".category")[0].text, page.cssselect(".dateline")[0].text

    assert shown("/aktuelles/pflege/") == ("Stellungnahme", "(Leipzig)")  # as written
    assert shown("/en/aktuelles/pflege/") == ("Position paper", "(Leipzig)")
    assert shown("/uk/aktuelles/pflege/") == ("Заява", "(Лейпциг)")
    assert shown("/ar/aktuelles/pflege/") == ("موقف", "(لايبزيغ)")
    assert shown("/leichte-sprache/aktuelles/pflege/") == ("Meinung", "(Leipzig)")
    english = html_of(output, "/en/aktuelles/pflege/")
    section = english.xpath('//meta[@property="article:section"]/@content')
    assert section == ["Position paper"]


def test_the_footer_names_an_untranslated_page_in_the_readers_words(multilingual: Path) -> None:
    links = html_of(multilingual, "/uk/").xpath('//footer//a[@href="/impressum/"]')
    assert [(a.text_content(), a.get("hreflang")) for a in links] == [("Вихідні дані", "de")]
    german = html_of(multilingual, "/").xpath('//footer//a[@href="/impressum/"]')
    assert [(a.text_content(), a.get("hreflang")) for a in german] == [("Impressum", None)]


def test_a_tables_words_are_word_by_word(tmp_path: Path, run) -> None:
    site = multilingual_site(tmp_path / "site")
    write(site, "templates/i18n/en.yaml", "skip_link: Skip\nwords: Position paper\n")
    result = run("--root", site, "--now", "2026-11-20 12:00")
    assert result.code == 1
    expected = "templates/i18n/en.yaml:2: error: 'words' must be 'word: translation' lines"
    assert expected in result.err


def test_each_language_answers_a_missing_or_deleted_address_with_its_own_page(
    tmp_path: Path,
) -> None:
    site = multilingual_site(tmp_path / "site")
    build(site)
    (site / "content/news/2021-05-01-pflege.en.md").unlink()
    output = build(site).output
    for tag, prefix in PREFIXES.items():
        for code in (404, 410):
            page = lxml.html.fromstring((output / prefix[1:] / f"{code}.html").read_bytes())
            assert page.get("lang") == tag
            assert page.cssselect(".not-found a")[0].get("href") == prefix  # its home
    english = lxml.html.fromstring((output / "en/404.html").read_bytes())
    assert english.cssselect("h1")[0].text == "Page not found"
    redirects = (output / "redirects.nginx").read_text("utf-8")
    folder = 'location "/en/" { error_page 404 "/en/404.html"; error_page 410 "/en/410.html"; }'
    assert folder in redirects
    # The preview answers as nginx does from that file.
    live = LiveSite(site, "serve").ready()
    try:
        for path, code in (("/en/aktuelles/pflege/", 410), ("/en/gibt-es-nicht/", 404)):
            status, page = live.get(path)
            assert status == code, path
            shown = lxml.html.fromstring(page)
            assert (shown.get("lang"), shown.cssselect(".big-code")[0].text) == ("en", str(code))
        status, page = live.get("/gibt-es-nicht/")
        assert (status, lxml.html.fromstring(page).get("lang")) == (404, "de")
    finally:
        assert live.stop() == 0


def test_a_lists_later_pages_name_the_same_page_in_each_language_that_has_it(
    tmp_path: Path,
) -> None:
    site = multilingual_site(tmp_path / "site")
    config = (site / "config.yaml").read_text("utf-8").replace("page_size: 2", "page_size: 1")
    write(site, "config.yaml", config)
    output = build(site).output
    second = "aktuelles/seite/2/"
    # German has three news a page each, English and Ukrainian two, the others one.
    assert hreflangs(html_of(output, "/" + second)) == {
        "de": f"{BASE}/{second}",
        "en": f"{BASE}/en/{second}",
        "uk": f"{BASE}/uk/{second}",
        "x-default": f"{BASE}/{second}",
    }
    assert hreflangs(html_of(output, "/aktuelles/seite/3/")).keys() == {"de", "x-default"}
    english = html_of(output, "/en/" + second)
    assert hreflangs(english)["de"] == f"{BASE}/{second}"
    switcher = {a.get("hreflang"): a.get("href") for a in english.cssselect("nav.languages a")}
    assert switcher["de"] == "/" + second and switcher["ar"] == "/ar/"
    # Previous and next stay in the language's own list.
    assert english.xpath('//nav[@class="pagination"]//a[@rel="prev"]/@href') == ["/en/aktuelles/"]
    assert english.xpath('//nav[@class="pagination"]//a[@rel="next"]/@href') == []
    german = html_of(output, "/" + second)
    assert german.xpath('//a[@rel="next"]/@href') == ["/aktuelles/seite/3/"]
    every = canonical_pages(output)
    for url, page in every.items():  # both ways, over every page
        for tag, other in hreflangs(page).items():
            assert tag == "x-default" or hreflangs(every[other]) == hreflangs(page), (url, other)


def test_a_menu_entry_for_a_page_is_named_as_its_translation(tmp_path: Path) -> None:
    site = multilingual_site(tmp_path / "site")
    config = (
        (site / "config.yaml")
        .read_text("utf-8")
        .replace(
            "  - {title: Magazin, url: /magazin/}\n",
            "  - {title: Magazin, url: /magazin/}\n"
            "  - {title: Wir über uns, url: /ueber-uns/}\n"
            "  - {title: Impressum, url: /impressum/}\n",
        )
    )
    write(site, "config.yaml", config)
    output = build(site).output

    def menu(url: str) -> list[tuple[str, str]]:
        links = html_of(output, url).xpath('//nav[@class="main-nav"]//a')
        return [(a.text_content(), a.get("href")) for a in links]

    assert menu("/")[4:] == [("Wir über uns", "/ueber-uns/"), ("Impressum", "/impressum/")]
    # Its translation's title; a page with none is the main language's, where it is.
    assert menu("/en/")[4:] == [("About us", "/en/ueber-uns/"), ("Impressum", "/impressum/")]
    assert menu("/ar/")[4:] == [("من نحن", "/ar/ueber-uns/"), ("Impressum", "/impressum/")]
    assert menu("/uk/")[4:] == [("Wir über uns", "/ueber-uns/"), ("Impressum", "/impressum/")]


def test_topics_and_regions_are_named_in_the_pages_language(multilingual: Path) -> None:
    def terms(url: str) -> list[tuple[str, str]]:
        links = html_of(multilingual, url).cssselect(".article-header .chips a")
        return [(a.text_content().strip(), a.get("href")) for a in links]

    assert ("Pflege", "/themen/pflege/") in terms("/aktuelles/pflege/")
    assert ("Care", "/en/themen/pflege/") in terms("/en/aktuelles/pflege/")
    assert ("Догляд", "/uk/themen/pflege/") in terms("/uk/aktuelles/pflege/")
    assert html_of(multilingual, "/en/themen/pflege/").cssselect("h1")[0].text == "Topic: Care"
    feed = feedparser.parse((multilingual / "en/aktuelles/feed.xml").read_bytes())
    care = [e for e in feed.entries if e.link.endswith("/en/aktuelles/pflege/")]
    assert [tag.term for tag in care[0].tags] == ["Care"]


def test_an_event_translation_says_its_organizer_and_cost_in_its_language(
    tmp_path: Path,
) -> None:
    site = multilingual_site(tmp_path / "site")
    english = "---\ntitle: 'Conference: streets for all'\norganizer: The state office\n"
    write(site, "content/events/fachtag.en.md", english + "cost: 10 euros\n---\nThe programme.\n")
    output = build(site).output  # the original says "organizer: Regionalbüro Görlitz"

    def details(url: str) -> str:
        return " ".join(html_of(output, url).xpath("//main//dd//text()"))

    assert "The state office" in details("/en/veranstaltungen/fachtag/")
    assert "10 euros" in details("/en/veranstaltungen/fachtag/")
    assert "Regionalbüro" not in details("/en/veranstaltungen/fachtag/")
    assert "Regionalbüro Görlitz" in details("/veranstaltungen/fachtag/")
    # What it leaves out is the original's.
    assert "Regionalbüro Görlitz" in details("/ar/veranstaltungen/fachtag/")
