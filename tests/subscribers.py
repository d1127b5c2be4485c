"""Helpers of the subscriber tests (feeds, calendars, metadata): build once, map URLs to files.

The hostile items are written into a copy of the fixture site, never into tests/fixtures.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import lxml.html
from PIL import Image

HOSTILE = "</script><script>alert(1)</script>"
EXAMPLE_BASE = "https://www.paritaet-beispiel.de"
FIXTURE_BASE = "https://test.example.org"
# Lines break inside a quoted YAML value, to try to smuggle a property into a calendar.
SMUGGLER = "Abend\r\nBEGIN:VALARM\r\nTRIGGER:-PT5M"

HOSTILE_ARTICLE = f"""---
title: "{HOSTILE}"
date: 2021-06-02 09:00
updated: 2021-06-03 12:30
summary: "<!-- Kommentar --> </script><script>alert(2)</script> & mehr"
tags: [Wohnen, "</script>"]
contact: {{name: "</script><b>x", email: presse@test.example.org}}
image: bild.png
image_alt: "</script><script>alert(3)</script>"
id: /aktuelles/alter-titel/
---
Siehe ![Ein Bild](bild.png), [das Team](../../pages/ueber-uns/index.md),
[weiter unten](#unten) und [die Termine](/veranstaltungen/).

<script>alert(4)</script>

## Unten

Ende.
"""

HOSTILE_EVENT = f"""---
title: "{HOSTILE}"
date: 2026-10-01
start: 2027-03-01 18:00
end: 2027-03-01 20:00
location: {{name: "</script>; Raum, 2", address: "Weg 1, 04109 Leipzig"}}
cost: 5 Euro
tags: [Wohnen]
---
Text mit [Link](../news/2021-05-01-pflege.md).
"""

SMUGGLING_EVENT = """---
title: "Abend\\r\\nBEGIN:VALARM\\r\\nTRIGGER:-PT5M"
start: 2027-03-02
---
Text.
"""


def reader_text(detail: feedparser.FeedParserDict) -> str:
    """The text a feed reader shows for a title or description: one that is HTML, rendered."""
    if detail.type == "text/html":
        return lxml.html.fragment_fromstring(detail.value, create_parent="div").text_content()
    return detail.value


def add_hostile_items(site: Path) -> None:
    """An article (a folder with an image) and events whose values try to break out."""
    folder = site / "content/news/2021-06-02-boese"
    folder.mkdir(parents=True)
    (folder / "index.md").write_text(HOSTILE_ARTICLE, encoding="utf-8")
    Image.new("RGB", (8, 6), (200, 30, 30)).save(folder / "bild.png")
    (site / "content/events/boese.md").write_text(HOSTILE_EVENT, encoding="utf-8")
    (site / "content/events/zeilen.md").write_text(SMUGGLING_EVENT, encoding="utf-8")


def file_for(out: Path, base_url: str, url: str) -> Path | None:
    """The file in output/ that an absolute URL of the site names; None for other hosts."""
    parts, base = urlsplit(url), urlsplit(base_url)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return None
    path = parts.path.lstrip("/")
    return out / (path + "index.html" if path == "" or path.endswith("/") else path)
