"""Render Markdown bodies to safe HTML, and resolve links between content files.

Rendering depends only on the body text and the renderer settings, so its result can be
cached and computed in any process; links to `.md` files are resolved afterwards.
"""

from __future__ import annotations

import html
import posixpath
import re
from functools import lru_cache

import markdown
import nh3
from markdown.inlinepatterns import LinkInlineProcessor

from litfass.content import foreign
from litfass.slugs import slugify
from litfass.values import printable

EXTENSIONS = ["extra", "sane_lists", "toc"]
SETTINGS_VERSION = "2"  # bump when the rendering below changes, to invalidate caches

# An allowlist fit for articles: no script, style, iframe, forms or event handlers.
TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time",
    "tr", "u", "ul", "h1", "section",
}  # fmt: skip
ATTRIBUTES = {
    "*": {"id", "title", "lang"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align", "style"},
    "th": {"colspan", "rowspan", "align", "scope", "style"},
    "ol": {"start", "reversed", "type"},
    "time": {"datetime"},
    "abbr": {"title"},
    "li": {"value"},
    "div": {"class"},
    "sup": {"class"},
}
# The languages a code block may be marked with (```python): kept as class="language-…", for a
# theme's stylesheet or a reader's highlighter; nh3 wants them listed.
LANGUAGES = (
    "bash", "c", "cpp", "csharp", "css", "csv", "diff", "go", "html", "ini", "java",
    "javascript", "js", "json", "latex", "markdown", "md", "php", "powershell", "python", "py",
    "r", "ruby", "rust", "scss", "sh", "shell", "sql", "text", "toml", "ts", "typescript",
    "xml", "yaml", "yml",
)  # fmt: skip
CODE_CLASSES = {"code": {f"language-{name}" for name in LANGUAGES}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
_LINK = re.compile(r'(href|src)="([^"#?:]+\.md)(#[^"]*)?"')
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
_TAG = re.compile(r"<[^>]+>")


@lru_cache(maxsize=2)
def _renderer() -> markdown.Markdown:
    md = markdown.Markdown(
        extensions=EXTENSIONS,
        extension_configs={"toc": {"slugify": lambda text, sep: slugify(text), "toc_depth": "2-4"}},
        output_format="html",
    )
    for pattern in md.inlinePatterns:
        # Python-Markdown 3.11 finds where each `[` of a paragraph with a link closes in a
        # Python loop over every character: a fifth of rendering the corpus's bodies. The
        # same list, from the brackets alone (a test holds the two equal).
        if isinstance(pattern, LinkInlineProcessor) and hasattr(pattern, "_findBracketEnds"):
            pattern._findBracketEnds = bracket_ends
    return md


_BRACKET = re.compile(r"[\[\]]")


def bracket_ends(data: str) -> list[int | None]:
    """For each index of `data`, the index just past the `]` that closes a bracket opened
    before it (its depth of brackets falls below that index's), or None if none does."""
    runs = []  # (first index, index past the last, depth): indexes between two brackets
    depth = first = 0
    for found in _BRACKET.finditer(data):
        bracket = found.start()
        runs.append((first, bracket + 1, depth))
        depth += 1 if data[bracket] == "[" else -1
        first = bracket + 1
    runs.append((first, len(data) + 1, depth))
    ends: list[int | None] = [None] * (len(data) + 1)
    waiting: list[tuple[int, int, int]] = []  # the depth of each run above the one below
    for first, past, depth in runs:
        while waiting and depth < waiting[-1][2]:
            start, stop, _depth = waiting.pop()
            ends[start:stop] = [first] * (stop - start)
        waiting.append((first, past, depth))
    return ends


def render_markdown(body: str, allow_html: bool) -> str:
    """Markdown to HTML; raw HTML is sanitised unless the site trusts its editors."""
    md = _renderer()
    try:
        result = md.convert(foreign.plain_fences(body))
    finally:
        md.reset()
    if not allow_html:
        result = nh3.clean(
            result,
            tags=TAGS,
            attributes=ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            link_rel=None,
            filter_style_properties={"text-align"},
            allowed_classes=CODE_CLASSES,
            strip_comments=True,
        ).replace('<code class="">', "<code>")  # a language not in the list: none
    # Entities like &#11; come back as raw control characters, which no feed may carry.
    return printable(result)


def content_links(body_html: str, content_rel: str) -> list[tuple[str, str]]:
    """Links to `.md` files in a body: (as written, target relative to content/)."""
    if ".md" not in body_html:  # most bodies: a plain substring search is 50× faster
        return []
    folder = posixpath.dirname(content_rel)
    found = []
    for match in _LINK.finditer(body_html):
        written = html.unescape(match.group(2))
        found.append((written, _resolve(folder, written)))
    return found


def resolve_links(body_html: str, content_rel: str, urls: dict[str, str]) -> str:
    """Replace links to content files with the URL of the page built from them."""
    if ".md" not in body_html:
        return body_html
    folder = posixpath.dirname(content_rel)

    def replace(match: re.Match[str]) -> str:
        target = _resolve(folder, html.unescape(match.group(2)))
        url = urls.get(target)
        if url is None:
            return match.group(0)
        return f'{match.group(1)}="{html.escape(url)}{match.group(3) or ""}"'

    return _LINK.sub(replace, body_html)


def target_of(folder: str, written: str) -> str:
    """The content file (relative to content/) a link written in `folder` names."""
    return _resolve(folder, written)


def _resolve(folder: str, written: str) -> str:
    if written.startswith("/"):
        return posixpath.normpath(written.lstrip("/"))
    return posixpath.normpath(posixpath.join(folder, written))


def first_paragraph(body_html: str, limit: int = 300) -> str:
    """Plain text of the first paragraph, shortened at a word boundary."""
    match = _PARAGRAPH.search(body_html)
    if match is None:
        return ""
    text = " ".join(html.unescape(_TAG.sub("", match.group(1))).split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",.;:–-") + " …"
