"""JSON-LD, Open Graph, sitemap.xml and robots.txt, read by real parsers (issue: subscribers)."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.etree
import lxml.html
from subscribers import EXAMPLE_BASE, FIXTURE_BASE, HOSTILE, file_for

from conftest import FIXTURE, build, copy_site

PRESS_RELEASE = "aktuelles/soziale-traeger-als-partner-der-wohnungswirtschaft/index.html"
FACHTAG = "veranstaltungen/fachtag-soziale-traeger-als-partner-der-wohnungswirtschaft/index.html"
ONLINE = "veranstaltungen/online-fortbildung-kinderschutzkonzepte/index.html"
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def page(out: Path, rel: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((out / rel).read_bytes())


def json_ld(root: lxml.html.HtmlElement) -> list[dict]:
    return [
        json.loads(s.text) for s in root.iter("script") if s.get("type") == "application/ld+json"
    ]


def of_type(root: lxml.html.HtmlElement, kind: str) -> dict:
    (block,) = [block for block in json_ld(root) if block["@type"] == kind]
    return block


def meta(root: lxml.html.HtmlElement) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for element in root.head.iter("meta"):
        key = element.get("property") or element.get("name")
        if key and element.get("content") is not None:
            found.setdefault(key, []).append(element.get("content"))
    return found


def test_every_json_ld_block_parses(example: Path) -> None:
    pages = [p for p in example.rglob("*.html") if b"http-equiv" not in p.read_bytes()]
    for path in pages:
        root = lxml.html.fromstring(path.read_bytes())
        for block in json_ld(root):  # json.loads raises on anything that is not JSON
            assert block["@context"] == "https://schema.org", path
    for rel in ("aktuelles/", "veranstaltungen/"):
        for path in (example / rel).glob("*/index.html"):
            kinds = {b["@type"] for b in json_ld(lxml.html.fromstring(path.read_bytes()))}
            if path.parent.name not in ("archiv", "seite"):
                assert ("NewsArticle" if rel == "aktuelles/" else "Event") in kinds, path
                assert "BreadcrumbList" in kinds, path


def test_press_release_is_a_news_article(example: Path) -> None:
    root = page(example, PRESS_RELEASE)
    article = of_type(root, "NewsArticle")
    assert article["headline"] == root.findtext(".//h1")
    assert article["datePublished"] == "2019-11-04T10:00:00+01:00"
    assert article["dateModified"] == "2019-11-04T10:00:00+01:00"
    assert article["author"] == {
        "@type": "Person",
        "name": "Susanne Albrecht",
        "email": "presse@paritaet-beispiel.de",
    }
    publisher = article["publisher"]
    assert publisher["@type"] == "Organization"
    assert publisher["name"] == "Paritätischer Beispielverband Sachsen e. V."
    assert publisher["logo"]["url"] == f"{EXAMPLE_BASE}/static/logo.svg"
    assert article["url"] == root.find(".//link[@rel='canonical']").get("href")
    trail = of_type(root, "BreadcrumbList")["itemListElement"]
    assert [item["name"] for item in trail] == ["Startseite", "Aktuelles", article["headline"]]
    assert all(file_for(example, EXAMPLE_BASE, item["item"]).is_file() for item in trail)


def test_the_fachtag_is_an_event_at_a_place(example: Path) -> None:
    event = of_type(page(example, FACHTAG), "Event")
    assert event["startDate"] == "2019-11-11T09:00:00+01:00"
    assert event["endDate"] == "2019-11-11T16:00:00+01:00"
    assert event["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert event["location"] == {
        "@type": "Place",
        "name": "Volkshaus Leipzig",
        "address": {
            "@type": "PostalAddress",
            "streetAddress": "Karl-Liebknecht-Straße 30–32",
            "postalCode": "04107",
            "addressLocality": "Leipzig",
            "addressCountry": "DE",
        },
    }
    assert event["organizer"]["name"] == "Regionalgeschäftsstelle Leipzig"
    assert event["offers"]["price"] == "0.00"  # the lowest: free for members
    assert event["offers"]["priceCurrency"] == "EUR"
    assert event["offers"]["description"].startswith("kostenfrei für Mitgliedsorganisationen")


def test_online_and_all_day_events(example: Path, hostile: Path) -> None:
    online = of_type(page(example, ONLINE), "Event")
    assert online["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert online["location"] == {
        "@type": "VirtualLocation",
        "url": "https://meet.paritaet-beispiel.de/kinderschutz-2027",
    }
    fest = of_type(page(hostile, "veranstaltungen/sommerfest/index.html"), "Event")
    assert (fest["startDate"], fest["endDate"]) == ("2027-07-03", "2027-07-04")
    assert "offers" not in fest


def test_home_page_names_the_organisation_and_website(example: Path) -> None:
    root = page(example, "index.html")
    organisation = of_type(root, "Organization")
    assert organisation["url"] == f"{EXAMPLE_BASE}/"
    assert organisation["address"]["postalCode"] == "01067"
    website = of_type(root, "WebSite")
    assert website["publisher"] == {"@id": organisation["@id"]}
    assert website["inLanguage"] == root.get("lang") == "de"


def test_open_graph_and_twitter_cards(example: Path, hostile: Path) -> None:
    root = page(example, PRESS_RELEASE)
    tags = meta(root)
    canonical = root.find(".//link[@rel='canonical']").get("href")
    assert tags["og:url"] == [canonical]
    assert tags["og:type"] == ["article"]
    assert tags["og:title"] == [root.findtext(".//h1")]
    assert tags["og:description"] == tags["description"] == tags["twitter:description"]
    assert tags["description"][0].startswith("Die Regionalgeschäftsstelle Leipzig lädt")
    assert tags["article:tag"] == ["Wohnen", "Eingliederungshilfe"]
    assert tags["og:locale"] == ["de_DE"]
    # A resized variant, never the camera original.
    article = PRESS_RELEASE[: -len("index.html")]
    assert tags["og:image"] == [f"{EXAMPLE_BASE}/{article}fachtag-1200w.jpg"]
    assert tags["og:image:alt"][0].startswith("Zeichnung: Häuserzeile")
    assert tags["twitter:card"] == ["summary_large_image"]
    without = meta(page(example, "aktuelles/kaeltehilfe-leipzig-startet/index.html"))
    assert without["twitter:card"] == ["summary"]  # no image, and the SVG logo is not one
    with_image = meta(page(hostile, "aktuelles/boese/index.html"))
    assert with_image["og:image"] == [f"{FIXTURE_BASE}/aktuelles/boese/bild-8w.png"]
    assert with_image["twitter:card"] == ["summary_large_image"]
    for rel in ("index.html", "themen/wohnen/index.html", "veranstaltungen/index.html"):
        assert meta(page(example, rel))["og:url"] == [f"{EXAMPLE_BASE}/{rel[: -len('index.html')]}"]


def test_hostile_title_stays_inside_its_strings(hostile: Path) -> None:
    for rel in ("aktuelles/boese/index.html", "veranstaltungen/boese/index.html"):
        raw = (hostile / rel).read_bytes()
        root = lxml.html.fromstring(raw)
        scripts = list(root.iter("script"))
        assert all(s.get("type") == "application/ld+json" for s in scripts), rel
        assert not any("alert" in (s.text or "") and "\\u003c" not in s.text for s in scripts)
        assert root.findtext(".//h1") == HOSTILE
        assert root.findtext(".//title").startswith(HOSTILE)
        blocks = json_ld(root)
        names = [
            b.get("headline") or b.get("name") for b in blocks if b["@type"] != "BreadcrumbList"
        ]
        assert names == [HOSTILE], rel
        trail = of_type(root, "BreadcrumbList")["itemListElement"]
        assert trail[-1]["name"] == HOSTILE
        assert b"</script><script>alert" not in raw
        assert b"<!-- Kommentar" not in raw
    tags = meta(lxml.html.fromstring((hostile / "aktuelles/boese/index.html").read_bytes()))
    assert tags["og:title"] == [HOSTILE]
    assert tags["og:image:alt"] == ["</script><script>alert(3)</script>"]
    # Every page that lists the item shows the title as text, never as markup.
    for path in hostile.rglob("*.html"):
        root = lxml.html.fromstring(path.read_bytes())
        inline = [s for s in root.iter("script") if not s.get("src", "").startswith("/")]
        assert all(s.get("type") == "application/ld+json" for s in inline), path


def test_sitemap_lists_every_public_page_and_nothing_else(example: Path) -> None:
    tree = lxml.etree.parse(str(example / "sitemap.xml"))
    urls = tree.xpath("//s:url/s:loc/text()", namespaces=SITEMAP_NS)
    assert len(urls) == len(set(urls))
    files = {file_for(example, EXAMPLE_BASE, url) for url in urls}
    assert all(f is not None and f.is_file() for f in files)
    pages = {
        p
        for p in example.rglob("*.html")
        if p.name not in ("404.html", "410.html") and b'http-equiv="refresh"' not in p.read_bytes()
    }
    assert files == pages
    stamps = tree.xpath("//s:url/s:lastmod/text()", namespaces=SITEMAP_NS)
    assert stamps and all(stamp[-6] in "+-" for stamp in stamps)
    lastmod = {
        url.getparent().findtext("s:lastmod", namespaces=SITEMAP_NS)
        for url in tree.xpath("//s:url/s:loc", namespaces=SITEMAP_NS)
        if url.text == f"{EXAMPLE_BASE}/{PRESS_RELEASE[: -len('index.html')]}"
    }
    assert lastmod == {"2019-11-04T10:00:00+01:00"}


def test_robots_points_to_the_sitemap_and_previews_stay_hidden(example: Path, tmp_path) -> None:
    robots = (example / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {EXAMPLE_BASE}/sitemap.xml" in robots.splitlines()
    assert "Disallow: /" not in robots
    preview = build(copy_site(FIXTURE, tmp_path / "site"), "--drafts").output
    assert "Disallow: /" in (preview / "robots.txt").read_text(encoding="utf-8").splitlines()
    sitemap = (preview / "sitemap.xml").read_text(encoding="utf-8")
    assert (preview / "aktuelles/entwurf/index.html").is_file()
    assert "/aktuelles/entwurf/" not in sitemap


def test_two_builds_with_hostile_items_are_byte_identical(hostile: Path, tmp_path) -> None:
    site = hostile.parent
    first = {p.relative_to(hostile): p.read_bytes() for p in hostile.rglob("*") if p.is_file()}
    again = build(site).output
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first == second
