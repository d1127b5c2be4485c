"""`import wordpress` with an export an attacker wrote (issue: nothing runs, nothing leaks):
every value that becomes part of a path, and every value that goes into front matter.

The property test writes exports full of hostile strings (`../`, absolute and Windows paths,
backslashes, `%00`, drive letters, device names, look-alike dots, very long names, line
breaks that would add front-matter keys), imports each with the real command into a fresh
site, and reads every written file back.
"""

from __future__ import annotations

import html
import os
import re
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_import import UPLOADS, import_into

from conftest import FIXTURE, copy_site
from litfass.content.frontmatter import read_source
from litfass.errors import LitfassError
from litfass.importers.paths import inside_content, is_plain_name, strict_date
from litfass.values import one_line

OLD = "https://alt.example.org"
HOSTILE = [
    "../", "..\\", "/etc/", "C:\\Windows\\", "c:", "D:/", "CON", "con.md", "NUL", "aux.jpg",
    "COM1", "LPT9.txt", "\u2024\u2024/", "\uff0e\uff0e\uff0f", "%2e%2e%2f", "%2e%2e/", "%00",
    "..%2F..%2F", "\\\\server\\share\\", "~", ".", "..", ".htaccess", " ", "\u202e", "x" * 300,
    "\n", "\ndraft: false\n", "\nsummary: evil\n", "\nimage: /etc/passwd\n", "---", "#", ":",
    "'", '"', "ü", "/", "\\", "\t", "2019-11-04 ", "10:00:00", "index.md", "?p=1", "&amp;",
]  # fmt: skip
# Only what XML can carry: no control characters but tab and line feed, no lone surrogates.
_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\t\n"),
    max_size=12,
)
hostile = st.lists(st.sampled_from(HOSTILE) | _TEXT, max_size=6).map("".join)
FIELDS = ("date", "slug", "title", "link", "parent_slug", "file")
KEYS = {"title", "date", "aliases", "image", "image_alt", "menu", "tags", "category"}


def export_with(values: dict[str, str]) -> str:
    """A WXR 1.2 export: a post using an upload, and a page below a parent page."""
    upload = f"{OLD}/wp-content/uploads/{values['file']}"
    body = f"<p>Text.</p><p><img src={quoteattr(upload)} alt='Bild'></p>"

    def item(number: int, kind: str, name: str, parent: int = 0, extra: str = "") -> str:
        return (
            f"<item><title>{escape(values['title'])}</title>"
            f"<link>{escape(OLD + '/' + values['link'] + str(number))}</link>"
            f"<guid isPermaLink='false'>{OLD}/?p={number}</guid>"
            f"<content:encoded>{escape(body)}</content:encoded>"
            f"<wp:post_id>{number}</wp:post_id>"
            f"<wp:post_date>{escape(values['date'])}</wp:post_date>"
            f"<wp:post_name>{escape(name)}</wp:post_name><wp:status>publish</wp:status>"
            f"<wp:post_parent>{parent}</wp:post_parent><wp:post_type>{kind}</wp:post_type>"
            f"{extra}</item>\n"
        )

    thumbnail = (
        "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key>"
        "<wp:meta_value>9</wp:meta_value></wp:postmeta>"
    )
    attachment = (
        f"<item><title>a</title><wp:post_id>9</wp:post_id><wp:post_parent>1</wp:post_parent>"
        f"<wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status>"
        f"<wp:attachment_url>{escape(upload)}</wp:attachment_url></item>\n"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
        f"<wp:base_site_url>{OLD}</wp:base_site_url>\n"
        + item(1, "post", values["slug"], extra=thumbnail)
        + attachment
        + item(2, "page", values["parent_slug"])
        + item(3, "page", values["slug"], parent=2)
        + "</channel></rss>\n"
    )


def every_path(folder: Path) -> set[str]:
    found = set()
    for path, folders, files in os.walk(folder):
        found.update(os.path.join(path, name) for name in folders + files)
    return found


@settings(max_examples=25, deadline=None)
@given(st.fixed_dictionaries(dict.fromkeys(FIELDS, hostile)))
@example(
    {
        "date": "../../../../escaped 10:00:00",
        "slug": "..%2F..%2F..%2Fevil",
        "title": "CON",
        "link": "x/\ndraft: false\nsummary: evil\nimage: /etc/passwd",
        "parent_slug": "C:\\Windows\\System32",
        "file": "..\\..\\..\\evil.jpg",
    }
)
@example(
    {
        "date": "2019-11-04 10:00:00/../../x",
        "slug": "\u2024\u2024/\u2024\u2024/nul",
        "title": "\n---\ndraft: false\n",
        "link": "%0Adraft:%20false",
        "parent_slug": "/etc/cron.d/x",
        "file": "%2e%2e/%2e%2e/LPT1.jpg" + "x" * 300,
    }
)
@example(  # found by this test: '%00' in an upload's address reached the file system
    {"date": "", "slug": "", "title": "", "link": "", "parent_slug": "", "file": "%00"}
)
@example(  # found by this test: a name too long for the file system was looked up raw
    {"date": "", "slug": "", "title": "", "link": "", "parent_slug": "", "file": "x" * 300}
)
def test_nothing_an_export_holds_lands_outside_content_or_adds_a_key(
    values: dict[str, str],
) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        top = Path(temporary)
        site = copy_site(FIXTURE, top / "deep" / "down" / "site")
        export = top / "export.xml"
        export.write_text(export_with(values), encoding="utf-8")
        before = every_path(top)
        done = import_into(site, "wordpress", export, "--uploads", UPLOADS)
        assert "Traceback" not in done.err
        added = every_path(top) - before
        content = str(site / "content") + os.sep
        assert all(path.startswith(content) for path in added), added
        written = [Path(p) for p in added if p.endswith(".md")]
        assert done.code in (0, 1), done.err
        for path in written:
            check_front_matter(path, values)


def check_front_matter(path: Path, values: dict[str, str]) -> None:
    """Read a written file back: its keys are the writer's, its values what the export said."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    assert lines[0] == "---" and lines[1].startswith("# imported from ")
    assert re.fullmatch(r"# imported from \S+", lines[1]), lines[1]  # one line, one URL
    assert lines[2].startswith("title: ")
    source = read_source(path, path.name, path.name)
    meta = source.meta.data
    assert set(meta) <= KEYS, set(meta)
    assert "draft" not in meta and "summary" not in meta  # published, no excerpt in the export
    title = one_line(html.unescape(values["title"]))
    assert meta["title"] == (title or meta["title"])
    if "image" in meta:
        assert is_plain_name(meta["image"])  # beside the file: reported missing, never fetched
    if "date" in meta:
        assert str(meta["date"])[:16] in (strict_date(values["date"]), "2026-11-20 12:00")


@pytest.mark.parametrize(
    "parts",
    [
        ("..", "x.md"),
        ("news", "..", "..", "x.md"),
        ("news", "c:", "x.md"),
        ("news", "C:\\x.md"),
        ("news", "/etc/x.md"),
        ("news", "con.md"),
        ("news", "Nul"),
        ("news", "a\\..\\b.md"),
        ("news", "x\x00.md"),
        ("news", "\u2024\u2024"),
        ("news", "x" * 200 + ".md"),
        ("news", ".hidden.md"),
        (),
    ],
)
def test_the_one_join_refuses_every_part_that_is_not_a_plain_name(
    tmp_path: Path, parts: tuple[str, ...]
) -> None:
    with pytest.raises(LitfassError, match="refusing to write"):
        inside_content(tmp_path / "content", parts)


def test_the_one_join_refuses_a_folder_that_leads_elsewhere(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "news").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (content / "news" / "link").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(LitfassError, match="outside content/"):
        inside_content(content, ("news", "link", "x.md"))
    assert inside_content(content, ("news", "2019-11-04-x", "index.md")) == (
        content / "news" / "2019-11-04-x" / "index.md"
    )


def entity_export(path: Path, declarations: str, reference: str) -> Path:
    """A small export with a DOCTYPE declaring `declarations`, using `reference` in its text."""
    export = export_with(
        {
            "date": "2019-11-04 10:00:00",
            "slug": "fachtag",
            "title": "Fachtag",
            "link": "fachtag/",
            "parent_slug": "verband",
            "file": "bild.jpg",
        }
    ).split("\n", 1)[1]
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE rss [{declarations}]>\n'
        + export.replace("<title>Fachtag</title>", f"<title>Fachtag {reference}</title>"),
        "utf-8",
    )
    return path


def test_an_external_entity_in_an_export_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "geheim.txt"
    secret.write_text("GEHEIMNIS", "utf-8")
    export = entity_export(
        tmp_path / "export.xml", f'<!ENTITY xxe SYSTEM "file://{secret}">', "&xxe;"
    )
    site = copy_site(FIXTURE, tmp_path / "site")
    done = import_into(site, "wordpress", export, "--uploads", UPLOADS)
    assert "Traceback" not in done.err and "imported 3 items" in done.err, done.err
    written = b"".join(p.read_bytes() for p in (site / "content").rglob("*.md"))
    assert b"GEHEIMNIS" not in written


def test_an_entity_bomb_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    laughs = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    export = entity_export(tmp_path / "export.xml", f'<!ENTITY l0 "ha">{laughs}', "&l9;")
    site = copy_site(FIXTURE, tmp_path / "site")
    before = every_path(site)
    done = import_into(site, "wordpress", export)
    assert done.code == 1
    assert done.err.startswith(f"{export}:1: error: not readable as XML: "), done.err
    assert every_path(site) == before


def test_a_date_that_is_not_a_date_gives_the_import_day_and_a_note(tmp_path: Path) -> None:
    values = {
        "date": "2019-11-04 10:00:00/../../../etc",
        "slug": "fachtag",
        "title": "Fachtag",
        "link": "fachtag/",
        "parent_slug": "verband",
        "file": "bild.jpg",
    }
    export = tmp_path / "export.xml"
    export.write_text(export_with(values), encoding="utf-8")
    site = copy_site(FIXTURE, tmp_path / "site")
    done = import_into(site, "wordpress", export)
    rel = "content/news/2026-11-20-fachtag/index.md"
    assert (site / rel).is_file(), done.out + done.err
    report = done.out.split(f"{rel}: was {OLD}/fachtag/1\n", 1)[1]
    assert report.startswith(
        "  the export's date is not a date: dated by the day of the import\n"
    ), report
