"""Read the dates editors type: ISO as well as German (`04.11.2019`, `4.11.19 10 Uhr`).

Everything unambiguous is accepted; the rest is rejected with an example of what works.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from litfass.i18n import N_, _

MONTHS = {
    "januar": 1, "jan": 1, "jänner": 1, "februar": 2, "feb": 2, "märz": 3, "maerz": 3, "mär": 3,
    "mrz": 3, "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7,
    "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10,
    "november": 11, "nov": 11, "dezember": 12, "dez": 12,
}  # fmt: skip
_TIME = (
    r"(?:[T ]\s*|,?\s+(?:um\s+)?)(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?(?::(?P<s>\d{2})(?:\.\d+)?)?"
    r"(?:\s*Uhr)?(?:\s*(?P<tz>Z|[+-]\d{2}:?\d{2}))?"
)
_ISO = re.compile(rf"(?P<y>\d{{4}})([-/])(?P<mo>\d{{1,2}})\2(?P<d>\d{{1,2}})(?:{_TIME})?")
_GERMAN = re.compile(rf"(?P<d>\d{{1,2}})\.(?P<mo>\d{{1,2}})\.(?P<y>\d{{4}}|\d{{2}})(?:{_TIME})?")
_WORDS = re.compile(
    rf"(?P<d>\d{{1,2}})\.?\s*(?P<name>[a-zäöü]+)\.?\s+(?P<y>\d{{4}})(?:{_TIME})?", re.I
)
_SLASHES = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}\b.*")
_RANGE = re.compile(r".*\s\d{1,2}(?:[:.]\d{2})?\s*(?:-|–|bis)\s*\d{1,2}(?:[:.]\d{2})?\s*(?:Uhr)?")
HINT = N_("write e.g. 2019-11-04 or 04.11.2019, with a time 2019-11-04 10:30")
YEARS = range(1900, 2201)  # wider is a typo, and far dates break time zone arithmetic


def parse_when(value: object, tz: ZoneInfo) -> tuple[datetime, bool]:
    """Return an aware datetime in `tz` and whether a time of day was given.

    Raises ValueError with an editor-facing message.
    """
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=tz)
        return _in_range(moment.astimezone(tz), str(value)), True
    if isinstance(value, date):
        return _in_range(datetime.combine(value, time(), tz), str(value)), False
    if not isinstance(value, str):
        raise ValueError(
            _("expected a date, not {kind}; {hint}").format(kind=_kind(value), hint=_(HINT))
        )
    text = " ".join(value.split())
    match = _ISO.fullmatch(text) or _GERMAN.fullmatch(text) or _WORDS.fullmatch(text)
    if match is None:
        raise ValueError(_unreadable(text))
    return _build(match, text, tz)


def _unreadable(text: str) -> str:
    if _SLASHES.fullmatch(text):
        return _(
            "'{text}' is ambiguous (day or month first?); "
            "write e.g. 2019-11-04 or 04.11.2019 (day first)"
        ).format(text=text)
    if _RANGE.fullmatch(text):
        return _("'{text}' is a range; give the start here and the end in 'end:'").format(text=text)
    return _("cannot read the date '{text}'; {hint}").format(text=text, hint=_(HINT))


def _build(match: re.Match[str], text: str, tz: ZoneInfo) -> tuple[datetime, bool]:
    groups = match.groupdict()
    year = int(groups["y"])
    if len(groups["y"]) == 2:  # "4.11.19": German editors mean this century
        year += 2000
    month = MONTHS.get(groups["name"].lower()) if groups.get("name") else int(groups["mo"])
    if month is None:
        raise ValueError(
            _("cannot read the month in '{text}'; {hint}").format(text=text, hint=_(HINT))
        )
    try:
        day = date(year, month, int(groups["d"]))
        clock = time(int(groups["h"] or 0), int(groups["m"] or 0), int(groups["s"] or 0))
        zone = _offset(groups["tz"]) if groups["tz"] else tz
    except ValueError:
        raise ValueError(
            _("'{text}' is not a valid date or time; {hint}").format(text=text, hint=_(HINT))
        ) from None
    moment = datetime.combine(day, clock, zone).astimezone(tz)
    return _in_range(moment, text), groups["h"] is not None


def _offset(text: str) -> timezone:
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _in_range(moment: datetime, text: str) -> datetime:
    if moment.year not in YEARS:
        raise ValueError(
            _("the year in '{text}' must be between {first} and {last}").format(
                text=text, first=YEARS[0], last=YEARS[-1]
            )
        )
    return moment


def parse_day(value: object, tz: ZoneInfo) -> date:
    """Return a calendar date (a time, if given, is ignored)."""
    return parse_when(value, tz)[0].date()


def _kind(value: object) -> str:
    names = {list: N_("a list"), dict: N_("a mapping"), bool: N_("true/false"), int: N_("a number")}
    name = names.get(type(value))
    return _(name) if name else _("a {type}").format(type=type(value).__name__)
