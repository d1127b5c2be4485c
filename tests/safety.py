"""Inspect a built site for anything that could run a script in a reader's browser or app.

HTML pages, feeds (and the HTML inside them) and calendars are parsed with real parsers.
Shared by the escaping tests and the property-based tests.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import icalendar
import lxml.etree
import lxml.html

SCRIPT_TAG = re.compile(rb"<script\b", re.I)
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "srcset", "content"}
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")
# Elements of a feed item whose text readers render as HTML (channel texts are plain).
HTML_IN_FEEDS = {"description", "{http://purl.org/rss/1.0/modules/content/}encoded"}
ATOM = "{http://www.w3.org/2005/Atom}"
ICS_COMPONENTS = {"VCALENDAR", "VEVENT", "VTIMEZONE", "STANDARD", "DAYLIGHT"}


def unsafe_spots(folder: Path) -> list[str]:
    """Every place in the site's files where markup or a link could run code."""
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.suffix == ".html":
            found += [f"{rel}: {spot}" for spot in html_spots(path.read_bytes())]
        elif path.suffix == ".xml":
            found += [f"{rel}: {spot}" for spot in xml_spots(path.read_bytes())]
        elif path.suffix == ".ics":
            found += [f"{rel}: {spot}" for spot in ics_spots(path.read_bytes())]
    return found


def ics_spots(data: bytes) -> list[str]:
    """A calendar must parse, and hold no component a value smuggled in (an alarm...)."""
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError as exc:
        return [f"not a valid calendar: {exc}"]
    names = {component.name for component in calendar.walk()}
    return [f"unexpected {name} component" for name in sorted(names - ICS_COMPONENTS)]


def html_spots(data: bytes, fragment: bool = False) -> list[str]:
    """Scripts other than JSON-LD, event handlers, frames, and script URLs in an HTML file."""
    if not data.strip():
        return []
    document = (
        lxml.html.fragment_fromstring(data, create_parent="div")
        if fragment
        else (lxml.html.document_fromstring(data))
    )
    spots = []
    json_ld = 0  # scripts that are allowed: JSON-LD and the theme's own files
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        tag = element.tag.lower()
        if tag == "script":
            if element.get("type") == "application/ld+json" and not fragment:
                json_ld += 1
                _check_json(element.text or "", spots)
            elif _theme_script(element) and not fragment:
                json_ld += 1  # the theme's own file, e.g. /static/search.js
            else:
                spots.append(f"<script> element: {lxml.html.tostring(element)[:80]!r}")
        elif tag in ("iframe", "object", "embed", "frame"):
            spots.append(f"<{tag}> element")
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                spots.append(f"event handler {name}={value[:40]!r}")
            if name.lower() in URL_ATTRIBUTES and _dangerous_url(value, element, name):
                spots.append(f"script URL in {name}={value[:60]!r}")
    if len(SCRIPT_TAG.findall(data)) != json_ld:
        spots.append("a '<script' in the bytes that is neither JSON-LD nor a theme script")
    return spots


def _theme_script(element: lxml.html.HtmlElement) -> bool:
    """A script file of the theme, served by the site itself, with nothing inline."""
    source = element.get("src", "")
    return source.startswith("/static/") and ".." not in source and not (element.text or "").strip()


def _dangerous_url(value: str, element: lxml.html.HtmlElement, name: str) -> bool:
    if name.lower() == "content" and element.get("http-equiv", "").lower() != "refresh":
        return False  # <meta name="description" content="..."> is text, not a URL
    # Browsers drop control characters and whitespace inside URLs before reading the scheme.
    squeezed = "".join(ch for ch in value if ord(ch) > 32).lower()
    if name.lower() == "content":
        squeezed = squeezed.split("url=", 1)[-1]
    return squeezed.startswith(DANGEROUS_SCHEMES)


def _check_json(text: str, spots: list[str]) -> None:
    try:
        json.loads(text)
    except ValueError as exc:
        spots.append(f"JSON-LD that is not JSON: {exc}")
    if "</" in text or "<!--" in text:
        spots.append("JSON-LD that could end its <script> element")


def xml_spots(data: bytes) -> list[str]:
    """A feed must be well-formed, carry no markup of its own, and only safe HTML inside."""
    try:
        root = lxml.etree.fromstring(data, lxml.etree.XMLParser(resolve_entities=False))
    except lxml.etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    spots = []
    if SCRIPT_TAG.search(data):
        spots.append("a '<script' in the bytes of an XML file")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = element.tag.rsplit("}", 1)[-1].lower()
        if local == "script":
            spots.append("<script> element in XML")
        parent = element.getparent()
        in_item = parent is not None and parent.tag in ("item", f"{ATOM}entry")
        is_html = (in_item and element.tag in HTML_IN_FEEDS) or (
            element.tag.startswith(ATOM) and element.get("type") in ("html", "xhtml")
        )
        if is_html and element.text:
            spots += [f"in <{local}>: {s}" for s in html_spots(element.text.encode(), True)]
    return spots
