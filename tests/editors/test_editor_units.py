"""Unit tests of the editors' tools: key suggestions, headings, link lines, new files (issue 8)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from litfass.config import Config
from litfass.content.frontmatter import Source
from litfass.content.model import EVENT, MAGAZINE, NEWS, PAGE
from litfass.content.pages import KEYS, likely_key
from litfass.editors.checks import _find_address, _heading_lines, _headings
from litfass.editors.scaffold import NewItem, create
from litfass.yamldoc import YamlMapping

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.mark.parametrize(
    ("key", "kind", "meant"),
    [
        ("titel", NEWS, "title"),
        ("Datum", NEWS, "date"),
        ("zusammenfasung", NEWS, "summary"),  # a typo of the German word
        ("ort", EVENT, "location"),
        ("ort", NEWS, None),  # news have no place
        ("kategorie", EVENT, None),  # only news have a category
        ("locaton", EVENT, "location"),
        ("foerderer", NEWS, None),
    ],
)
def test_likely_key(key: str, kind: str, meant: str | None) -> None:
    assert likely_key(key, KEYS[kind]) == meant


def source(body: str, body_line: int = 5) -> Source:
    return Source("content/news/x.md", "news/x.md", YamlMapping({}, {}, 2), body, body_line)


def test_heading_lines_know_markdown_headings_and_nothing_else() -> None:
    body = "\n".join(
        [
            "## Programm ##",  # 5: closing hashes are not part of the text
            "Unterstrichen",  # 6: setext level 1 ...
            "=============",
            "Auch eins",  # 8: ... and level 2
            "---",
            "",
            "---",  # 11: after a blank line a rule, not a heading
            "- Punkt",
            "---",  # 13: after a list item a rule
            "```",
            "# Code",  # 15: inside a fence
            "```",
            "    # eingerückt",  # 17: indented code
            "#Hashtag",  # 18: no space: text
            "### Ende",  # 19
        ]
    )
    assert _heading_lines(source(body)) == [
        (5, 2, "Programm"),
        (6, 1, "Unterstrichen"),
        (8, 2, "Auch eins"),
        (19, 3, "Ende"),
    ]


def test_heading_order() -> None:
    found = _headings(source("### Zu tief\n\n## Gut\n\n### Gut\n\n##### Zu tief\n\n# Titel"))
    assert [(p.line, p.message.split("'")[1]) for p in found] == [
        (5, "### Zu tief"),
        (11, "##### Zu tief"),
        (13, "# Titel"),
    ]
    assert "after the title" in found[0].message
    assert "after '### Gut'; use '#### Zu tief'" in found[1].message


@pytest.mark.parametrize(
    ("body", "index"),
    [
        ("[a](/aktuelles/x/) [b](/aktuelles/)", 23),  # not inside the longer address
        ('<a href="/aktuelles/">', 9),
        ("[a]: /aktuelles/\n", 5),
        ("<https://example.org/aktuelles/>", -1),
        ("/aktuelles/ am Zeilenanfang", 0),
    ],
)
def test_find_address_matches_whole_addresses(body: str, index: int) -> None:
    assert _find_address(body, "/aktuelles/", 0) == index


@pytest.mark.parametrize(
    ("kind", "extra", "offered"),
    [
        (NEWS, {}, KEYS[NEWS] - {"updated", "id"}),
        (EVENT, {"start": "2027-03-12T10:00"}, KEYS[EVENT] - {"updated", "id"}),
        (MAGAZINE, {}, KEYS[MAGAZINE] - {"tags", "region"}),
        (PAGE, {}, KEYS[PAGE] - {"tags", "region", "date"}),
    ],
)
def test_new_files_offer_every_useful_key(
    tmp_path: Path, kind: str, extra: dict, offered: set[str]
) -> None:
    """Filled in or commented out: every key an editor may need is in the new file."""
    config = Config(root=tmp_path, title="T", base_url="https://example.org")
    path = create(config, NewItem(kind=kind, title="Fachtag in Görlitz", now=NOW, **extra))
    head = path.read_text(encoding="utf-8").split("---\n")[1]
    filled = set(yaml.safe_load(head))
    commented = set(re.findall(r"^# (\w+):", head, re.M))
    assert filled | commented == offered
    assert not filled & commented - {"location"}
    assert yaml.safe_load(head)["slug"] == "fachtag-in-goerlitz"


def test_one_slug_rule_for_file_names() -> None:
    """Issue 24, point 10: `new --image` and the browser editor name a file alike."""
    from litfass.slugs import file_name

    assert file_name("Pressefoto_Übergabe.jpg") == "pressefoto-uebergabe.jpg"
    assert file_name("Pressefoto_U\u0308bergabe.JPG") == "pressefoto-uebergabe.jpg"  # a Mac's NFD
    assert file_name("pressefoto_übergabe.jpg") == "pressefoto-uebergabe.jpg"  # as Decap sends it


def test_an_entry_names_its_uploads_by_the_names_they_got() -> None:
    from litfass.preview.cms import with_file_names

    raw = (
        "image: pressefoto_übergabe.jpg\n---\n![Foto](pressefoto_%C3%BCbergabe.jpg) "
        "Version 2.0, z.B. foto.jpg und Plan_A.pdf\n"
    )
    assert with_file_names(raw, {"pressefoto-uebergabe.jpg", "Plan_A.pdf"}) == (
        "image: pressefoto-uebergabe.jpg\n---\n![Foto](pressefoto-uebergabe.jpg) "
        "Version 2.0, z.B. foto.jpg und Plan_A.pdf\n"
    )


def test_the_editor_config_keeps_file_names_for_the_backend(tmp_path: Path) -> None:
    from litfass.preview.cmsconfig import Terms, config_yml

    config = Config(root=tmp_path, title="T", base_url="https://example.org")
    document = yaml.safe_load(config_yml(config, terms=Terms()))
    # Decap's own rule would turn "Ü" into "U" before the backend could say "Ue".
    assert document["slug"] == {
        "encoding": "unicode",
        "clean_accents": False,
        "sanitize_replacement": "-",
    }
    news = {f["name"]: f for f in document["collections"][0]["fields"]}
    assert news["slug"]["pattern"][1] == "nur Kleinbuchstaben a-z, Ziffern 0-9 und Bindestriche"
