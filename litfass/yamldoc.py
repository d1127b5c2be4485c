"""Load a YAML mapping and remember the line of every top-level key.

Used for config.yaml and for front matter, so both report `path:line`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from litfass.errors import LitfassError, Problem

try:  # the C loader is several times faster on large sites
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


@dataclass(frozen=True)
class YamlMapping:
    """A parsed mapping with the 1-based file line of each key."""

    data: dict[str, Any]
    lines: dict[str, int]
    start_line: int

    def line(self, key: str) -> int:
        return self.lines.get(key, self.start_line)


def load_mapping(text: str, path: str, first_line: int = 1) -> YamlMapping:
    """Parse `text` as a YAML mapping; `first_line` is the file line of its first line."""
    offset = first_line - 1
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlMapping({}, {}, first_line)
        _reject_duplicates(node, path, offset)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        line = _line_of(exc, offset, first_line)
        lines = text.split("\n")
        text_line = lines[line - 1 - offset] if 0 <= line - 1 - offset < len(lines) else ""
        raise LitfassError.at(path, line, _describe(exc, text_line)) from exc
    except yaml.YAMLError as exc:
        raise LitfassError.at(path, first_line, f"cannot read YAML: {exc}") from exc
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise LitfassError.at(path, first_line, f"expected 'key: value' lines, found a {kind}")
    lines = {str(k.value): k.start_mark.line + 1 + offset for k, _ in node.value}
    return YamlMapping({str(k): v for k, v in data.items()}, lines, first_line)


def _reject_duplicates(node: yaml.Node, path: str, offset: int) -> None:
    """YAML silently keeps the last of two equal keys; editors mean neither, so say so."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        problems = []
        for key, value in node.value:
            name = str(key.value)
            line = key.start_mark.line + 1 + offset
            if name in seen:
                problems.append(
                    Problem(
                        path,
                        line,
                        f"duplicate key '{name}' (first given on line {seen[name]})",
                    )
                )
            seen.setdefault(name, line)
            _reject_duplicates(value, path, offset)
        if problems:
            raise LitfassError(problems)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _reject_duplicates(item, path, offset)


def _line_of(exc: yaml.MarkedYAMLError, offset: int, fallback: int) -> int:
    # An unclosed quote is found at the end of the text; the editor needs where it opened.
    unclosed = "quoted scalar" in (exc.context or "")
    mark = (exc.context_mark if unclosed else None) or exc.problem_mark or exc.context_mark
    return mark.line + 1 + offset if mark is not None else fallback


def _describe(exc: yaml.MarkedYAMLError, text_line: str = "") -> str:
    """Turn PyYAML's wording into a message with a hint an editor can act on."""
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    if "quoted scalar" in context and "end of stream" in problem:
        return "invalid YAML: the quote opened on this line is never closed"
    if "tab" in problem or "\t" in text_line[: len(text_line) - len(text_line.lstrip())]:
        return "invalid YAML: tab character; indent with spaces"
    hint = ""
    if "mapping values are not allowed" in problem:
        hint = " (a value containing ': ' must be in quotes)"
    elif "found unexpected end of stream" in problem or "found unknown escape" in problem:
        hint = " (check the quotes)"
    elif "expected <block end>" in problem or "could not find expected ':'" in problem:
        hint = " (check the indentation and quotes)"
    text = f"{context}: {problem}" if context else problem
    return f"invalid YAML: {text}{hint}"
