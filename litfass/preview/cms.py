"""The browser editor at /admin/: its files, its config.yml, and the local backend protocol.

Decap CMS posts JSON actions (`entriesByFolder`, `persistEntry`, ...) as its `decap-server`
would take them; here they read and write below content/ only, atomically, and refuse active
file types. Requests must come from this very server's page (Origin equals Host). On a site in
several languages Decap names the original `index.de.md`; here it is `index.md` on disk.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
import json
import os
import posixpath
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from http import HTTPStatus
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

import yaml
from PIL import Image, UnidentifiedImageError

from litfass import atomic
from litfass.config import Config
from litfass.content import svg
from litfass.content.images import MAX_PIXELS, too_large
from litfass.content.kinds import kind_problem
from litfass.digests import digest
from litfass.i18n import _
from litfass.languages import split_translation, translation_name
from litfass.outputs import serving
from litfass.preview.cmsconfig import API, Backend, config_yml
from litfass.slugs import file_name

ADMIN = "/admin/"
# Sent with every answer below /admin/: no other page may frame the editor and trick a
# click on "Veröffentlichen" or "Löschen" (clickjacking).
FRAMING = (("Content-Security-Policy", "frame-ancestors 'none'"), ("X-Frame-Options", "DENY"))
FILES = Path(__file__).parent / "admin"  # index.html, litfass-cms.js, decap-cms/ (pinned)
MAX_REQUEST = 64 * 1024 * 1024  # base64 of a large photo, with room to spare
MARKDOWN = (".md", ".markdown", ".mdown", ".mkd")  # what another item in a folder may be
IMAGES = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".gif": "GIF"}

JSONValue = Any  # what json.loads gives and json.dumps takes
Headers = Message | dict[str, str]  # http.server's headers, or a plain dict in tests


@dataclass(frozen=True)
class Reply:
    status: HTTPStatus
    data: bytes
    kind: str


class Refused(Exception):
    """A request the editor's backend will not carry out; the message says why."""

    def __init__(self, message: str, status: HTTPStatus = HTTPStatus.BAD_REQUEST) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Admin:
    """The editor for the site `config`: what `litfass serve` answers below /admin/."""

    config: Config

    @property
    def home(self) -> str:
        """Where the editor's page is: /admin/ in the site's folder (base_url), as on the
        live site, so that it finds the site's stylesheet beside it."""
        return self.config.base_path + ADMIN[1:]

    def owns(self, url_path: str) -> bool:
        return any(url_path == f[:-1] or url_path.startswith(f) for f in (ADMIN, self.home))

    def get(self, url_path: str) -> Reply:
        """The editor's page, its scripts, or config.yml made from the schema."""
        if url_path in (ADMIN[:-1], self.home[:-1]):
            return Reply(HTTPStatus.MOVED_PERMANENTLY, b"", self.home)
        if not url_path.startswith(self.home):  # /admin/ of a site in a folder
            return Reply(HTTPStatus.MOVED_PERMANENTLY, b"", self.home + url_path[len(ADMIN) :])
        rel = url_path[len(self.home) :] or "index.html"
        if rel == "config.yml":
            return Reply(
                HTTPStatus.OK, config_yml(self.config).encode(), "text/yaml; charset=utf-8"
            )
        found = _below(FILES, rel)
        if found is None or not found.is_file():
            return Reply(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")
        return Reply(HTTPStatus.OK, found.read_bytes(), _kind(found.name))

    def admit(self, url_path: str, headers: Headers) -> int:
        """The length of the body to read, if the headers alone show the request may be
        carried out (see `admitted`)."""
        if url_path != API:
            raise Refused(_("not found"), HTTPStatus.NOT_FOUND)
        return admitted(headers)

    def post(self, url_path: str, headers: Headers, body: bytes) -> Reply:
        """One action of the local backend protocol, or the reason it was refused."""
        try:
            if url_path != API:
                raise Refused(_("not found"), HTTPStatus.NOT_FOUND)
            same_origin(headers)
            request = json_body(headers, body)
            answer = Protocol(self.config).run(request)
        except Refused as refused:
            return refusal(refused)
        except OSError as error:  # a full disk, a file in use: said, nothing half-written
            message = _("could not save: {reason}").format(reason=error.strerror or error)
            return refusal(Refused(message, HTTPStatus.INTERNAL_SERVER_ERROR))
        return json_reply(answer, HTTPStatus.OK)


def refusal(refused: Refused) -> Reply:
    """The answer to a refused request: JSON the editor shows as its error."""
    return json_reply({"error": str(refused)}, refused.status)


def admitted(headers: Headers) -> int:
    """The length of the body to read, once the headers alone show a request may be
    carried out: from this server's page, JSON, not too large (the editor's saves and the
    publish button alike). Checked before a byte of the body is read, so another site's page
    cannot make the preview read (and hold) up to MAX_REQUEST bytes."""
    same_origin(headers)
    is_json(headers)
    given = (headers.get("Content-Length") or "").strip()
    if not given.isdigit():
        raise Refused(_("the request must say its length"), HTTPStatus.LENGTH_REQUIRED)
    if int(given) > MAX_REQUEST:
        message = _("the request is larger than {size} MB").format(size=MAX_REQUEST >> 20)
        raise Refused(message, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    return int(given)


def same_origin(headers: Headers) -> None:
    """Only the editor's own page may write: a page of another site cannot, even on this machine."""
    origin = (headers.get("Origin") or "").strip().lower()
    host = (headers.get("Host") or "").strip().lower()
    if not origin or origin != f"http://{host}":
        raise Refused(_("requests from another origin are refused"), HTTPStatus.FORBIDDEN)


def is_json(headers: Headers) -> None:
    # A form cannot send application/json without a CORS preflight, which we never allow.
    if (headers.get("Content-Type") or "").split(";")[0].strip().lower() != "application/json":
        raise Refused(_("the request must be JSON"), HTTPStatus.UNSUPPORTED_MEDIA_TYPE)


def json_body(headers: Headers, body: bytes) -> dict[str, JSONValue]:
    is_json(headers)
    try:
        request = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Refused(_("the request is not valid JSON")) from None
    if not isinstance(request, dict) or not isinstance(request.get("params", {}), dict):
        raise Refused(_("the request must be an object with 'action' and 'params'"))
    return request


def json_reply(answer: JSONValue, status: HTTPStatus) -> Reply:
    data = json.dumps(answer, ensure_ascii=False).encode()
    return Reply(status, data, "application/json; charset=utf-8")


class Protocol:
    """The actions of Decap's local backend, on the files below content/."""

    def __init__(self, config: Config) -> None:
        self.root = config.root.resolve()
        self.content = (config.root / config.content_dir).resolve()
        self.translations = config.translation_tags  # empty: the editor has no i18n
        self.main = config.main_language.tag
        self.actions: dict[str, Callable[[dict[str, JSONValue]], JSONValue]] = {
            "info": self._info,
            "entriesByFolder": self._entries_by_folder,
            "entriesByFiles": self._entries_by_files,
            "getEntry": self._get_entry,
            "persistEntry": self._persist_entry,
            "getMedia": self._get_media,
            "getMediaFile": self._get_media_file,
            "persistMedia": self._persist_media,
            "deleteFile": self._delete_file,
            "deleteFiles": self._delete_files,
            "getDeployPreview": lambda params: None,
        }

    def run(self, request: dict[str, JSONValue]) -> JSONValue:
        action = self.actions.get(str(request.get("action")))
        if action is None:
            raise Refused(
                _("unknown action '{action}'").format(action=request.get("action")),
                HTTPStatus.UNPROCESSABLE_ENTITY,
            )
        return action(request.get("params") or {})

    def _info(self, params: dict[str, JSONValue]) -> JSONValue:
        return {"repo": self.root.name, "publish_modes": ["simple"], "type": "local_fs"}

    def _entries_by_folder(self, params: dict[str, JSONValue]) -> JSONValue:
        folder = self.path(_text(params, "folder"))
        extension = _text(params, "extension")
        depth = params.get("depth", 1)
        if not isinstance(depth, int):
            raise Refused(_("'depth' must be a number"))
        files = _files_below(folder, depth) if folder.is_dir() else []
        return [self._entry(self.rel(f)) for f in files if f.name.endswith(extension)]

    def _entries_by_files(self, params: dict[str, JSONValue]) -> JSONValue:
        files = params.get("files")
        if not isinstance(files, list):
            raise Refused(_("'files' must be a list"))
        return [self._entry(_text(f, "path"), f.get("label")) for f in files if isinstance(f, dict)]

    def _get_entry(self, params: dict[str, JSONValue]) -> JSONValue:
        return self._entry(_text(params, "path"))

    def _entry(self, rel: str, label: JSONValue = None) -> JSONValue:
        path = self.path(rel)
        try:
            data = path.read_bytes()
        except OSError:
            return {"data": None, "file": {"path": rel, "label": label, "id": None}}
        text = data.decode("utf-8", "replace")
        return {"data": text, "file": {"path": rel, "label": label, "id": _id(data)}}

    def _persist_entry(self, params: dict[str, JSONValue]) -> JSONValue:
        """Save an entry (renamed, if it has a `newPath`) with its new files, whole or not at
        all: every check comes before the first change, and a change that fails is undone."""
        entry = params.get("entry")
        files = params.get("dataFiles") or ([entry] if isinstance(entry, dict) else [])
        assets = params.get("assets") or []
        if not isinstance(files, list) or not isinstance(assets, list):
            raise Refused(_("'dataFiles' and 'assets' must be lists"))
        options = params.get("options")
        new = isinstance(options, dict) and options.get("newEntry") is True
        entries = [e for e in map(self._data_file, files) if not self._no_translation(*e)]
        uploads = [self._asset(a) for a in assets]  # every check before the first write
        moves = [self._move_of(f) for f in files if isinstance(f, dict) and f.get("newPath")]
        moves = list(dict.fromkeys(moves))  # an item's folder, named by each language's file
        _no_two_moves_meet(moves)
        if new:
            for path, _raw in entries:
                _not_taken(path)
        uploaded = {path.name for path, _data in uploads}
        # Files first, then the entries naming them: a rebuild in between finds each file.
        texts = [
            (path, with_file_names(raw, uploaded | _names_in(path.parent))) for path, raw in entries
        ]
        # Decap sends every language's file with each save: one it did not change stays as it
        # is, so its time still says when it was last written (`check`'s older translation).
        writes = uploads + [
            (path, text.encode("utf-8")) for path, text in texts if not _unchanged(path, text)
        ]
        Changes(self.content, moves, writes).apply()
        return {"message": "entry persisted"}

    def _no_translation(self, path: Path, raw: str) -> bool:
        """A language's file Decap would make without a title: its tab was never written in
        (a field's default alone, `draft: true`), so there is no translation to save yet."""
        if split_translation(path.name, self.translations)[1] is None or path.exists():
            return False
        return not _has_title(raw)

    def _data_file(self, file: JSONValue) -> tuple[Path, str]:
        if not isinstance(file, dict) or not isinstance(file.get("raw"), str):
            raise Refused(_("an entry needs 'path' and 'raw'"))
        return self._entry_path(_text(file, "path")), file["raw"]

    def _entry_path(self, rel: str) -> Path:
        path = self.path(rel)
        if path.suffix != ".md":
            raise Refused(_("entries are Markdown files ending in .md"))
        return path

    def _asset(self, asset: JSONValue) -> tuple[Path, bytes]:
        if not isinstance(asset, dict) or asset.get("encoding") != "base64":
            raise Refused(_("a file must come base64-encoded"))
        given = self.path(_text(asset, "path"))
        # The name `new --image` would give it: the browser's rule differs (Ü is U there).
        path = given if given.suffix == ".md" else given.with_name(file_name(given.name))
        try:
            data = base64.b64decode(_text(asset, "content"), validate=True)
        except (binascii.Error, ValueError):
            raise Refused(_("the file's content is not valid base64")) from None
        problem = upload_problem(path.name, data)
        if problem:
            raise Refused(problem, HTTPStatus.UNPROCESSABLE_ENTITY)
        return path, data

    def _move_of(self, file: dict[str, JSONValue]) -> Move:
        """A rename, checked as `path` is (a Markdown file below content/) and more: the
        entry exists, and nothing is at its new place (never a silent replace)."""
        source = self._entry_path(_text(file, "path"))
        target = self._entry_path(_text(file, "newPath"))
        if not source.is_file():
            message = _("no such file: {path}").format(path=self.rel(source))
            raise Refused(message, HTTPStatus.NOT_FOUND)
        folders = self._is_bundle_index(source), self._is_bundle_index(target)
        if folders[0] != folders[1] or (folders[0] and source.name != target.name):
            raise Refused(_("an item in a folder of its own stays in a folder of its own"))
        move = Move(source.parent, target.parent) if folders[0] else Move(source, target)
        if move.source in (self.content, *self.content.parents):
            raise Refused(_("only an item's own folder can be renamed"))
        if move.target.is_relative_to(move.source):
            raise Refused(_("an item cannot be moved into itself"))
        if move.target != move.source:
            _not_taken(move.target)
        return move

    def _get_media(self, params: dict[str, JSONValue]) -> JSONValue:
        folder = self.path(_text(params, "mediaFolder"))
        if not folder.is_dir():
            return []
        return [self._media(self.rel(f)) for f in _files_below(folder, 1) if f.suffix != ".md"]

    def _get_media_file(self, params: dict[str, JSONValue]) -> JSONValue:
        return self._media(_text(params, "path"))

    def _media(self, rel: str) -> JSONValue:
        path = self.path(rel)
        try:
            data = path.read_bytes()
        except OSError:
            raise Refused(
                _("no such file: {path}").format(path=rel), HTTPStatus.NOT_FOUND
            ) from None
        return {
            "id": _id(data),
            "content": base64.b64encode(data).decode("ascii"),
            "encoding": "base64",
            "path": rel,
            "name": path.name,
        }

    def _persist_media(self, params: dict[str, JSONValue]) -> JSONValue:
        path, data = self._asset(params.get("asset"))
        Changes(self.content, [], [(path, data)]).apply()  # a new folder appears with its file
        return self._media(self.rel(path))

    def _delete_file(self, params: dict[str, JSONValue]) -> JSONValue:
        rel = _text(params, "path")
        self._delete(self.path(rel))
        return {"message": f"deleted file {rel}"}

    def _delete_files(self, params: dict[str, JSONValue]) -> JSONValue:
        paths = params.get("paths")
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise Refused(_("'paths' must be a list of paths"))
        found = [self.path(p) for p in paths]  # every path checked before the first is deleted
        for path in found:
            self._delete(path)
        return {"message": "deleted files " + ", ".join(paths)}

    def _delete(self, path: Path) -> None:
        """Delete a file; an item's index.md goes with its folder, photos and all (a photo
        whose consent was withdrawn must not stay published beside nothing)."""
        if not path.is_file():
            return
        folder = path.parent
        if path.name == "index.md" and self._own_folder(folder):
            remove_folder(folder)
            return
        path.unlink()
        if folder != self.content and not any(folder.iterdir()):
            folder.rmdir()  # an emptied folder goes too

    def _own_folder(self, folder: Path) -> bool:
        """Whether `folder` holds one item only: below a section, no other Markdown in it."""
        if folder.parent in (self.content, *self.content.parents):
            return False  # content/news/index.md: the section's folder holds other items
        markdown = [f for f in folder.rglob("*") if f.suffix.lower() in MARKDOWN]
        return all(f.parent == folder and self._is_bundle_index(f) for f in markdown)

    def _is_bundle_index(self, path: Path) -> bool:
        """index.md, or a translation of it (index.en.md): an item's folder's own text."""
        return split_translation(path.name, self.translations)[0] == "index.md"

    def path(self, rel: str) -> Path:
        """The file `rel` (relative to the site) names, if it lies below content/; the main
        language's `index.de.md`, as Decap names it on a site in several languages, is
        `index.md`."""
        rel = self._on_disk(rel)
        if not rel or "\0" in rel or "\\" in rel or ":" in rel:
            raise Refused(_("not a path below content/: '{path}'").format(path=rel))
        parts = PurePosixPath(rel)
        if parts.is_absolute() or ".." in parts.parts:
            raise Refused(_("not a path below content/: '{path}'").format(path=rel))
        found = (self.root / parts).resolve()  # follows links: one out of content/ is refused
        if not found.is_relative_to(self.content):
            raise Refused(
                _("not a path below content/: '{path}'").format(path=rel), HTTPStatus.FORBIDDEN
            )
        return found

    def rel(self, path: Path) -> str:
        """`path` relative to the site, as Decap names it (the original as `index.de.md`)."""
        rel = path.relative_to(self.root).as_posix()
        if not self.translations or path.suffix != ".md":
            return rel
        if split_translation(path.name, self.translations)[1] is not None:
            return rel
        return posixpath.join(posixpath.dirname(rel), translation_name(path.name, self.main))

    def _on_disk(self, rel: str) -> str:
        folder, _slash, name = rel.rpartition("/")
        if not self.translations or not name.endswith(".md"):
            return rel
        original, tag = split_translation(name, (self.main,))
        return f"{folder}/{original}" if tag and folder else rel


def _text(params: JSONValue, key: str) -> str:
    value = params.get(key) if isinstance(params, dict) else None
    if not isinstance(value, str):
        raise Refused(_("'{key}' must be text").format(key=key))
    return value


def _unchanged(path: Path, text: str) -> bool:
    """Whether the entry file at `path` says what `text` says: the same front matter values
    (Decap writes YAML in its own way) and the same body."""
    try:
        written = _parsed(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return False
    return written is not None and written == _parsed(text)


def _parsed(text: str) -> tuple[object, str] | None:
    """An entry's front matter as data and its body, or None if it has none to read."""
    lines = text.split("\n")
    if lines[0] != "---" or "---" not in lines[1:]:
        return None
    end = lines.index("---", 1)
    try:
        return yaml.safe_load("\n".join(lines[1:end])), "\n".join(lines[end + 1 :]).strip()
    except (yaml.YAMLError, ValueError):  # ValueError: a date such as 2026-02-30
        return None


def _has_title(raw: str) -> bool:
    """Whether an entry's text has a front matter with a title (Decap writes it as YAML)."""
    parsed = _parsed(raw)
    if parsed is None:
        return True  # not for this check to judge: the build says what is wrong
    data = parsed[0]
    return isinstance(data, dict) and bool(str(data.get("title") or "").strip())


def _files_below(folder: Path, depth: int) -> list[Path]:
    """Files up to `depth` folders down, in a stable order; hidden names are not the editor's."""
    found: list[Path] = []
    if depth <= 0:
        return found
    for child in sorted(folder.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_dir() and not child.is_symlink():
            found += _files_below(child, depth - 1)
        elif child.is_file():
            found.append(child)
    return found


def _id(data: bytes) -> str:
    return digest(data).hex()


def upload_problem(name: str, data: bytes) -> str | None:
    """Why a file may not be saved below content/, or None: the build's own rules for the
    kinds of files it publishes, checked on the bytes, so nothing active reaches the site."""
    suffix = PurePosixPath(name.lower()).suffix
    if suffix == ".md":
        return None if _is_text(data) else _("a Markdown file must be UTF-8 text")
    refused = kind_problem(name, trusted=False)
    if refused:
        return refused
    if suffix == ".svg":
        found = svg.data_problem(data)  # the build publishes it rebuilt; this is its check
        return found[1] if found else None
    if suffix in IMAGES:
        return _image_problem(suffix, data)
    if suffix == ".pdf" and not data.startswith(b"%PDF-"):
        return _("not a PDF file")
    return None


def _image_problem(suffix: str, data: bytes) -> str | None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            image.verify()  # a truncated or forged file fails here, not in the build
            found = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return _("not a readable image")
    if found != IMAGES[suffix]:
        return _("the file is a {found} image, not {suffix}").format(found=found, suffix=suffix)
    if width * height > MAX_PIXELS:
        return too_large(width, height)
    return None


def _is_text(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@dataclass(frozen=True)
class Move:
    """A rename of an entry's file, or of an item's whole folder."""

    source: Path
    target: Path


class Changes:
    """A save carried out whole or not at all.

    Every new file is first written in full to a hidden temporary file where its folder is
    now (a renamed folder takes it along); a folder the save makes is built under a hidden
    name. Then the renames; then each temporary file takes its name, and each new folder
    its own, so a rebuild never sees an item half there. A failure before the last step
    undoes what was done: no empty folder, no half file, no rename without its content.
    """

    def __init__(self, content: Path, moves: list[Move], writes: list[tuple[Path, bytes]]) -> None:
        self.content = content
        self.moves = [m for m in moves if m.source != m.target]
        self.writes = writes
        self.made: list[Path] = []  # folders made for a rename's target, removed on failure
        self.fresh: dict[Path, Path] = {}  # a folder this save makes -> its hidden name
        self.staged: list[tuple[Path, Path]] = []  # temporary file, the name it will get
        self.moved: list[Move] = []

    def apply(self) -> None:
        try:
            for path, data in self.writes:
                self._stage(self._before_moves(path), data)
            for folder in self.fresh:
                _not_taken(self._after_moves(folder))
            for move in self.moves:
                self._move(move)
        except FileExistsError:  # the new name was taken between the check and the rename
            self._undo()
            raise Refused(
                _("that name exists already; choose another"), HTTPStatus.CONFLICT
            ) from None
        except BaseException:
            self._undo()
            raise
        self._take_names()

    def _take_names(self) -> None:
        """The last step: each staged file its name, each new folder its own. Should one
        fail, every name taken so far is given back (a replaced file from its second name)
        and the save undone. Content is the only copy of an editor's work: flushed."""
        taken: list[tuple[Path, Path | None]] = []  # a name given, its earlier file kept aside
        named: list[tuple[Path, Path]] = []  # a new folder's name, its hidden one
        try:
            for temporary, path in self.staged:
                final = self._after_moves(self._hidden(path))
                kept = atomic.keep_aside(final)
                try:
                    atomic.commit(self._after_moves(temporary), final, durable=True)
                except BaseException:  # the name still holds its file: nothing to put back
                    if kept is not None:
                        kept.unlink()
                    raise
                taken.append((final, kept))
            for folder, hidden in self.fresh.items():
                named.append((self._after_moves(folder), self._after_moves(hidden)))
                atomic.rename(named[-1][1], named[-1][0], durable=True)
        except BaseException:
            for folder, hidden in reversed(named):
                if folder.is_dir():
                    atomic.rename(folder, hidden, durable=True)
            for final, kept in reversed(taken):
                if kept is None:
                    final.unlink(missing_ok=True)
                else:
                    atomic.commit(kept, final, durable=True)
            self._undo()
            raise
        for _final, kept in taken:
            if kept is not None:
                kept.unlink()

    def _stage(self, path: Path, data: bytes) -> None:
        """Write `data` into a temporary file beside `path` (as things are before renames)."""
        folder = self._hidden(path.parent)
        if folder == path.parent and not folder.exists():  # a folder no one has made yet
            missing = [f for f in (path.parent, *path.parent.parents) if not f.exists()]
            top = missing[-1]
            self.fresh[top] = top.with_name(f".litfass-new-{os.getpid()}-{time.monotonic_ns()}")
            folder = self._hidden(path.parent)
        folder.mkdir(parents=True, exist_ok=True)
        self.staged.append((atomic.stage(folder / path.name, data, durable=True), path))

    def _hidden(self, path: Path) -> Path:
        """Where `path` is while its new folder is built under a hidden name."""
        for folder, hidden in self.fresh.items():
            if path.is_relative_to(folder):
                return hidden / path.relative_to(folder)
        return path

    def _move(self, move: Move) -> None:
        missing = [f for f in move.target.parents if not f.exists()]
        for folder in reversed(missing):
            folder.mkdir()
            self.made.append(folder)
        if move.source.is_dir():
            _not_taken(move.target)  # checked before; looked at again just before the rename
            atomic.rename(move.source, move.target, durable=True)
        else:
            os.link(move.source, move.target)  # fails if the name was taken meanwhile
            move.source.unlink()
            atomic.sync_folder(move.source.parent)  # the old name gone for good (the new one's
            # folder is flushed when the entry's new text takes that name)
        self.moved.append(move)

    def _undo(self) -> None:
        for move in reversed(self.moved):
            if move.target.is_dir():
                atomic.rename(move.target, move.source, durable=True)
            else:
                os.link(move.target, move.source)
                move.target.unlink()
        for temporary, _path in self.staged:
            temporary.unlink(missing_ok=True)
        for hidden in self.fresh.values():
            shutil.rmtree(hidden, ignore_errors=True)
        for folder in reversed(self.made):
            with contextlib.suppress(OSError):  # not empty: someone else wrote there
                folder.rmdir()

    def _before_moves(self, path: Path) -> Path:
        """Where the file at `path` after the renames is before them."""
        for move in self.moves:
            if path.is_relative_to(move.target):
                return move.source / path.relative_to(move.target)
        return path

    def _after_moves(self, path: Path) -> Path:
        for move in self.moves:
            if path.is_relative_to(move.source):
                return move.target / path.relative_to(move.source)
        return path


# A file name in an entry's text: letters, digits, '_', '-', '~', '%', dots, a suffix.
_FILE_NAME = re.compile(r"(?<![\w%~.-])[\w%~.-]+\.[A-Za-z0-9]{1,8}(?![\w%~.-])")


def with_file_names(raw: str, names: set[str]) -> str:
    """`raw` with each file it names by the browser's name written by the name the file got
    (`names`: those beside the entry), also when an entry is saved again still naming it so."""

    def named(found: re.Match[str]) -> str:
        given = found[0]
        if given in names:
            return given
        renamed = file_name(unquote(given))
        return renamed if renamed in names else given

    return _FILE_NAME.sub(named, raw)


def _names_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.is_file()} if folder.is_dir() else set()


def _not_taken(path: Path) -> None:
    if path.exists() or path.is_symlink():
        raise Refused(
            _("'{name}' exists already; choose another name").format(name=path.name),
            HTTPStatus.CONFLICT,
        )


def _no_two_moves_meet(moves: list[Move]) -> None:
    targets = [m.target for m in moves]
    if len(set(targets)) != len(targets):
        raise Refused(_("two entries cannot get the same name"), HTTPStatus.CONFLICT)


def remove_folder(folder: Path) -> None:
    """Remove `folder` as a whole: one rename hides it from the site (litfass skips hidden
    names), then it is deleted; if deleting fails half-way, nothing of it is published."""
    hidden = folder.with_name(f".litfass-deleted-{folder.name}-{os.getpid()}-{time.monotonic_ns()}")
    atomic.rename(folder, hidden, durable=True)
    shutil.rmtree(hidden, ignore_errors=True)


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file of output/admin/ whole or not at all (made again by `litfass admin`)."""
    atomic.write_whole(path, data, durable=False)


def write_admin(config: Config, backend: Backend, target: Path, now: datetime) -> None:
    """The editor's files and its config.yml for `backend`, into `target` (for the live site,
    so only the topics and regions of items public `now`)."""
    shutil.copytree(FILES, target, dirs_exist_ok=True)
    write_atomically(target / "config.yml", config_yml(config, backend, public_at=now).encode())
    write_atomically(target / HTACCESS, ADMIN_HTACCESS.encode())


# Apache: the editor's own policy for its folder alone (nginx: deploy/nginx.conf); the
# site's .htaccess above it gives everything else.
HTACCESS = ".htaccess"
ADMIN_HTACCESS = f"""\
# Written by `litfass admin`: the browser editor's policy, for this folder alone. Decap CMS
# needs eval, inline style, blob: previews and the git host's API (outputs/serving.py).
Header always set Content-Security-Policy "{serving.ADMIN_POLICY}"
AddType "text/yaml; charset=utf-8" .yml
"""


def _below(folder: Path, rel: str) -> Path | None:
    parts = PurePosixPath(rel).parts
    if not parts or ".." in parts or PurePosixPath(rel).is_absolute() or "\\" in rel:
        return None
    return folder.joinpath(*parts)


def _kind(name: str) -> str:
    suffix = PurePosixPath(name).suffix
    return {
        ".html": "text/html; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".wasm": "application/wasm",
        ".txt": "text/plain; charset=utf-8",
    }.get(suffix, "application/octet-stream")
