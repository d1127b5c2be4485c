"""Addresses written in content read as a browser reads them (the WHATWG URL standard).

A check that looks for `://` is stepped around by `//host/x.gif`, `https:\\\\host`,
`/\\host` or a tab inside `https:`; a browser reads each as another host. Every decision
whether an address stays on the site or leaves it goes through this module (with ada,
the parser Node.js uses), so links, images and feeds judge an address the same way.
"""

from __future__ import annotations

from urllib.parse import unquote

import ada_url

WEB_SCHEMES = ("http:", "https:")


def parsed(written: str, base: str) -> ada_url.URL | None:
    """`written` as a browser on the page at `base` (an absolute address) reads it; None
    where a browser could not follow it at all."""
    try:
        return ada_url.URL(written, base)
    except ValueError:
        return None


def remote_host(written: str, base: str) -> str | None:
    """The host a browser would ask for `written` when it is another web host than the
    site's (`//host/x.gif` included), else None."""
    url = parsed(written, base)
    if url is None or url.protocol not in WEB_SCHEMES or url.origin == parsed_origin(base):
        return None
    return url.hostname


def site_path(written: str, base: str) -> str | None:
    """The path on the site `written` leads to, decoded (`/aktuelles/x/`), or None when it
    leaves the site."""
    url = parsed(written, base)
    if url is None or url.origin != parsed_origin(base):
        return None
    return unquote(url.pathname)


def parsed_origin(base: str) -> str:
    url = parsed(base, base)
    return url.origin if url is not None else ""


def absolute(written: str, base: str) -> str:
    """`written` made absolute against `base` as a browser follows it (for feed readers,
    which read items away from the site); as written where a browser could not follow it."""
    url = parsed(written.strip(), base)
    return url.href if url is not None else written
