"""Markdown written for Jekyll, Hugo, Eleventy or Pelican: the conventions litfass shares,
and warnings for the template tags it does not run (see docs/content.md, "Coming from ...").

A file brought along from another site must build, or say in the editor's words what to change.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from litfass.i18n import _

# "2016-03-10-making-it-easier.md", "2016-03-10-fachtag/index.md": the day Jekyll, Hugo and
# Eleventy take as the date of a post when its front matter has none.
_NAME_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})-.")
# An opening fence with attributes: ```css {file="site.css" copy=true}, ```{.python}, ~~~ {r}.
_FENCE_WITH_ATTRIBUTES = re.compile(
    r"(?P<fence>`{3,}|~{3,})[ ]*(?P<lang>\.?[\w#+.-]+)?[ ]*\{(?P<attrs>[^{}\n]*)\}[ ]*"
)
_FENCE = re.compile(r"(`{3,}|~{3,})")
_CLASS = re.compile(r"(?:^|\s)\.([\w#+-]+)")
_WORD = re.compile(r"^\s*([\w#+-]+)(?:\s|$)")
_CODE_SPAN = re.compile(r"(`+).+?\1")
# Hugo's shortcodes and Liquid's tags (Jekyll, Eleventy), as they would be printed.
_SHORTCODE = re.compile(r"\{\{[<%].*?[>%]\}\}")
_LIQUID = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_RAW = re.compile(r"\{%-?\s*(?:end)?raw\s*-?%\}")
# Pelican's (and MultiMarkdown's) metadata: "Title: ..." lines at the top, no '---'.
_METADATA_LINE = re.compile(r"[A-Za-z][\w-]*:(?:\s.*)?")


def name_date(content_rel: str) -> str:
    """The day at the start of an item's file or folder name ("2016-03-10"), or ""."""
    path = posixpath.splitext(content_rel)[0]
    name = posixpath.basename(posixpath.dirname(path) if path.endswith("/index") else path)
    found = _NAME_DATE.match(name)
    return found[1] if found else ""


def plain_fences(body: str) -> str:
    """Opening fences with attributes made plain fences in their language.

    Python-Markdown reads ```python and ```{.python}, but not a language followed by
    attributes (Hugo's ```css {file="site.css"}); such a block would become a paragraph of
    code with its attributes as text. The attributes (file names, line numbers, copy buttons)
    mean something only to the generator they were written for, so they are dropped.
    """
    if "{" not in body:
        return body
    lines = body.split("\n")
    for number, fence in _fences(lines):
        found = _FENCE_WITH_ATTRIBUTES.fullmatch(lines[number])
        if found:
            lines[number] = fence + _language(found["lang"], found["attrs"])
    return "\n".join(lines)


def template_tags(body: str) -> Iterator[tuple[int, str, str]]:
    """(0-based line, tag, message) of each line with a template tag outside code.

    litfass runs no templates in content: a Liquid tag or a Hugo shortcode would be
    published as it is written, braces and all.
    """
    if "{{" not in body and "{%" not in body:
        return
    lines = body.split("\n")
    for number in _prose_lines(lines):
        text = _CODE_SPAN.sub("", lines[number])
        found = _RAW.search(text) or _SHORTCODE.search(text) or _LIQUID.search(text)
        if found:
            yield number, found[0], _tag_message(found).format(tag=found[0])


def _tag_message(found: re.Match[str]) -> str:
    if found.re is _RAW:
        return _(
            "'{tag}' (Liquid, from Jekyll or Eleventy) would be published as text: delete it; "
            "litfass publishes the text around it as it is written"
        )
    if found.re is _SHORTCODE:
        return _(
            "Hugo shortcode '{tag}' would be published as text: litfass has no shortcodes; "
            "write what it stands for in Markdown (a link, an image) or delete it"
        )
    return _(
        "template tag '{tag}' (Liquid, from Jekyll or Eleventy) would be published as text: "
        "litfass runs no templates in content; write what it stands for, or delete it"
    )


def pelican_metadata(lines: list[str]) -> int:
    """The number of "Key: value" lines at the top, if they are Pelican's metadata, or 0."""
    count = 0
    while count < len(lines) and _METADATA_LINE.fullmatch(lines[count].rstrip()):
        count += 1
    keys = {line.split(":", 1)[0].strip() for line in lines[:count]}
    # Capitalised, as Pelican writes them: `title:` lines are front matter without its '---'.
    return count if "Title" in keys else 0


def pelican_message(last: int) -> str:
    """How to turn Pelican's metadata (lines 1 to `last`) into front matter."""
    return _(
        "no front matter, but Pelican's metadata ('Title: ...' lines): add a line '---' "
        "before line 1 and one after line {last}, and write the keys in lower case "
        "('title:', 'date:', 'tags: [Wohnen, Pflege]')"
    ).format(last=last)


def _language(lang: str | None, attributes: str) -> str:
    """The language of a fence: the word before the braces, or the first .class in them,
    or the first bare word (Pandoc's and R Markdown's ```{r echo=FALSE})."""
    if lang:
        return lang.lstrip(".")
    found = _CLASS.search(attributes) or _WORD.match(attributes)
    return found[1] if found and "=" not in found[0] else ""


def _fences(lines: list[str]) -> Iterator[tuple[int, str]]:
    """(line, fence) of every opening fence, not of fences shown inside a longer one."""
    open_fence = ""
    for number, line in enumerate(lines):
        found = _FENCE.match(line)
        if not found:
            continue
        if not open_fence:
            open_fence = found[1]
            yield number, open_fence
        elif _closes(found[1], open_fence, line):
            open_fence = ""


def _prose_lines(lines: list[str]) -> Iterator[int]:
    """The lines that are not code: outside fences and indented code blocks."""
    open_fence, indented, blank = "", False, True
    for number, line in enumerate(lines):
        found = _FENCE.match(line)
        if open_fence:
            if found and _closes(found[1], open_fence, line):
                open_fence = ""
            continue
        if found:
            open_fence = found[1]
            continue
        indented = line.startswith(("    ", "\t")) and (blank or indented)
        blank = not line.strip()
        if not indented and not blank:
            yield number


def _closes(fence: str, open_fence: str, line: str) -> bool:
    """Whether a fence line closes the open one: the same character, at least as many, and
    nothing after it."""
    return (
        fence[0] == open_fence[0]
        and len(fence) >= len(open_fence)
        and not line[len(fence) :].strip()
    )
