"""Where an import may write: every value that becomes part of a path checked strictly, and
the one function that joins such parts below content/.

An export is input from elsewhere: a date, a slug or a file name in it may hold `../`, a
drive letter, a backslash or a Windows device name. Only plain lower-case ASCII names pass.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from litfass.errors import LitfassError
from litfass.i18n import _
from litfass.slugs import slugify

# Names Windows keeps for devices, with any extension: `con.md` cannot be opened there.
RESERVED = frozenset(
    ["con", "prn", "aux", "nul", "conin$", "conout$"]
    + [f"{device}{n}" for device in ("com", "lpt") for n in "0123456789¹²³"]
)
# One folder or file name: lower-case letters, digits, '-', '_' and single dots inside.
_PART = re.compile(r"[a-z0-9](?:[a-z0-9_-]|\.(?!\.)){0,150}(?<=[a-z0-9])")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?")
# What may stay as it is in the `# imported from` line: no space, no line break, ASCII only.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def is_plain_name(part: str) -> bool:
    """Whether `part` can be a folder or file name on every system without surprise."""
    return bool(_PART.fullmatch(part)) and part.split(".", 1)[0] not in RESERVED


def plain_slug(text: str) -> str:
    """The slug of `text`, never a Windows device name ('con' -> 'con-2')."""
    slug = slugify(text)
    return f"{slug}-2" if slug in RESERVED else slug


def inside_content(content: Path, parts: tuple[str, ...]) -> Path:
    """`content/part/part/...`, refused unless every part is a plain name and it stays inside."""
    shown = "/".join(parts)
    bad = next((part for part in parts if not is_plain_name(part)), None)
    if not parts or bad is not None:
        message = _("refusing to write {path}: '{part}' is not a plain file name")
        raise LitfassError.at(shown, 0, message.format(path=shown, part=bad or ""))
    root = content.resolve()
    target = root.joinpath(*parts)
    if not target.resolve().is_relative_to(root):  # a folder there may be a link elsewhere
        message = _("refusing to write {path}: it would land outside content/")
        raise LitfassError.at(shown, 0, message.format(path=shown))
    return content.joinpath(*parts)


def strict_date(text: str) -> str:
    """'2019-11-04 10:00' from a WordPress date, or "" unless it is exactly a real date."""
    match = _DATE.fullmatch(text.strip())
    if match is None:
        return ""
    try:
        year, month, day, hour, minute, _second = (int(g or 0) for g in match.groups())
        when = datetime(year, month, day, hour, minute)
    except ValueError:  # month 13, February 30
        return ""
    return when.strftime("%Y-%m-%d %H:%M") if when.year > 1 else ""


def address_key(address: str) -> str:
    """An address as the build compares them: without the final '/' and in lower case."""
    return address.rstrip("/").lower() or "/"


def marked_url(url: str) -> str:
    """An old URL fit for the one-line `# imported from` comment: nothing can break the line."""
    return quote(url.strip(), safe=_URL_SAFE)
