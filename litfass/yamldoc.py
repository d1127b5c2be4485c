"""Load a YAML mapping and remember the line of every top-level key.

Used for config.yaml and for front matter, so both report `path:line`.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

from litfass.errors import LitfassError, Problem
from litfass.i18n import N_, _

if TYPE_CHECKING:  # both loaders have one interface; the checker needs to know just one
    from yaml import CSafeLoader as _Loader
else:
    try:  # the C loader is several times faster on large sites
        from yaml import CSafeLoader as _Loader
    except ImportError:  # pragma: no cover - depends on how PyYAML was built
        from yaml import SafeLoader as _Loader

# Values are text, lists and mappings only: YAML 1.1 would read `0341123456` as an octal
# number, `10:30` as 630, `no` as false and `2019-02-30` as a crash. Each key's reader
# (content.py, config.py) decides what a number, a date or yes/no is.
_NULL, _MERGE = "tag:yaml.org,2002:null", "tag:yaml.org,2002:merge"
_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
MAX_DEPTH = 50  # deeper nesting is an attack or an accident, never front matter
MAX_VALUES = 100_000  # with aliases expanded: stops "billion laughs" documents


class _TextLoader(_Loader):
    """The safe loader whose plain scalars are text, except null and merge keys."""


# Set on the class, as PyYAML's own add_implicit_resolver does: every loader shares them.
_TextLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag in (_NULL, _MERGE)]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class YamlMapping:
    """A parsed mapping with the 1-based file line of each key (`location.address` too)."""

    data: dict[str, Any]
    lines: dict[str, int]
    start_line: int

    def line(self, key: str) -> int:
        """The line of `key`; of its mapping for a nested key the lines do not know."""
        if key in self.lines:
            return self.lines[key]
        parent = key.rpartition(".")[0]
        return self.lines.get(parent, self.start_line)


def load_mapping(text: str, path: str, first_line: int = 1) -> YamlMapping:
    """Parse `text` as a YAML mapping; `first_line` is the file line of its first line."""
    plain = plain_mapping(text, first_line)
    return plain if plain is not None else yaml_mapping(text, path, first_line)


def yaml_mapping(text: str, path: str, first_line: int = 1) -> YamlMapping:
    """`load_mapping` by PyYAML alone: any YAML, and the message of any error."""
    offset = first_line - 1
    loader = _TextLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlMapping({}, {}, first_line)
        _check(node, path, offset)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        opened = _unclosed_quote_line(exc, text)
        if opened is not None:
            raise LitfassError.at(path, opened + 1 + offset, _unclosed_quote()) from exc
        line = _line_of(exc, offset, first_line)
        raise LitfassError.at(path, line, _describe(exc, text)) from exc
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + first_line
        raise LitfassError.at(path, line, _describe_character(exc.character)) from exc
    except yaml.YAMLError as exc:
        raise LitfassError.at(
            path, first_line, _("cannot read YAML: {reason}").format(reason=exc)
        ) from exc
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        kind = _("a list") if isinstance(data, list) else _("a single value")
        raise LitfassError.at(
            path, first_line, _("expected 'key: value' lines, found {kind}").format(kind=kind)
        )
    lines = {}
    for key, value in node.value:
        lines[str(key.value)] = key.start_mark.line + 1 + offset
        if isinstance(value, yaml.MappingNode):  # where `location: {address: ...}` says it
            for inner, _inner_value in value.value:
                name = f"{key.value}.{inner.value}"
                lines.setdefault(name, inner.start_mark.line + 1 + offset)
    return YamlMapping({str(k): v for k, v in data.items()}, lines, first_line)


# -- plain front matter, without PyYAML -------------------------------------------------
#
# PyYAML builds every node and value in Python even with its C parser: two thirds of reading
# an article's front matter. Most front matter is plain: `key: value` lines whose values are
# plain text, text in quotes without escapes, `[a, b]`, `{a: b}` or a list of `- a` lines.
# Those are read here to the very values (and lines) PyYAML gives; anything else, and
# anything that would be an error, returns None and goes to PyYAML, which says what is wrong.

_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,127}):(?: +(.*))?")
_ITEM = re.compile(r"( *)- +(.*)")
# What YAML reads as a line break or refuses to read, and a tab: left to PyYAML.
_UNSAFE = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_NULLS = ("", "~", "null", "Null", "NULL")
_NOT_FIRST = set("-?:,[]{}#&*!|>'\"%@`")  # indicators: a plain value cannot start with one
_FAILED = object()


def plain_mapping(text: str, first_line: int = 1) -> YamlMapping | None:
    """The mapping of front matter made of plain lines, as PyYAML reads it; None if `text`
    has anything else (or nothing)."""
    if _UNSAFE.search(text):
        return None
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    rows = text.split("\n")
    number = 0
    while number < len(rows):
        row = rows[number].rstrip(" ")
        number += 1
        if not row or row.startswith("#"):
            continue
        found = _KEY.fullmatch(row)
        if found is None or found[1] in data or found[1] in _NULLS:
            return None
        # The same few keys on every page: one string each, not one a page (40,000 items
        # sent 400,000 copies of them from the workers to the build's largest process).
        key, written = sys.intern(found[1]), found[2] or ""
        lines[key] = number - 1 + first_line
        if written:
            value = _value(written, lines, key, number - 1 + first_line)
        else:
            value, number = _block_list(rows, number)
        if value is _FAILED:
            return None
        data[key] = value
    return YamlMapping(data, lines, first_line) if data else None


def _value(written: str, lines: dict[str, int], key: str, line: int) -> Any:
    if written[0] == "[" and written[-1] == "]":
        items = _flow_items(written[1:-1])
        if items is None or any(value is not None for _, value in items):
            return _FAILED
        return [_flow_scalar(name) for name, _ in items]
    if written[0] == "{" and written[-1] == "}":
        return _flow_mapping(written[1:-1], lines, key, line)
    return _block_scalar(written)


def _block_list(rows: list[str], number: int) -> tuple[Any, int]:
    """`key:` and the `- item` lines after it (None without any), and the line after them."""
    items: list[Any] = []
    indent = None
    while number < len(rows):
        row = rows[number].rstrip(" ")
        if not row:
            number += 1
            continue
        found = _ITEM.fullmatch(row)
        if found is None:
            break
        if indent is None:
            indent = found[1]
        if found[1] != indent:
            return _FAILED, number
        items.append(_block_scalar(found[2]))
        number += 1
    if indent is None:
        # Nothing more, or the next key: null. An indented line: a value PyYAML reads.
        later = next((r for r in rows[number:] if r.strip()), "")
        return (_FAILED if later.startswith(" ") else None), number
    return (_FAILED if _FAILED in items else items), number


def _block_scalar(written: str) -> Any:
    quoted = _quoted(written)
    if quoted is not None:
        return quoted
    if written[0] in _NOT_FIRST or ": " in written or " #" in written or written[-1] == ":":
        return _FAILED
    if written == "<<":
        return _FAILED
    return None if written in _NULLS else written


def _quoted(written: str) -> str | None:
    """The text of a value in quotes that YAML reads as it stands (no escape, no quote)."""
    if len(written) < 2 or written[0] not in "'\"" or written[-1] != written[0]:
        return None
    inner = written[1:-1]
    if written[0] in inner or (written[0] == '"' and "\\" in inner):
        return None
    return inner


_FLOW_SCALAR = r"""(?:"[^"\\]*"|'[^']*'|[^-?:,\[\]{}#&*!|>'"%@` ][^,\[\]{}#:'"]*)"""
_FLOW_ITEM = re.compile(rf" *({_FLOW_SCALAR})(?:: +({_FLOW_SCALAR}))? *(,|$)")


def _flow_items(inner: str) -> list[tuple[str, str | None]] | None:
    """The items of `[…]` or `{…}`: (value, None) or (key, value) as written; None if an
    item may hold more (a bracket, a `:`, a comment) or is missing (`[a, ]`)."""
    items: list[tuple[str, str | None]] = []
    if not inner.strip(" "):
        return items
    position = 0
    while position < len(inner):
        found = _FLOW_ITEM.match(inner, position)
        if found is None:
            return None
        second = found[2].rstrip(" ") if found[2] is not None else None
        items.append((found[1].rstrip(" "), second))
        position = found.end()
        if found[3] == "," and position == len(inner):
            return None
    return items


def _flow_scalar(written: str) -> Any:
    quoted = _quoted(written)
    if quoted is not None:
        return quoted
    return None if written in _NULLS else written


def _flow_mapping(inner: str, lines: dict[str, int], key: str, line: int) -> Any:
    items = _flow_items(inner)
    if items is None:
        return _FAILED
    mapping: dict[str, Any] = {}
    for name, written in items:
        if written is None or name[0] in "'\"" or name in _NULLS or name in mapping:
            return _FAILED
        mapping[name] = _flow_scalar(written)
        lines.setdefault(f"{key}.{name}", line)
    return mapping


def _check(root: yaml.Node, path: str, offset: int) -> None:
    """Refuse what YAML allows but editors never mean: duplicate keys, tags, bombs."""
    stack: list[tuple[yaml.Node, int]] = [(root, 0)]
    visited = 0
    while stack:
        node, depth = stack.pop()
        visited += 1
        line = node.start_mark.line + 1 + offset
        if depth > MAX_DEPTH or visited > MAX_VALUES:
            raise LitfassError.at(path, line, _("invalid YAML: nested too deeply or far too long"))
        if node.tag not in (_STR, _SEQ, _MAP, _NULL, _MERGE):
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise LitfassError.at(
                path,
                line,
                _("invalid YAML: tags like '{tag}' are not supported; remove it").format(tag=tag),
            )
        if isinstance(node, yaml.MappingNode):
            _reject_duplicates(node, path, offset)
            stack.extend((child, depth + 1) for pair in node.value for child in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)


def _reject_duplicates(node: yaml.MappingNode, path: str, offset: int) -> None:
    """YAML silently keeps the last of two equal keys; editors mean neither, so say so."""
    seen: dict[str, int] = {}
    problems = []
    for key, _value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue  # the constructor reports it with its line
        line = key.start_mark.line + 1 + offset
        if key.value in seen:
            message = _("duplicate key '{value}' (first given on line {seen})").format(
                value=key.value, seen=seen[key.value]
            )
            problems.append(Problem(path, line, message))
        seen.setdefault(key.value, line)
    if problems:
        raise LitfassError(problems)


# A value that opens a quote: `title: "…`, `- '…` (a key's or a list item's).
_OPENING_QUOTE = re.compile(r"""^[ ]*(?:[^\s#'"\[{][^#]*?:|-)[ ]+(["'])(.*)$""")


_KEY_LINE = re.compile(r"""^[ ]*(?:#|[^\s#'"\[{-][^#:]*:(?:[ ]|$))""")  # or a comment


def _unclosed_quote() -> str:
    return _("invalid YAML: the quote opened on this line is never closed")


def _unclosed_quote_line(exc: yaml.MarkedYAMLError, text: str) -> int | None:
    """The 0-based line whose quote is never closed, when that is what broke the YAML.

    A quote left open runs on into the next keys until some other quote closes it, and
    PyYAML then stumbles lines later ("wrong indentation" on the line of that other quote):
    the line the editor must fix is the first one before it whose quote does not close.
    """
    mark = exc.problem_mark or exc.context_mark
    if mark is None or "flow " in (exc.context or ""):
        return None
    lines = text.split("\n")[: mark.line + 1]
    number = 0
    while number < len(lines):
        found = _OPENING_QUOTE.match(lines[number])
        if found and not _closes(found[1], found[2]):
            closing = next(
                (n for n in range(number + 1, len(lines)) if _closes(found[1], lines[n])), None
            )
            # A quoted text may go on over indented lines; one closed by a quote on a line
            # of its own key (`summary: ""`) or in a comment, or never closed is the editor's mistake.
            if closing is None or _KEY_LINE.match(lines[closing]):
                return number
            number = closing
        number += 1
    return None


def _closes(quote: str, rest: str) -> bool:
    """Whether `rest`, the text after an opening `quote`, closes it."""
    if quote == "'":
        return "'" in rest.replace("''", "")  # '' is a quote inside single quotes
    return '"' in re.sub(r"\\.", "", rest)  # \" is a quote inside double quotes


def _line_of(exc: yaml.MarkedYAMLError, offset: int, fallback: int) -> int:
    # An unclosed quote or bracket is found later; the editor needs where it opened.
    unclosed = any(what in (exc.context or "") for what in ("quoted scalar", "flow "))
    mark = (exc.context_mark if unclosed else None) or exc.problem_mark or exc.context_mark
    return mark.line + 1 + offset if mark is not None else fallback


_HINTS = (
    ("undefined alias", N_("a value starting with '*' or '&' must be in quotes")),
    ("another document", N_("a line '---' ends the front matter; only one is allowed")),
    ("found unexpected end of stream", N_("check the quotes")),
    ("found unknown escape", N_("check the quotes")),
    ("expected <block end>", N_("check the indentation and quotes")),
    ("could not find expected ':'", N_("check the indentation and quotes")),
    ("unhashable key", N_("a key must be a plain name")),
)


def _describe(exc: yaml.MarkedYAMLError, text: str) -> str:
    """Turn PyYAML's wording into a message with a hint an editor can act on."""
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    if "quoted scalar" in context and "end of stream" in problem:
        return _unclosed_quote()
    culprit = _character_at(exc.problem_mark, text)
    indent = _indentation(exc.problem_mark, text)
    if "tab" in problem or culprit == "\t" or "\t" in indent:
        return _("invalid YAML: tab character; indent with spaces")
    if "flow sequence" in context or "flow mapping" in context:
        bracket = "[" if "sequence" in context else "{"
        return _(
            "invalid YAML: the '{bracket}' opened on this line is never closed (or a ',' is missing)"
        ).format(bracket=bracket)
    if "cannot start any token" in problem or "scanning an a" in context:
        start = culprit if "token" in problem else _character_at(exc.context_mark, text)
        return _(
            "invalid YAML: a value cannot start with '{start}'; put the value in quotes"
        ).format(start=start)
    if "mapping values are not allowed" in problem:
        return _(
            "invalid YAML: unexpected ':'; put a value containing ': ' in quotes (title: \"Fachtag: Wohnen\") or check the indentation"
        )
    if "did not find expected key" in problem:
        return _("invalid YAML: wrong indentation; keys of one level start in the same column")
    hint = next((f" ({_(hint)})" for found, hint in _HINTS if found in f"{context} {problem}"), "")
    said = f"{context}: {problem}" if context else problem
    return _("invalid YAML: {said}{hint}").format(said=said, hint=hint)


def _character_at(mark: yaml.Mark | None, text: str) -> str:
    """The character a problem mark points at (libyaml's marks carry no buffer)."""
    if mark is None:
        return ""
    lines = text.split("\n")
    if mark.line >= len(lines) or mark.column >= len(lines[mark.line]):
        return ""
    return lines[mark.line][mark.column]


def _indentation(mark: yaml.Mark | None, text: str) -> str:
    """The leading white space of the line a problem mark is on."""
    lines = text.split("\n")
    if mark is None or mark.line >= len(lines):
        return ""
    line = lines[mark.line]
    return line[: len(line) - len(line.lstrip())]


def _describe_character(character: str | bytes | int | None) -> str:
    """`character` as PyYAML's reader reports it: a code point, or the text or byte itself."""
    code = ord(character) if isinstance(character, str | bytes) else int(character or 0)
    return _("invalid character U+{code} (often pasted from Word); delete it").format(
        code=f"{code:04X}"
    )
