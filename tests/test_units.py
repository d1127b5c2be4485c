"""Unit tests per module: slugs, dates, YAML, front matter, Markdown, pagination, writing."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from litfass.content.frontmatter import read_source
from litfass.content.markup import first_paragraph, render_markdown, resolve_links
from litfass.dates import parse_when
from litfass.errors import LitfassError
from litfass.outputs import Pager, path_of
from litfass.slugs import is_slug, slugify
from litfass.write.staging import Staging
from litfass.yamldoc import load_mapping

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Fachtag in Görlitz: Straßen", "fachtag-in-goerlitz-strassen"),
        ("Fachtag in Görlitz", "fachtag-in-goerlitz"),
        ("Ärger über Öl & Übermut", "aerger-ueber-oel-uebermut"),
        ("  ", "seite"),
    ],
)
def test_german_slugs(title: str, slug: str) -> None:
    assert slugify(title) == slug
    assert is_slug(slug)


def test_is_slug_rejects_paths() -> None:
    assert not is_slug("../etc")
    assert not is_slug("Groß")


@pytest.mark.parametrize(
    ("text", "expected", "timed"),
    [
        ("2019-11-04", datetime(2019, 11, 4, tzinfo=BERLIN), False),
        ("2019-11-04 10:30", datetime(2019, 11, 4, 10, 30, tzinfo=BERLIN), True),
        ("04.11.2019", datetime(2019, 11, 4, tzinfo=BERLIN), False),
        ("4.11.19 10 Uhr", datetime(2019, 11, 4, 10, tzinfo=BERLIN), True),
        ("4.11.2019, 10.30 Uhr", datetime(2019, 11, 4, 10, 30, tzinfo=BERLIN), True),
    ],
)
def test_dates_editors_type(text: str, expected: datetime, timed: bool) -> None:
    assert parse_when(text, BERLIN) == (expected, timed)


@pytest.mark.parametrize("text", ["11/04/2019", "2019-13-01", "morgen", "31.02.2019"])
def test_unreadable_dates_are_rejected_with_an_example(text: str) -> None:
    with pytest.raises(ValueError, match=r"write e\.g\. 2019-11-04"):
        parse_when(text, BERLIN)


def test_yaml_keeps_key_lines_with_offset() -> None:
    doc = load_mapping("title: A\n\ndate: 2019-11-04\n", "x.md", first_line=2)
    assert doc.line("title") == 2
    assert doc.line("date") == 4


def test_yaml_tab_gets_a_hint() -> None:
    with pytest.raises(LitfassError) as caught:
        load_mapping("title: A\n\tdate: x\n", "x.md", first_line=2)
    assert "tab character" in str(caught.value)


def test_front_matter_with_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_bytes("\ufeff---\r\ntitle: Ä\r\n---\r\nText\r\n".encode())
    source = read_source(path, "content/news/x.md", "news/x.md")
    assert source.meta.data == {"title": "Ä"}
    assert source.body == "Text\n"
    assert source.body_line == 4


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_bytes("---\ntitle: A\n---\nGr\xfc\xdfe\n".encode("latin-1"))
    with pytest.raises(LitfassError, match=r"x.md:4: not UTF-8"):
        read_source(path, "x.md", "news/x.md")


def test_markdown_is_sanitised_unless_allowed() -> None:
    body = 'Hallo <script>alert(1)</script><a href="javascript:x" onclick="y">z</a>'
    safe = render_markdown(body, allow_html=False)
    assert "<script" not in safe and "javascript:" not in safe and "onclick" not in safe
    assert "<script>" in render_markdown(body, allow_html=True)


def test_links_to_content_files_become_urls() -> None:
    html = render_markdown("[Fachtag](../events/fachtag.md#programm)", allow_html=False)
    urls = {"events/fachtag.md": "/veranstaltungen/fachtag/"}
    assert 'href="/veranstaltungen/fachtag/#programm"' in resolve_links(html, "news/x.md", urls)


def test_first_paragraph_is_plain_text() -> None:
    html = render_markdown("## Titel\n\nDer **Verband** lädt &amp; ein.\n\nZweiter.", False)
    assert first_paragraph(html) == "Der Verband lädt & ein."


def test_pager_window_stays_small() -> None:
    pager = Pager(50, 400, (), "/aktuelles/")
    assert pager.window == [1, None, 48, 49, 50, 51, 52, None, 400]
    assert pager.url(1) == "/aktuelles/"
    assert pager.next_url == "/aktuelles/seite/51/"


def test_paths_of_urls() -> None:
    assert path_of("/") == "index.html"
    assert path_of("/aktuelles/x/") == "aktuelles/x/index.html"
    assert path_of("/aktuelles/feed.xml") == "aktuelles/feed.xml"


def test_staging_swaps_in_and_links_unchanged_files(tmp_path: Path) -> None:
    output = tmp_path / "output"
    first = Staging(output)
    first.put("a/index.html", b"eins")
    first.put("b.txt", b"zwei")
    first.commit()
    inode = os.stat(output / "a/index.html").st_ino
    second = Staging(output)
    second.put("a/index.html", b"eins")
    second.put("c.txt", b"drei")
    second.commit()
    assert sorted(p.name for p in output.rglob("*") if p.is_file()) == ["c.txt", "index.html"]
    assert os.stat(output / "a/index.html").st_ino == inode
    assert (second.stats.written, second.stats.unchanged) == (1, 1)
    assert not list(tmp_path.glob(".litfass-staging-*"))


@pytest.mark.parametrize("rel", ["../x", "/etc/passwd", "a/../../x", "a\\b"])
def test_staging_refuses_paths_outside(tmp_path: Path, rel: str) -> None:
    staging = Staging(tmp_path / "output")
    with pytest.raises(LitfassError, match="outside output"):
        staging.put(rel, b"x")
    staging.discard()


def test_front_matter_keys_are_one_string_for_every_page() -> None:
    """Every page names the same few keys: each is one string in the process, not one a
    page (40,000 items sent 400,000 copies from the workers to the build's process)."""
    first = load_mapping('title: "Eins"\ntags: [Pflege]\n', "a.md")
    second = load_mapping("".join(["title: ", '"Zwei"\n', "tags: [Kita]\n"]), "b.md")
    for key in ("title", "tags"):
        (one,) = (k for k in first.data if k == key)
        (other,) = (k for k in second.lines if k == key)
        assert one is other
