"""Read typed values from the plain text YAML gives us, and keep editors' text printable.

Numbers, yes/no, web and e-mail addresses are recognised here, once, for config and content.
"""

from __future__ import annotations

import difflib
import re
from typing import Any
from urllib.parse import urlsplit

from litfass.errors import LitfassError
from litfass.i18n import _

TRUE = {"true", "yes", "on", "ja", "wahr"}
FALSE = {"false", "no", "off", "nein", "falsch"}
# C0 controls but tab and newline, DEL, and the two non-characters XML refuses: Word pastes
# vertical tabs for Shift+Enter; in a feed any of them makes the whole XML file invalid.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_LINE_BREAKS = re.compile("[ \t\r\n\u2028\u2029\x85]+")
_EMAIL = re.compile(
    r"[^@\s<>\"'(),;:?&=/\\]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)+", re.I
)
WEB_SCHEMES = ("http", "https")


def printable(text: str) -> str:
    """`text` without control characters, each replaced by a space."""
    return _UNPRINTABLE.sub(" ", text)


def one_line(text: str) -> str:
    """A single-line value: line breaks and runs of spaces become one space."""
    if text.isprintable() and "  " not in text:
        # The usual title or name, which neither substitution would change: every character
        # they replace is unprintable (Python's sense), but for a run of plain spaces.
        return text.strip()
    return _LINE_BREAKS.sub(" ", printable(text)).strip()


def as_bool(value: object) -> bool | None:
    """`true`/`false` (also yes/no, ja/nein); None if it is neither."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower() if isinstance(value, str) else ""
    return True if word in TRUE else False if word in FALSE else None


def as_int(value: object) -> int | None:
    """A whole number written in decimal; None otherwise."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if re.fullmatch(r"[+-]?\d{1,9}", text):
        return int(text)
    return None


def is_email(text: str) -> bool:
    """A plain address such as presse@example.de (nothing a mailto: link could misuse)."""
    return _EMAIL.fullmatch(text) is not None


def is_web_url(text: str) -> bool:
    """An absolute http(s) address with a host."""
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname) and _plain(text)


def is_safe_link(text: str, schemes: tuple[str, ...] = WEB_SCHEMES) -> bool:
    """A relative address, or an absolute one with an allowed scheme (never javascript:)."""
    if not _plain(text):
        return False
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return False
    if not scheme:
        return not text.startswith("//") and ":" not in text.split("/", 1)[0]
    return scheme in schemes and (scheme not in WEB_SCHEMES or is_web_url(text))


def _plain(text: str) -> bool:
    # Browsers drop tabs and newlines inside URLs ("java\tscript:"), so refuse them outright.
    return bool(text) and not any(ord(ch) < 32 or ch == "\x7f" for ch in text)


def is_site_path(path: str) -> bool:
    """A site path that cannot leave output/: absolute, no '..', no odd characters."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return False
    if any(ch in path for ch in "?#%\0") or any(ord(ch) < 32 or ch == "\x7f" for ch in path):
        return False
    parts = path.split("/")
    too_long = any(len(part.encode()) > 200 for part in parts)
    empty = any(part == "" for part in parts[1:-1])  # "/a//b": a folder without a name
    return not too_long and not empty and all(part not in ("..", ".") for part in parts)


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode(data: bytes, rel: str) -> str:
    """UTF-8 (with or without BOM) to printable text with LF line endings."""
    if data.startswith(_UTF16_BOMS):
        raise LitfassError.at(
            rel, 1, _("saved as UTF-16; save the file as UTF-8 (in Word: 'Unicode (UTF-8)')")
        )
    if b"\0" in data:
        raise LitfassError.at(rel, 0, _("not a text file (binary data); is it really Markdown?"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LitfassError.at(
            rel,
            line,
            _("not UTF-8 text; save the file as UTF-8 (in Word: 'Unicode (UTF-8)')"),
        ) from None
    return printable(text.replace("\r\n", "\n").replace("\r", "\n"))


# What German-speaking editors are likely to write inside `location`, `contact`, `organisation`.
_NESTED_GERMAN = {
    "adresse": "address", "anschrift": "address", "telefon": "phone", "tel": "phone",
    "mail": "email", "e-mail": "email", "webseite": "url", "link": "url", "online-link": "url",
}  # fmt: skip


def mapping_problems(
    name: str, mapping: dict[str, Any], known: tuple[str, ...]
) -> list[tuple[str, str]]:
    """What is wrong with the keys of a nested mapping of text such as `location`: pairs of
    the key concerned and the message.

    `{name: Amt, address: Hauptstr. 1, 02826 Görlitz}` is valid YAML that cuts the address at
    the comma and makes '02826 Görlitz' a key without value: that text would be lost silently.
    """
    problems: list[tuple[str, str]] = []
    previous = ""
    cut: dict[str, list[str]] = {}  # key before the cut -> the pieces cut off its value
    for key, value in mapping.items():
        if key in known:
            previous = key
            if value is None or (isinstance(value, str) and not value.strip()):
                message = _("'{name}.{key}' is empty; write its text or remove '{key}'")
                problems.append((key, message.format(name=name, key=key)))
        elif value is None:
            cut.setdefault(previous, []).append(str(key))
        else:
            near = [_NESTED_GERMAN.get(str(key).lower(), "")]
            near = near if near[0] in known else difflib.get_close_matches(str(key), known, 1, 0.75)
            hint = _("; did you mean '{key}'?").format(key=near[0]) if near else ""
            message = _("unknown key '{key}' in '{name}'{hint} ('{name}' knows {known})")
            problems.append(
                (str(key), message.format(key=key, name=name, hint=hint, known=", ".join(known)))
            )
    for key, pieces in cut.items():
        whole = ", ".join([str(mapping.get(key) or ""), *pieces]) if key else ", ".join(pieces)
        fix = f'{key}: "{whole}"' if key else f'"{whole}"'
        message = _(
            "'{name}': a comma cut '{piece}' off the text before it; "
            "put the whole text in quotes: {fix}"
        )
        problems.append((pieces[0], message.format(name=name, piece=", ".join(pieces), fix=fix)))
    return problems
