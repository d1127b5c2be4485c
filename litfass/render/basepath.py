"""A rendered page for a site below a folder of its host (base_url https://verein.example/portal/).

Content, navigation and themes write site paths ('/aktuelles/x/'); here every one of them in
a page's tags becomes the host's path through `Config.href`, the one function that knows the
folder. At the host's root nothing is rewritten: the page stays byte for byte as rendered.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

# One tag, its quoted attribute values whole: text between tags (a code sample showing
# `<a href="/x">` is `&lt;a href="/x"&gt;` there) is never touched.
_TAG = re.compile(r"<[A-Za-z][^<>\"']*(?:(?:\"[^\"]*\"|'[^']*')[^<>\"']*)*>")
_URL = re.compile(r"""(\s(?:href|src|action|poster|data)\s*=\s*)(["'])(/[^"']*)\2""", re.I)
_SRCSET = re.compile(r"""(\s(?:srcset|imagesrcset)\s*=\s*)(["'])([^"']*)\2""", re.I)
_REFRESH = re.compile(r"""(\scontent\s*=\s*(["'])\s*\d+\s*;\s*url\s*=\s*)(/[^"']*)\2""", re.I)


def below_base(page: str, href: Callable[[str], str]) -> str:
    """`page` with every site path in its links, sources, forms and refreshes through `href`."""
    one = partial(_one, href=href)
    candidates = partial(_candidates, href=href)
    refresh = partial(_refresh, href=href)

    def tag(found: re.Match[str]) -> str:
        text = found[0]
        # Most tags (<p>, <li>, <span class="x">) hold no path: every address rewritten
        # starts with '/', so they are kept without running the patterns (a page has hundreds).
        if "/" not in text:
            return text
        text = _URL.sub(one, text)
        if "srcset" in text.lower():
            text = _SRCSET.sub(candidates, text)
        lowered = text.lower()
        if "content" in lowered and "url" in lowered:
            text = _REFRESH.sub(refresh, text)
        return text

    return _TAG.sub(tag, page)


def _one(found: re.Match[str], href: Callable[[str], str]) -> str:
    return found[1] + found[2] + href(found[3]) + found[2]


def _candidates(found: re.Match[str], href: Callable[[str], str]) -> str:
    parts = [_candidate(part, href) for part in found[3].split(",")]
    return found[1] + found[2] + ",".join(parts) + found[2]


def _refresh(found: re.Match[str], href: Callable[[str], str]) -> str:
    return found[1] + href(found[3]) + found[2]


def _candidate(candidate: str, href: Callable[[str], str]) -> str:
    """One 'url 2x' of a srcset, its spaces kept."""
    stripped = candidate.lstrip()
    lead = candidate[: len(candidate) - len(stripped)]
    return lead + href(stripped) if stripped.startswith("/") else candidate
