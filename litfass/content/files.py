"""List the files of content/ in a stable order, refusing what must not be read.

Hidden and litter files are skipped; links that leave content/, loops, pipes, names that
are not UTF-8 and kinds of files that could run script (`kinds.py`) are refused with a message.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litfass.config import Config
from litfass.content import kinds, svg
from litfass.errors import LitfassError, Problem, unreadable
from litfass.i18n import _


@dataclass(frozen=True)
class ContentFiles:
    """What content/ holds: Markdown sources and other files to copy, each as its path and
    its path relative to content/ (the first is always content/'s path joined with it)."""

    markdown: tuple[tuple[Path, str], ...]
    assets: tuple[tuple[Path, str], ...]

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (the store keeps it with the site) as content/'s path and the relative
        paths, the full ones joined again on loading: a path object and its pair are four
        objects in a pickle, and a site of 40,000 files took the pickler's memo past the
        size at which it doubles (70 MB more at the peak of saving the site)."""
        listed = (*self.markdown, *self.assets)
        if not listed:
            return ContentFiles, ((), ())
        path, rel = listed[0]
        folder = path.parents[rel.count("/")]
        markdown, assets = ([rel for _, rel in files] for files in (self.markdown, self.assets))
        return _joined, (folder, markdown, assets)


def _joined(folder: Path, markdown: list[str], assets: list[str]) -> ContentFiles:
    """The ContentFiles of `folder` (content/) that lists these relative paths."""
    return ContentFiles(
        tuple((folder / rel, rel) for rel in markdown), tuple((folder / rel, rel) for rel in assets)
    )


def find_files(config: Config) -> tuple[ContentFiles, list[Problem]]:
    """List content files in a stable order, refusing links that leave content/."""
    root = config.content_path
    if not root.is_dir():
        raise LitfassError.at(config.content_dir, 0, _("content folder not found"))
    real_root = root.resolve()
    markdown: list[tuple[Path, str]] = []
    assets: list[tuple[Path, str]] = []
    problems: list[Problem] = []
    for folder, dirs, files in os.walk(root):
        kept = []
        for name in sorted(d for d in dirs if not _ignored(d)):
            path = Path(folder) / name
            problem = _name_problem(config, path) or (
                _folder_link_problem(config, path, real_root) if path.is_symlink() else None
            )
            if problem:
                problems.append(problem)
            else:
                kept.append(name)
        dirs[:] = kept  # os.walk descends only into these
        for name in sorted(files):
            if _ignored(name):
                continue
            path = Path(folder) / name
            problem = _name_problem(config, path) or _file_problem(config, path, real_root)
            if problem is None and not kinds.is_markdown(name):
                problem = _kind_problem(config, path)
            if problem:
                problems.append(problem)
                continue
            rel = path.relative_to(root).as_posix()
            (markdown if kinds.is_markdown(name) else assets).append((path, rel))
    problems += _same_name_problems(config, assets)
    return ContentFiles(tuple(markdown), tuple(assets)), problems


def _same_name_problems(config: Config, assets: list[tuple[Path, str]]) -> list[Problem]:
    """Two files whose names differ only in case or in how an umlaut is stored: one file on
    Windows and macOS (and on most web servers' disks), so which one is published is luck."""
    first: dict[str, str] = {}
    problems = []
    for _path, rel in assets:
        key = unicodedata.normalize("NFC", rel).casefold()
        other = first.setdefault(key, rel)
        if other != rel:
            message = _(
                "'{one}' and '{other}' differ only in capital letters or in how an umlaut is "
                "stored: on Windows and macOS they are one file; rename one"
            ).format(one=shown(config, rel), other=shown(config, other))
            problems.append(Problem(shown(config, rel), 0, message))
    return problems


def _ignored(name: str) -> bool:
    """Hidden files, editors' backups and lock files, and the litter of file managers."""
    return (
        name.startswith((".", "~$", "#"))
        or name.endswith("~")
        or name.lower() in ("thumbs.db", "desktop.ini", "__macosx")
    )


def _name_problem(config: Config, path: Path) -> Problem | None:
    name = path.name
    if any(0xDC80 <= ord(ch) <= 0xDCFF for ch in name):  # bytes that are not UTF-8
        return Problem(_shown_path(config, path), 0, _("file name is not UTF-8; rename it"))
    if any(ord(ch) < 32 or ord(ch) == 0x7F for ch in name):
        return Problem(_shown_path(config, path), 0, _("file name contains a control character"))
    return None


def _file_problem(config: Config, path: Path, real_root: Path) -> Problem | None:
    shown = _shown_path(config, path)
    if path.is_symlink():
        problem = _link_problem(path, real_root)
        if problem:
            return Problem(shown, 0, problem)
    try:
        regular = stat.S_ISREG(path.stat().st_mode)
    except OSError as exc:
        return Problem(shown, 0, unreadable(exc))
    return None if regular else Problem(shown, 0, _("not a regular file (a pipe or device?)"))


def _kind_problem(config: Config, path: Path) -> Problem | None:
    """A kind of file that is not published, or an SVG that cannot be rebuilt safely (also
    on a site that trusts its editors with HTML: a drawing's metadata leaks all the same)."""
    found = kinds.kind_problem(path.name, config.allow_html)
    if found:
        return Problem(_shown_path(config, path), 0, found)
    if path.suffix.lower() == ".svg":
        refused = svg.problem(path)
        if refused:
            return Problem(_shown_path(config, path), *refused)
    return None


def _folder_link_problem(config: Config, path: Path, real_root: Path) -> Problem:
    problem = _link_problem(path, real_root)
    if problem:
        return Problem(_shown_path(config, path), 0, problem)
    return Problem(
        _shown_path(config, path),
        0,
        _("links to folders are not followed; move the folder here instead"),
        "warning",
    )


def _link_problem(path: Path, real_root: Path) -> str | None:
    """Why a symbolic link cannot be published, if it cannot."""
    target = os.readlink(path)
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        return _("symbolic link to '{target}', which does not exist").format(target=target)
    except (OSError, RuntimeError):  # a loop: OSError(ELOOP) or, before 3.13, RuntimeError
        return _("symbolic link loop (points to '{target}')").format(target=target)
    if not real.is_relative_to(real_root):
        return _("symbolic link points outside content/ (to '{target}')").format(target=target)
    return None


def _shown_path(config: Config, path: Path) -> str:
    """A path for messages that prints whatever bytes or characters the name has."""
    rel = path.relative_to(config.content_path).as_posix()
    text = os.fsencode(rel).decode("utf-8", "backslashreplace")
    return shown(config, "".join(ch if ord(ch) >= 32 else "?" for ch in text))


def shown(config: Config, content_rel: str) -> str:
    return f"{config.content_dir}/{content_rel}"
