"""Read one Markdown file into its front matter and body, with file lines kept.

Decoding, BOMs, CRLF, empty and binary files are all handled here, once.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from litfass.content import foreign
from litfass.errors import LitfassError, unreadable
from litfass.i18n import _
from litfass.values import decode
from litfass.yamldoc import YamlMapping, load_mapping

MAX_BYTES = 5 * 1024 * 1024  # a longer article is a pasted file, not prose
FENCES = ("---", "...")


@dataclass(frozen=True)
class Source:
    """A content file split into front matter and Markdown body."""

    rel: str  # path relative to the project, for messages
    content_rel: str  # path relative to content/, e.g. news/x.md
    meta: YamlMapping
    body: str
    body_line: int  # file line where the body starts


def read_source(path: Path, rel: str, content_rel: str) -> Source:
    """Read and split `path`; raise LitfassError with file and line on any problem."""
    text = decode(read_bytes(path, rel), rel)
    if not text.strip():
        raise LitfassError.at(rel, 1, _("file is empty; start with '---', 'title: ...', '---'"))
    lines = text.split("\n")
    pelican = foreign.pelican_metadata(lines)
    if pelican:
        raise LitfassError.at(rel, 1, foreign.pelican_message(pelican))
    if not lines[0].strip() == "---":
        raise LitfassError.at(
            rel,
            1,
            _("no front matter: the file must start with a line '---', then 'title: ...'"),
        )
    for index in range(1, len(lines)):
        if lines[index].rstrip() in FENCES:
            meta = load_mapping("\n".join(lines[1:index]), rel, first_line=2)
            return Source(rel, content_rel, meta, "\n".join(lines[index + 1 :]), index + 2)
    raise LitfassError.at(
        rel, 1, _("front matter is not closed: add a line '---' after the last key")
    )


def read_bytes(path: Path, rel: str) -> bytes:
    """The bytes of a regular file of at most MAX_BYTES; never blocks on a pipe."""
    try:
        # O_NONBLOCK: opening a named pipe must not wait for a writer that never comes.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except PermissionError:
        raise LitfassError.at(rel, 0, _("cannot read the file: permission denied")) from None
    except OSError as exc:
        raise LitfassError.at(rel, 0, unreadable(exc)) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise LitfassError.at(rel, 0, _("not a regular file (a pipe or device?); remove it"))
        try:
            data = handle.read(MAX_BYTES + 1) if info.st_size <= MAX_BYTES else b""
        except OSError as exc:
            raise LitfassError.at(rel, 0, unreadable(exc)) from None
        if info.st_size > MAX_BYTES or len(data) > MAX_BYTES:
            mb = max(info.st_size, len(data)) / 1024 / 1024
            raise LitfassError.at(
                rel, 0, _("file is too large ({mb} MB; at most 5 MB)").format(mb=f"{mb:.1f}")
            )
        return data
