"""Mirror output/ to a destination: only what changed, in an order that keeps the site whole.

Every file goes up under a temporary name and is renamed over the old one; the manifest of
what is live goes last. A publish that breaks off leaves the old and new files side by side,
each page with what it uses, and the next publish finds the rest from the old manifest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from litfass.atomic import write_whole
from litfass.destination import Destination
from litfass.engine import state
from litfass.errors import LitfassError
from litfass.i18n import _, language, ngettext
from litfass.publish.plan import (
    MANIFEST,
    Entry,
    Plan,
    emptied_folders,
    local_files,
    manifest_bytes,
    plan,
    read_manifest,
)
from litfass.publish.remote import AskPassword, Remote, failed
from litfass.write.lock import build_lock

Progress = Callable[[int, int], None]  # (steps done, steps in all)


@dataclass(frozen=True)
class Options:
    """How to reach the destination, beside its address."""

    ask: AskPassword = lambda destination: None
    identity: Path | None = None  # an SSH key file, else OpenSSH's and the agent's
    known_hosts: Path | None = None  # else ~/.ssh/known_hosts
    dry_run: bool = False


@dataclass(frozen=True)
class Published:
    """What a publish did (or, with dry_run, would do)."""

    uploads: tuple[str, ...]
    deletes: tuple[str, ...]
    new: frozenset[str]
    unchanged: int
    sent: int  # bytes uploaded


def publish(
    root: Path,
    output: Path,
    destination: Destination,
    options: Options,
    progress: Progress | None = None,
) -> Published:
    """Mirror the complete build in `output` to `destination`; raise with what went wrong."""
    with build_lock(root):  # no build swaps output/ while its files go up
        _refuse_incomplete(root, output)
        local = local_files(output)
        remote = _open(destination, options)
        try:
            try:
                before = _manifest(remote)
            except remote.errors as exc:
                message = _("cannot read {file} on the server: {reason}")
                raise failed(destination, message.format(file=MANIFEST, reason=exc)) from None
            todo = plan(local, before, lambda rel: _read(output, rel))
            if not options.dry_run:
                _carry_out(remote, output, todo, destination, progress)
        finally:
            remote.close()
    sent = sum(local[rel].size for rel in todo.uploads)
    unchanged = len(local) - len(todo.uploads)
    return Published(todo.uploads, todo.deletes, todo.new, unchanged, sent)


def _read(output: Path, rel: str) -> bytes:
    return output.joinpath(*rel.split("/")).read_bytes()


def _refuse_incomplete(root: Path, output: Path) -> None:
    """Only what `python build.py` left in output/: whole, without drafts or scheduled items
    (the preview's output/ may hold them, and a build cut short holds no state)."""
    where = output.name + "/"
    if not (output / "index.html").is_file():
        message = _("there is no complete build to publish; run `python build.py` first")
        raise LitfassError.at(where, 0, message)
    last = state.load(root)
    if last is None or state.output_id(output) != last.output_id:
        message = _(
            "this is not what `python build.py` left (the preview or another program changed "
            "it since); run `python build.py`, then publish"
        )
        raise LitfassError.at(where, 0, message)
    if last.drafts or last.future:
        message = _(
            "this build holds drafts or scheduled items (--drafts, --future); run "
            "`python build.py` without them, then publish"
        )
        raise LitfassError.at(where, 0, message)


def _open(destination: Destination, options: Options) -> Remote:
    """A connection to `destination`, its transport imported only when it is used."""
    if destination.scheme == "sftp":
        from litfass.publish.sftp import Sftp

        return Sftp(destination, options.ask, options.identity, options.known_hosts)
    if destination.scheme in ("ftps", "ftp"):
        from litfass.publish.ftp import Ftp

        return Ftp(destination, options.ask)
    from litfass.publish.folder import Folder

    return Folder(destination)


def _manifest(remote: Remote) -> dict[str, Entry]:
    return read_manifest(remote.read(MANIFEST))


def _carry_out(
    remote: Remote,
    output: Path,
    todo: Plan,
    destination: Destination,
    progress: Progress | None,
) -> None:
    """Uploads in order, then deletions, then the manifest that says it all happened."""
    steps = len(todo.uploads) + len(todo.deletes)
    done = 0
    try:
        for rel in todo.uploads:
            remote.write(rel, output.joinpath(*rel.split("/")))
            done += 1
            if progress:
                progress(done, steps)
        for rel in todo.deletes:
            remote.remove(rel)
            done += 1
            if progress:
                progress(done, steps)
        for folder in emptied_folders(todo):
            remote.remove_folder(folder)
        if not todo.empty:
            _write_manifest(remote, output, todo)
    except remote.errors as exc:
        message = _(
            "the connection broke off after {done} of {steps} steps ({reason}). The site on "
            "the server still works; publish again to complete it"
        )
        raise failed(
            destination, message.format(done=done, steps=steps, reason=exc or type(exc).__name__)
        ) from None


def _write_manifest(remote: Remote, output: Path, todo: Plan) -> None:
    """The manifest goes up as any file does, from a file beside output/ (never inside it)."""
    beside = output.parent / f".litfass-manifest-{output.name}.json"
    write_whole(beside, manifest_bytes(todo.local), durable=False)  # only read by the upload
    try:
        remote.write(MANIFEST, beside)
    finally:
        beside.unlink(missing_ok=True)


def describe(done: Published, destination: Destination, dry_run: bool = False) -> str:
    """One line: how many files went up, how many were deleted, how many were left alone."""
    uploaded, deleted = len(done.uploads), len(done.deletes)
    if dry_run:
        said = ngettext(
            "{count} file would be uploaded", "{count} files would be uploaded", uploaded
        )
        gone = ngettext("{count} would be deleted", "{count} would be deleted", deleted)
    else:
        said = ngettext("{count} file uploaded", "{count} files uploaded", uploaded)
        gone = ngettext("{count} deleted", "{count} deleted", deleted)
    line = _("{uploaded} ({size}), {deleted}, {unchanged} unchanged: {destination}")
    return line.format(
        uploaded=said.format(count=uploaded),
        size=_megabytes(done.sent),
        deleted=gone.format(count=deleted),
        unchanged=done.unchanged,
        destination=destination,
    )


def _megabytes(size: int) -> str:
    from babel.numbers import format_decimal

    return f"{format_decimal(size / 1_000_000, '0.0', locale=language())} MB"
