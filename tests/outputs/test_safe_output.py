"""Editors' text is escaped for every context it lands in; raw HTML is sanitised.

A site whose every front-matter value is a script injection is built once, then each page
and feed is parsed with real parsers (lxml, feedparser) and searched for anything that runs.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import feedparser
import icalendar
import lxml.html
import pytest
import yaml
from subscribers import reader_text

from conftest import FIXTURE, NOW, copy_site, snapshot
from litfass.cli import main
from litfass.content.markup import render_markdown
from litfass.errors import LitfassError
from litfass.render.templates import json_script
from litfass.write.staging import Staging
from safety import html_spots, unsafe_spots

# Every way out of a text node, an attribute, a URL, a <script> block, XML and CDATA.
EVIL = (
    "</title></h1><script>alert('x')</script>\"'><img src=x onerror=alert(1)>"
    "&amp;&lt;{{ 7*7 }}<!-- ]]> \u2028 javascript:alert(1)"
)
EVIL_BODY = """\
Text <script>alert(1)</script> und <b onclick="alert(2)">fett</b>.

<iframe src="https://evil.example"></iframe><style>body{display:none}</style>
<a href="javascript:alert(3)">Link</a> <a href="JaVaScRiPt&colon;alert(4)">Link</a>
<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=" alt="x"> <svg onload="alert(5)"></svg>
<form action="https://evil.example"><input name="pw"></form>
<math><mtext><table><mglyph><style><img src=x onerror=alert(6)></style></mglyph></table></mtext></math>

[Link](javascript:alert(7)) ![Bild](javascript:alert(8)) <https://example.org/ok>
"""


def item(meta: dict, body: str = EVIL_BODY) -> str:
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + body


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = copy_site(FIXTURE, tmp_path_factory.mktemp("hostile") / "site")
    content = site / "content"
    common = {"title": EVIL, "summary": EVIL, "tags": [EVIL, "Wohnen"], "region": EVIL}
    (content / "news/boese.md").write_text(
        item(
            {
                **common,
                "date": "2026-11-19 10:00",
                "category": EVIL,
                "dateline": EVIL,
                "image_alt": EVIL,
                "contact": {"name": EVIL, "phone": EVIL, "email": "presse@test.example.org"},
                "foerderer": EVIL,  # an unknown key: reaches templates as page.extra
            }
        ),
        encoding="utf-8",
    )
    (content / "events/boese.md").write_text(
        item(
            {
                **common,
                "start": "2027-01-10 10:00",
                "location": {"name": EVIL, "address": EVIL},
                "organizer": EVIL,
                "cost": EVIL,
                "registration": 'https://test.example.org/anmeldung?x="><script>alert(1)</script>',
            }
        ),
        encoding="utf-8",
    )
    (content / "magazine/boese.md").write_text(
        item({**common, "date": "2026-10-01", "issue": EVIL, "theme": EVIL, "pdf": "heft.pdf"}),
        encoding="utf-8",
    )
    (content / "pages/boese.md").write_text(item({**common, "menu": 3}), encoding="utf-8")
    config = site / "config.yaml"
    config.write_text(
        config.read_text(encoding="utf-8")
        .replace("title: Testverband", f"title: {json.dumps(EVIL)}")
        .replace("tagline: Ein kleiner Verband für Tests", f"tagline: {json.dumps(EVIL)}"),
        encoding="utf-8",
    )
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["--root", str(site), "--now", NOW]) == 0
    return site


def page(site: Path, rel: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((site / "output" / rel).read_bytes())


def test_nothing_in_the_built_site_can_run(hostile_site: Path) -> None:
    assert unsafe_spots(hostile_site / "output") == []


@pytest.mark.parametrize(
    "rel",
    [
        "aktuelles/boese/index.html",
        "veranstaltungen/boese/index.html",
        "magazin/boese/index.html",
        "boese/index.html",
    ],
)
def test_text_arrives_as_written_in_text_and_attributes(hostile_site: Path, rel: str) -> None:
    document = page(hostile_site, rel)
    shown = " ".join(EVIL.replace("\u2028", " ").split())
    assert document.cssselect("h1")[0].text_content() == shown
    assert document.cssselect("title")[0].text_content().startswith(shown)
    assert document.cssselect('meta[name="description"]')[0].get("content") == shown


def test_urls_keep_their_query_escaped(hostile_site: Path) -> None:
    document = page(hostile_site, "veranstaltungen/boese/index.html")
    button = document.cssselect("a.button")[0]
    assert button.get("href") == 'https://test.example.org/anmeldung?x="><script>alert(1)</script>'


def test_feeds_carry_the_text_and_nothing_else(hostile_site: Path) -> None:
    shown = " ".join(EVIL.replace("\u2028", " ").split())
    for name in ("feed.xml", "atom.xml"):
        feed = feedparser.parse((hostile_site / "output/aktuelles" / name).read_bytes())
        assert not feed.bozo, feed.bozo_exception
        entry = next(e for e in feed.entries if e.link.endswith("/aktuelles/boese/"))
        assert reader_text(entry.title_detail) == shown
        assert {tag.term for tag in entry.tags} == {shown, "Wohnen"}


def test_calendars_and_json_ld_carry_the_text_and_nothing_else(hostile_site: Path) -> None:
    shown = " ".join(EVIL.replace("\u2028", " ").split())
    out = hostile_site / "output/veranstaltungen/boese"
    calendar = icalendar.Calendar.from_ical((out / "kalender.ics").read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == shown
    assert str(event["LOCATION"]).startswith(shown)
    document = lxml.html.fromstring((out / "index.html").read_bytes())
    data = [json.loads(s.text) for s in document.cssselect('script[type="application/ld+json"]')]
    events = [d for d in data if d.get("@type") == "Event"]
    assert [d["name"] for d in events] == [shown]


def test_raw_html_is_sanitised_by_default() -> None:
    html = render_markdown(EVIL_BODY, allow_html=False)
    assert html_spots(html.encode(), fragment=True) == []
    for gone in ("<script", "onclick", "<iframe", "<style", "javascript", "data:", "<form"):
        assert gone not in html.lower()
    document = lxml.html.fragment_fromstring(html, create_parent="div")
    assert document.cssselect("b")[0].text_content() == "fett"  # harmless markup stays
    assert document.cssselect('a[href="https://example.org/ok"]')


def test_allow_html_trusts_editors_and_says_so(fixture_site: Path, run) -> None:
    (fixture_site / "content/news/roh.md").write_text(
        '---\ntitle: Roh\ndate: 2020-01-01\n---\n<iframe src="https://video.example"></iframe>\n',
        encoding="utf-8",
    )
    config = fixture_site / "config.yaml"
    config.write_text(config.read_text() + "markdown:\n  allow_html: true\n")
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 0
    assert "note: markdown.allow_html is on: raw HTML from editors is published unfiltered" in (
        result.out
    )
    assert '<iframe src="https://video.example">' in (
        fixture_site / "output/aktuelles/roh/index.html"
    ).read_text(encoding="utf-8")


def test_json_script_cannot_end_its_element() -> None:
    text = str(json_script({"name": "</script><script>alert(1)</script><!--", "x": "&"}))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"name": "</script><script>alert(1)</script><!--", "x": "&"}


@pytest.mark.parametrize("rel", ["../x", "/etc/passwd", "a/../../x", "a//b", "./x", "a\\..\\x"])
def test_staging_refuses_paths_outside_output(tmp_path: Path, rel: str) -> None:
    staging = Staging(tmp_path / "output")
    try:
        with pytest.raises(LitfassError, match="refusing to write outside output/"):
            staging.put(rel, b"x")
    finally:
        staging.discard()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_nothing_is_written_or_read_outside_the_site(fixture_site: Path, tmp_path: Path, run):
    """Hostile slugs, aliases and links: the build fails and the rest of the disk is untouched."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "geheim.txt").write_text("geheim", encoding="utf-8")
    before = snapshot(tmp_path)
    content = fixture_site / "content"
    (content / "news/a.md").write_text(
        item({"title": "A", "date": "2020-01-01", "slug": "../../outside"})
    )
    (content / "news/b.md").write_text(
        item({"title": "B", "date": "2020-01-01", "aliases": ["/../../outside/x", "//outside/y"]})
    )
    (content / "dokumente").mkdir()
    (content / "dokumente/geheim.txt").symlink_to(outside / "geheim.txt")
    (content / "extern").symlink_to(outside)
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 1
    assert len(result.err.splitlines()) == 6
    after = snapshot(tmp_path)
    assert {k: v for k, v in after.items() if not k.startswith("site/")} == {
        k: v for k, v in before.items() if not k.startswith("site/")
    }
    assert not (fixture_site / "output").exists()


def test_copied_site_keeps_no_link_to_outside(fixture_site: Path, run) -> None:
    shutil.copy(FIXTURE / "config.yaml", fixture_site / "config.yaml")
    (fixture_site / "content/dokumente").mkdir()
    (fixture_site / "content/dokumente/flyer.txt").write_text("Flyer", encoding="utf-8")
    assert run("--root", fixture_site, "--now", NOW).code == 0
    copied = fixture_site / "output/dokumente/flyer.txt"
    assert copied.read_text(encoding="utf-8") == "Flyer" and not copied.is_symlink()
    assert not any(p.is_symlink() for p in (fixture_site / "output").rglob("*"))
