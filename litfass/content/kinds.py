"""Which kinds of files in content/ may be published: nothing a browser would run as the site.

HTML, JavaScript and CSS from content/ would run with the site's own address (its CSP allows
its own scripts), so only passive kinds are published; an SVG is read with a real XML parser
and refused if it could run script or load anything.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from litfass.i18n import _

# .md, and the other endings Jekyll, Hugo and Eleventy read as Markdown
MARKDOWN = (".md", ".markdown", ".mdown", ".mkd")
_BUNDLE_INDEXES = tuple(f"/index{ending}" for ending in MARKDOWN)
IMAGES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".svg")
DOCUMENTS = (".pdf", ".doc", ".docx", ".odt", ".ods", ".odp", ".xls", ".xlsx", ".ppt", ".pptx")
MEDIA = (".mp3", ".m4a", ".ogg", ".oga", ".opus", ".wav", ".mp4", ".m4v", ".webm", ".ogv")
TEXT = (".txt", ".csv", ".ics")
PUBLISHED = frozenset((*IMAGES, *DOCUMENTS, *MEDIA, *TEXT))
ACTIVE = frozenset((".html", ".htm", ".xhtml", ".shtml", ".js", ".mjs", ".css", ".xml", ".xsl"))
MAX_SVG = 5 * 1024 * 1024  # a drawing, not a data dump: a larger one is refused unread

# Elements that run script or embed another document, in SVG or XHTML.
_FORBIDDEN = {"script", "foreignObject", "iframe", "embed", "object", "handler", "listener"}
_URL = re.compile(r"url\(\s*['\"]?\s*([^)'\"\s]*)", re.I)
_IMPORT = re.compile(r"@import", re.I)


def is_markdown(name: str) -> bool:
    """Whether a content file is an item's text (and not a file published as it is)."""
    return name.endswith(MARKDOWN)


def is_bundle_index(content_rel: str) -> bool:
    """Whether a content file is the text of a folder item, its files beside it."""
    return content_rel.endswith(_BUNDLE_INDEXES)


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


def svg_problem(path: Path) -> tuple[int, str] | None:
    """(line, why) an SVG could run script or load from elsewhere, if it could."""
    if path.stat().st_size > MAX_SVG:
        return 0, _("SVG file is too large (at most 5 MB)")
    return svg_data_problem(path.read_bytes())


def svg_data_problem(data: bytes) -> tuple[int, str] | None:
    """(line, why) these SVG bytes could run script or load from elsewhere, if they could:
    the build's check, also for a drawing uploaded in the browser editor."""
    import lxml.etree  # here: a site without SVGs never needs it

    if len(data) > MAX_SVG:
        return 0, _("SVG file is too large (at most 5 MB)")
    # No entities, no DTD, nothing from the network: the file alone is read, as it is.
    parser = lxml.etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = lxml.etree.fromstring(data, parser)
    except lxml.etree.XMLSyntaxError as exc:
        return exc.lineno or 0, _("not a valid SVG file: {reason}").format(reason=exc.msg)
    if root.getroottree().docinfo.internalDTD is not None:
        return 1, _("SVG with its own DOCTYPE declarations (entities); export it again without")
    if lxml.etree.QName(root).localname != "svg":
        return _line(root), _("not an SVG drawing: its first element is not <svg>")
    for node in root.iter():
        found = _node_problem(node)
        if found:
            return _line(node), found
    return None


def _line(node: object) -> int:
    line = getattr(node, "sourceline", None)
    return line if isinstance(line, int) else 0


def _node_problem(node) -> str | None:
    """What in one element (or comment, or processing instruction) could run or load."""
    import lxml.etree

    if isinstance(node, lxml.etree._ProcessingInstruction):
        return _("SVG with a processing instruction (<?{name} ...?>)").format(name=node.target)
    if not isinstance(node.tag, str):
        return None  # a comment or an entity left unresolved: nothing runs
    name = lxml.etree.QName(node).localname
    if name in _FORBIDDEN:
        return _("SVG with <{name}>: it could run script; export the drawing again without").format(
            name=name
        )
    if name == "style" and node.text:
        found = _css_problem(node.text)
        if found:
            return found
    for attribute, value in node.attrib.items():
        local = lxml.etree.QName(attribute).localname
        if local.lower().startswith("on"):
            return _("SVG with the event handler '{name}': it could run script").format(name=local)
        if local == "href" and not value.strip().startswith("#"):
            return _(
                "SVG refers to '{target}': only references inside the drawing (#id) are allowed"
            ).format(target=value.strip())
        if local in ("attributeName",) and value.strip().lower() in ("href", "xlink:href"):
            return _("SVG animates a reference: it could load or run something")
        found = _css_problem(value)
        if found:
            return found
    return None


def _css_problem(text: str) -> str | None:
    """A url() that is not a reference inside the drawing, or an @import."""
    if _IMPORT.search(text):
        return _("SVG style with @import: only references inside the drawing (#id) are allowed")
    for target in _URL.findall(text):
        if target and not target.startswith("#"):
            return _(
                "SVG refers to '{target}': only references inside the drawing (#id) are allowed"
            ).format(target=target)
    return None
