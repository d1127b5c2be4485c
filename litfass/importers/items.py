"""An item read from another system, before it becomes a content file: what every reader
(WordPress, feeds) produces and the writer consumes.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from litfass.content.pages import is_alias
from litfass.i18n import N_

# Why a post is kept from the public (Item.withheld), and the note an editor reads about it.
PASSWORD = "password"
PRIVATE = "private"
WITHHELD = {
    PASSWORD: N_("password-protected in WordPress: imported as a draft, the password left behind"),
    PRIVATE: N_("private in WordPress: imported as a draft"),
}
DATE_UNREADABLE = N_("the export's date is not a date: dated by the day of the import")


@dataclass(frozen=True)
class Item:
    """One post, page or feed entry, its body already Markdown."""

    kind: str  # NEWS or PAGE
    title: str
    old_url: str  # the address it had, for messages and to recognise it on the next run
    body: str
    date: str = ""  # "2019-11-04 10:00", local time of the site; "" when unknown
    slug: str = ""
    folders: tuple[str, ...] = ()  # a page's parents, as folders below content/pages/
    parent: str = ""  # the old URL of the parent page, whose folder it goes into if written
    summary: str = ""
    category: str = ""
    tags: tuple[str, ...] = ()
    draft: bool = False
    contact: str = ""
    image: str = ""  # old URL of the featured image
    image_alt: str = ""
    menu: int | None = None
    aliases: tuple[str, ...] = ()  # old addresses as paths: "/2019/11/04/slug/"
    files: tuple[tuple[str, str], ...] = ()  # (old URL, file name) the body uses
    shortcodes: tuple[str, ...] = ()  # left as text: an editor has to look
    withheld: str = ""  # PASSWORD or PRIVATE: a draft, whatever its status was
    notes: tuple[str, ...] = ()  # further notes for an editor, as message ids (N_)


def old_path(url: str) -> str:
    """An old address as an alias ('/2019/11/04/slug/', '/?p=12'), or "" if it cannot be one.

    Old systems write non-ASCII slugs percent-encoded; an alias is the decoded path.
    """
    parts = urlsplit(url.strip())
    path = unquote(parts.path) or "/"
    alias = f"{path}?{unquote(parts.query)}" if parts.query else path
    return alias if is_alias(alias) and alias != "/" else ""
