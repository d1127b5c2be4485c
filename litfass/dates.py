"""Read the dates editors type: ISO as well as German (`04.11.2019`, `4.11.19 10 Uhr`).

Everything unambiguous is accepted; the rest is rejected with an example of what works.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

_TIME = (
    r"(?:[T ]\s*|,?\s+(?:um\s+)?)(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?(?::(?P<s>\d{2}))?(?:\s*Uhr)?"
)
_ISO = re.compile(rf"(?P<y>\d{{4}})-(?P<mo>\d{{1,2}})-(?P<d>\d{{1,2}})(?:{_TIME})?")
_GERMAN = re.compile(rf"(?P<d>\d{{1,2}})\.(?P<mo>\d{{1,2}})\.(?P<y>\d{{4}}|\d{{2}})(?:{_TIME})?")
HINT = "write e.g. 2019-11-04 or 04.11.2019, with a time 2019-11-04 10:30"


def parse_when(value: object, tz: ZoneInfo) -> tuple[datetime, bool]:
    """Return an aware datetime in `tz` and whether a time of day was given.

    Raises ValueError with an editor-facing message.
    """
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=tz)
        return moment.astimezone(tz), True
    if isinstance(value, date):
        return datetime.combine(value, time(), tz), False
    if not isinstance(value, str) or isinstance(value, bool):
        raise ValueError(f"expected a date, not {_kind(value)}; {HINT}")
    text = value.strip()
    match = _ISO.fullmatch(text) or _GERMAN.fullmatch(text)
    if match is None:
        raise ValueError(f"cannot read the date '{text}'; {HINT}")
    return _build(match, text, tz)


def _build(match: re.Match[str], text: str, tz: ZoneInfo) -> tuple[datetime, bool]:
    year = int(match["y"])
    if len(match["y"]) == 2:  # "4.11.19": German editors mean this century
        year += 2000
    try:
        day = date(year, int(match["mo"]), int(match["d"]))
        clock = time(int(match["h"] or 0), int(match["m"] or 0), int(match["s"] or 0))
    except ValueError:
        raise ValueError(f"'{text}' is not a valid date or time; {HINT}") from None
    return datetime.combine(day, clock, tz), match["h"] is not None


def parse_day(value: object, tz: ZoneInfo) -> date:
    """Return a calendar date (a time, if given, is ignored)."""
    return parse_when(value, tz)[0].date()


def _kind(value: object) -> str:
    names = {list: "a list", dict: "a mapping", bool: "true/false", int: "a number"}
    return names.get(type(value), "a " + type(value).__name__)
