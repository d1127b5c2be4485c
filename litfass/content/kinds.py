"""Which kinds of files in content/ may be published: nothing a browser would run as the site.

HTML, JavaScript and CSS from content/ would run with the site's own address (its CSP allows
its own scripts), so only passive kinds are published; an SVG is published only as rebuilt
by `svg.py`.
"""

from __future__ import annotations

import posixpath

from litfass.i18n import _
from litfass.languages import split_translation

# .md, and the other endings Jekyll, Hugo and Eleventy read as Markdown
MARKDOWN = (".md", ".markdown", ".mdown", ".mkd")
_BUNDLE_INDEXES = tuple(f"/index{ending}" for ending in MARKDOWN)
IMAGES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".svg")
DOCUMENTS = (".pdf", ".doc", ".docx", ".odt", ".ods", ".odp", ".xls", ".xlsx", ".ppt", ".pptx")
MEDIA = (".mp3", ".m4a", ".ogg", ".oga", ".opus", ".wav", ".mp4", ".m4v", ".webm", ".ogv")
TEXT = (".txt", ".csv", ".ics")
PUBLISHED = frozenset((*IMAGES, *DOCUMENTS, *MEDIA, *TEXT))
ACTIVE = frozenset((".html", ".htm", ".xhtml", ".shtml", ".js", ".mjs", ".css", ".xml", ".xsl"))


def is_markdown(name: str) -> bool:
    """Whether a content file is an item's text (and not a file published as it is)."""
    return name.endswith(MARKDOWN)


def is_bundle_index(content_rel: str, tags: tuple[str, ...] = ()) -> bool:
    """Whether a content file is the text of a folder item, its files beside it; with the
    site's translation `tags`, a translation's too (`index.en.md`)."""
    if content_rel.endswith(_BUNDLE_INDEXES):
        return True
    name = split_translation(posixpath.basename(content_rel), tags)[0] if tags else ""
    return ("/" + name).endswith(_BUNDLE_INDEXES)


def kind_problem(name: str, trusted: bool) -> str | None:
    """Why a file of this name is not published, if it is not."""
    ext = posixpath.splitext(name)[1].lower()
    if ext in PUBLISHED or trusted:
        return None
    if ext in ACTIVE:
        return _(
            "{ext} files are active content (they could run script or restyle the site) and "
            "are not published; put the text in a .md file (only a site whose editors are all "
            "trusted sets 'markdown: {{allow_html: true}}')"
        ).format(ext=ext)
    return _(
        "'{name}' is not a kind of file the site publishes: images (JPEG, PNG, WebP, GIF, "
        "SVG), PDF and office documents, audio, video, text, CSV and calendars are"
    ).format(name=name)
