"""Feeds pass feedparser: ids, dates, absolute links that exist (issue: subscribers)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import feedparser
import lxml.etree
import lxml.html
import pytest
from subscribers import (
    EXAMPLE_BASE,
    FIXTURE_BASE,
    HOSTILE,
    file_for,
    reader_text,
)

from conftest import FIXTURE, build, copy_site

RSS_DATE = re.compile(r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}")
ATOM_DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")

LANGUAGE_FOLDERS = ("leichte-sprache", "en", "uk", "ar")  # the example portal's other languages


def feeds_in(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.xml") if p.name in ("feed.xml", "atom.xml"))


def parsed(path: Path) -> feedparser.FeedParserDict:
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, f"{path}: {feed.get('bozo_exception')}"
    return feed


def test_feeds_exist_for_news_events_topics_and_regions(example: Path) -> None:
    for folder in ("aktuelles", "veranstaltungen", "themen/wohnen", "regionen/leipzig"):
        assert parsed(example / folder / "feed.xml").version == "rss20"
        assert parsed(example / folder / "atom.xml").version == "atom10"
    topics = [p for p in (example / "themen").iterdir() if p.is_dir()]
    assert topics and all((topic / "feed.xml").is_file() for topic in topics)


@pytest.mark.parametrize(("site", "base"), [("example", EXAMPLE_BASE), ("hostile", FIXTURE_BASE)])
def test_every_feed_parses_with_unique_ids_dates_and_links_that_exist(
    site: str, base: str, request: pytest.FixtureRequest
) -> None:
    out: Path = request.getfixturevalue(site)
    for path in feeds_in(out):
        feed = parsed(path)
        # Every list has items, but another language's may have none of a kind yet.
        main = path.relative_to(out).parts[0] not in LANGUAGE_FOLDERS
        assert feed.entries or path.parent.name in ("aktuelles",) or not main, path
        ids = [entry.id for entry in feed.entries]
        assert len(ids) == len(set(ids)), path
        for entry in feed.entries:
            assert _dated(entry, path.name), (path, entry.id)
            assert _exists(out, base, entry.link), (path, entry.link)
            for link in _links_in(entry):
                assert re.match(r"[a-z]+:", link), (path, entry.id, link)  # absolute
                if link.startswith(base):
                    assert _exists(out, base, link), (path, entry.id, link)


def _dated(entry: feedparser.FeedParserDict, name: str) -> bool:
    pattern = RSS_DATE if name == "feed.xml" else ATOM_DATE
    stamps = [entry.published] + ([entry.updated] if name == "atom.xml" else [])
    return all(pattern.fullmatch(stamp) for stamp in stamps)


def _exists(out: Path, base: str, url: str) -> bool:
    target = file_for(out, base, url.split("#")[0])
    return target is not None and target.is_file()


def _links_in(entry: feedparser.FeedParserDict) -> list[str]:
    links = [link.href for link in entry.get("links", []) if link.get("rel") == "enclosure"]
    for part in entry.get("content", []):
        for _element, _attribute, link, _ in lxml.html.fragment_fromstring(
            part.value, create_parent="div"
        ).iterlinks():
            links.append(link)
    return links


def test_items_carry_what_a_reader_shows(hostile: Path) -> None:
    feed = parsed(hostile / "aktuelles/atom.xml")
    entry = next(e for e in feed.entries if reader_text(e.title_detail) == HOSTILE)
    assert entry.id == f"{FIXTURE_BASE}/aktuelles/alter-titel/"  # the explicit `id`
    assert entry.link == f"{FIXTURE_BASE}/aktuelles/boese/"
    assert entry.published == "2021-06-02T09:00:00+02:00"
    assert entry.updated == "2021-06-03T12:30:00+02:00"
    assert [tag.term for tag in entry.tags] == ["Wohnen", "</script>"]
    assert entry.author_detail.email == "presse@test.example.org"
    enclosure = next(link for link in entry.links if link.rel == "enclosure")
    # A resized variant (here no wider than the original), never the original itself.
    assert enclosure.href == f"{FIXTURE_BASE}/aktuelles/boese/bild-8w.png"
    assert enclosure.type == "image/png"
    assert int(enclosure.length) == (hostile / "aktuelles/boese/bild-8w.png").stat().st_size
    body = entry.content[0].value
    assert f'href="{FIXTURE_BASE}/ueber-uns/"' in body  # a link to a .md file, made absolute
    assert f'href="{FIXTURE_BASE}/aktuelles/boese/#unten"' in body
    assert "alert(4)" not in body  # the sanitised body, not the raw Markdown


def test_rss_item_has_guid_enclosure_and_author(hostile: Path) -> None:
    feed = parsed(hostile / "aktuelles/feed.xml")
    entry = next(e for e in feed.entries if reader_text(e.title_detail) == HOSTILE)
    assert entry.guidislink is False  # the explicit id is not the item's address
    assert entry.enclosures[0].href.endswith("/aktuelles/boese/bild-8w.png")
    assert entry.author == "presse@test.example.org (</script><b>x)"
    plain = next(e for e in feed.entries if e.title == "Pflege braucht Zeit")
    assert plain.id == plain.link == f"{FIXTURE_BASE}/aktuelles/pflege/"


def test_events_feed_lists_newest_announced_first_with_when_and_where(example: Path) -> None:
    feed = parsed(example / "veranstaltungen/feed.xml")
    published = [entry.published_parsed for entry in feed.entries]
    assert published == sorted(published, reverse=True)
    fachtag = next(e for e in feed.entries if e.link.endswith("/fachtag-pflege-im-quartier/"))
    assert fachtag.summary.startswith("Mittwoch, 22. September 2027, 9:30–16:00 Uhr · ")
    assert "<strong>Wo:</strong> Regionalgeschäftsstelle Chemnitz" in fachtag.content[0].value


def test_topic_feed_holds_only_its_topic(example: Path) -> None:
    feed = parsed(example / "themen/wohnen/atom.xml")
    assert feed.entries
    assert all("Wohnen" in [tag.term for tag in entry.tags] for entry in feed.entries)


def test_feed_date_is_the_newest_item_not_the_clock(tmp_path: Path) -> None:
    site = copy_site(FIXTURE, tmp_path / "site")
    later = tmp_path / "later"
    first = build(site, "--now", "2031-01-01").output
    shutil.copytree(first, later)
    second = build(site, "--now", "2033-06-30 23:00").output
    for name in ("aktuelles/feed.xml", "aktuelles/atom.xml", "veranstaltungen/atom.xml"):
        assert (second / name).read_bytes() == (later / name).read_bytes(), name
    rss = parsed(second / "aktuelles/feed.xml")
    assert rss.feed.updated == rss.entries[0].published == "Tue, 01 Jan 2030 00:00:00 +0100"


def test_drafts_and_future_items_never_appear(tmp_path: Path) -> None:
    out = build(copy_site(FIXTURE, tmp_path / "site"), "--drafts", "--future").output
    assert (out / "aktuelles/entwurf/index.html").is_file()  # the preview shows them ...
    for path in feeds_in(out):  # ... but subscribers never get them
        titles = {entry.title for entry in parsed(path).entries}
        assert not titles & {"Noch nicht fertig", "Meldung aus der Zukunft"}, path


def test_item_count_and_summary_only_are_configurable(tmp_path: Path) -> None:
    site = copy_site(FIXTURE, tmp_path / "site")
    with (site / "config.yaml").open("a", encoding="utf-8") as config:
        config.write("feeds:\n  items: 2\n  content: summary\n")
    out = build(site).output
    for path in feeds_in(out):
        feed = parsed(path)
        assert len(feed.entries) <= 2, path
        assert all("content" not in entry for entry in feed.entries), path
    assert len(parsed(out / "aktuelles/feed.xml").entries) == 2


def test_a_retitled_article_keeps_its_id(tmp_path: Path) -> None:
    site = copy_site(FIXTURE, tmp_path / "site")
    ids = {e.title: e.id for e in parsed(build(site).output / "aktuelles/atom.xml").entries}
    article = site / "content/news/2021-05-01-pflege.md"
    article.write_text(
        article.read_text(encoding="utf-8").replace("Pflege braucht Zeit", "Pflege braucht mehr"),
        encoding="utf-8",
    )
    after = {e.title: e.id for e in parsed(build(site).output / "aktuelles/atom.xml").entries}
    assert after["Pflege braucht mehr"] == ids["Pflege braucht Zeit"]
    assert len(after) == len(ids)


def test_hostile_title_stays_text_in_the_feed_xml(hostile: Path) -> None:
    for path in feeds_in(hostile):
        tree = lxml.etree.parse(str(path))
        assert not tree.xpath("//*[local-name()='script']"), path
        for title in tree.xpath(
            "//*[local-name()='item' or local-name()='entry']/*[local-name()='title']"
        ):
            assert "<" not in title.text or title.text == HOSTILE
    feed = parsed(hostile / "themen/wohnen/feed.xml")
    assert HOSTILE in [reader_text(entry.title_detail) for entry in feed.entries]


def test_autodiscovery_links_in_every_head_and_topic_feed_on_topic_page(example: Path) -> None:
    for page in ("index.html", "aktuelles/index.html", "impressum/index.html", "404.html"):
        head = lxml.html.fromstring((example / page).read_bytes()).head
        hrefs = {
            link.get("href") for link in head.findall("link") if link.get("rel") == "alternate"
        }
        assert {"/aktuelles/feed.xml", "/aktuelles/atom.xml", "/veranstaltungen/feed.xml"} <= hrefs
    topic = lxml.html.fromstring((example / "themen/wohnen/index.html").read_bytes())
    first = topic.head.find("link[@rel='alternate'][@type]")  # a feed, not a language
    assert first.get("href") == "/themen/wohnen/feed.xml"
    assert first.get("title").endswith("Thema: Wohnen (RSS)")
    visible = {a.get("href") for a in topic.body.iter("a")}
    assert {"/themen/wohnen/feed.xml", "/abonnieren/"} <= visible


def test_explanation_page_links_every_feed_and_calendar(example: Path) -> None:
    page = lxml.html.fromstring((example / "abonnieren/index.html").read_bytes())
    assert page.findtext(".//h1") == "RSS-Feeds und Kalender abonnieren"
    for path in feeds_in(example):
        # Each language's page lists its language's feeds (/en/abonnieren/: /en/...).
        rel = path.relative_to(example).as_posix()
        folder = rel.split("/")[0] + "/" if rel.split("/")[0] in LANGUAGE_FOLDERS else ""
        explained = lxml.html.fromstring((example / folder / "abonnieren/index.html").read_bytes())
        assert "/" + rel in {a.get("href") for a in explained.iter("a")}, rel
    links = {a.get("href") for a in page.iter("a")}
    assert "webcal://www.paritaet-beispiel.de/veranstaltungen/kalender.ics" in links
    footer = lxml.html.fromstring((example / "index.html").read_bytes()).find(".//footer")
    assert "/abonnieren/" in {a.get("href") for a in footer.iter("a")}


def test_a_bad_or_shared_id_is_an_editor_error(tmp_path: Path, run) -> None:
    site = copy_site(FIXTURE, tmp_path / "site")
    (site / "content/news/a.md").write_text(
        "---\ntitle: A\ndate: 2020-02-02\nid: alter titel\n---\nText\n", encoding="utf-8"
    )
    (site / "content/news/b.md").write_text(
        "---\ntitle: B\ndate: 2020-02-03\nid: /aktuelles/pflege/\n---\nText\n", encoding="utf-8"
    )
    (site / "content/news/c.md").write_text(
        "---\ntitle: C\ndate: 2020-02-04\nupdated: 2020-02-01\n---\nText\n", encoding="utf-8"
    )
    result = run("--root", site)
    assert result.code == 1
    lines = result.err.splitlines()
    assert any(line.startswith("content/news/a.md:4: error: 'id' must be") for line in lines)
    assert (
        "content/news/b.md: error: id https://test.example.org/aktuelles/pflege/ is also the "
        "id of content/news/2021-05-01-pflege.md; give one an 'id:'" in lines
    )
    assert "content/news/c.md:4: error: 'updated' is before 'date'" in result.err
    assert "Traceback" not in result.err


def test_an_english_site_gets_english_feeds_and_explanations(tmp_path: Path) -> None:
    site = copy_site(FIXTURE, tmp_path / "site")
    config = site / "config.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("language: de", "language: en"),
        encoding="utf-8",
    )
    out = build(site).output
    assert parsed(out / "veranstaltungen/atom.xml").feed.title == "Testverband – Events"
    assert parsed(out / "themen/wohnen/feed.xml").feed.title == "Testverband – Topic: Wohnen"
    explained = lxml.html.fromstring((out / "abonnieren/index.html").read_bytes())
    assert explained.findtext(".//h1") == "Subscribe to feeds and calendars"
