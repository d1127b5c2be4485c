"""Which kinds of files in content/ may be published: nothing a browser would run as the site.

HTML, JavaScript and CSS from content/ would run with the site's own address (its CSP allows
its own scripts), so only passive kinds are published; an SVG is published only as rebuilt
by `svg.py`.
"""

from __future__ import annotations

import posixpath

from litfass.i18n import _

IMAGES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".svg")
DOCUMENTS = (".pdf", ".doc", ".docx", ".odt", ".ods", ".odp", ".xls", ".xlsx", ".ppt", ".pptx")
MEDIA = (".mp3", ".m4a", ".ogg", ".oga", ".opus", ".wav", ".mp4", ".m4v", ".webm", ".ogv")
TEXT = (".txt", ".csv", ".ics")
PUBLISHED = frozenset((*IMAGES, *DOCUMENTS, *MEDIA, *TEXT))
ACTIVE = frozenset((".html", ".htm", ".xhtml", ".shtml", ".js", ".mjs", ".css", ".xml", ".xsl"))


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
