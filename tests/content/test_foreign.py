"""Markdown from Jekyll, Hugo, Eleventy and Pelican builds, or says what to change (issue 24, 3).

A volunteer's old site, copied into content/: dates in file names, `.markdown` files, fences
with attributes, `redirect_from:`, template tags, Pelican's metadata lines.
"""

from __future__ import annotations

from pathlib import Path

import lxml.html

from conftest import NOW, build

JEKYLL_POST = """\
---
title: Making it easier
redirect_from:
  - /blog/making-it-easier.html
  - /2016/03/10/making-it-easier/
---
Dear {{ site.title }} readers, the stylesheet:

```css {file="site.css" copy=true}
body { color: {{ site.color }}; }
```

```{.python}
print("hello")
```

``` python
x = 1
```

Write `{{ page.title }}` in a template, and:

{{< youtube w7Ft2ymGmfc >}}

{% raw %}
"""


def test_a_jekyll_post_builds_with_the_date_from_its_name(fixture_site: Path, run) -> None:
    news = fixture_site / "content/news"
    (news / "2016-03-10-making-it-easier.markdown").write_text(JEKYLL_POST, encoding="utf-8")
    result = build(fixture_site)

    shown = "content/news/2016-03-10-making-it-easier.markdown"
    liquid = "(Liquid, from Jekyll or Eleventy) would be published as text"
    assert result.err.splitlines() == [
        f"{shown}:7: warning: template tag '{{{{ site.title }}}}' {liquid}: litfass runs no "
        "templates in content; write what it stands for, or delete it",
        f"{shown}:23: warning: Hugo shortcode '{{{{< youtube w7Ft2ymGmfc >}}}}' would be "
        "published as text: litfass has no shortcodes; write what it stands for in Markdown "
        "(a link, an image) or delete it",
        f"{shown}:25: warning: '{{% raw %}}' {liquid}: delete it; litfass publishes the text "
        "around it as it is written",
    ]
    page = fixture_site / "output/aktuelles/making-it-easier/index.html"
    tree = lxml.html.parse(str(page))
    assert tree.xpath("//time/@datetime")[0].startswith("2016-03-10")
    blocks = [(code.get("class"), code.text_content()) for code in tree.xpath("//main//pre/code")]
    assert blocks == [
        ("language-css", "body { color: {{ site.color }}; }\n"),
        ("language-python", 'print("hello")\n'),
        ("language-python", "x = 1\n"),
    ]
    assert "file=" not in page.read_text(encoding="utf-8")
    # redirect_from: the old addresses lead here, as `aliases` would
    for old in ("blog/making-it-easier.html", "2016/03/10/making-it-easier/index.html"):
        moved = (fixture_site / "output" / old).read_text(encoding="utf-8")
        assert "/aktuelles/making-it-easier/" in moved
    # the source itself is never copied to output/
    assert not list((fixture_site / "output").rglob("*.markdown"))


def test_markdown_endings_and_a_dated_folder(fixture_site: Path, run) -> None:
    news = fixture_site / "content/news"
    (news / "mdown.mdown").write_text("---\ntitle: Mdown\ndate: 2020-02-02\n---\nEins.\n")
    (news / "mkd.mkd").write_text("---\ntitle: Mkd\ndate: 2020-02-03\n---\nZwei.\n")
    (news / "2016-04-01-ordner").mkdir()
    (news / "2016-04-01-ordner/index.markdown").write_text("---\ntitle: Ordner\n---\nDrei.\n")
    (news / "2016-04-01-ordner/plan.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    # An event's file name carries the day it takes place, not the day it appears.
    (fixture_site / "content/events/2026-12-24-heiligabend.md").write_text(
        "---\ntitle: Heiligabend\nstart: 2026-12-24 16:00\nlocation: Kirche\n---\nText.\n"
    )
    assert build(fixture_site).err == ""

    output = fixture_site / "output/aktuelles"
    assert "Eins." in (output / "mdown/index.html").read_text(encoding="utf-8")
    assert "Zwei." in (output / "mkd/index.html").read_text(encoding="utf-8")
    folder = lxml.html.parse(str(output / "ordner/index.html"))
    assert folder.xpath("//time/@datetime")[0].startswith("2016-04-01")
    assert (output / "ordner/plan.pdf").is_file()
    assert not list((fixture_site / "output").rglob("*.m*d*own"))
    events = fixture_site / "output/veranstaltungen/index.html"
    assert "Heiligabend" in events.read_text(encoding="utf-8")


def test_fenced_code_keeps_template_tags_without_a_warning(fixture_site: Path, run) -> None:
    (fixture_site / "content/news/2020-03-03-vorlagen.md").write_text(
        "---\ntitle: Vorlagen\n---\n````\n```liquid {x=1}\n{{ site.x }}\n```\n````\n\n"
        "    {% include footer.html %}\n\nText mit `{{< x >}}`.\n",
        encoding="utf-8",
    )
    assert build(fixture_site).err == ""
    page = fixture_site / "output/aktuelles/vorlagen/index.html"
    codes = lxml.html.parse(str(page)).xpath("//main//pre/code/text()")
    assert codes[0] == "```liquid {x=1}\n{{ site.x }}\n```\n"


def test_pelican_metadata_says_how_to_convert_it(fixture_site: Path, run) -> None:
    (fixture_site / "content/news/2016-02-30-kein-tag.md").write_text("---\ntitle: X\n---\n")
    (fixture_site / "content/news/pelican.md").write_text(
        "Title: My super title\nDate: 2010-12-03 10:20\nTags: thats, awesome\n"
        "Slug: my-super-post\n\nThis is the content of my super blog post.\n",
        encoding="utf-8",
    )
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 1
    assert result.err.splitlines()[:2] == [
        # no day in the name: the missing date is reported
        "content/news/2016-02-30-kein-tag.md:2: error: 'date' is missing; add e.g. "
        "'date: 2019-11-04'",
        "content/news/pelican.md:1: error: no front matter, but Pelican's metadata "
        "('Title: ...' lines): add a line '---' before line 1 and one after line 4, and "
        "write the keys in lower case ('title:', 'date:', 'tags: [Wohnen, Pflege]')",
    ]
