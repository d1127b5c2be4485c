"""What an import did, item by item and in total: what the command line reports at the end.

Only small records are kept per item (never bodies), so a large import stays small in memory.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from litfass.content.model import NEWS
from litfass.errors import Problem
from litfass.i18n import _
from litfass.importers.items import WITHHELD
from litfass.importers.writer import Outcome


@dataclass(frozen=True)
class Note:
    """An item an editor has to look at: its old address, its new file and the reasons."""

    old_url: str
    path: str
    reasons: tuple[str, ...]


@dataclass
class Summary:
    """Counts by kind and the notes of every item that needs a look."""

    kinds: Counter[str] = field(default_factory=Counter)
    drafts: int = 0
    scheduled: int = 0
    copied: int = 0
    missing: int = 0
    shortcodes: int = 0
    redirects: int = 0
    known: int = 0  # imported before: left as they are
    withheld: int = 0  # password-protected or private: drafts whatever their status
    gone: list[tuple[str, str]] = field(default_factory=list)  # (old URL, address deleted here)
    trashed: list[tuple[str, str]] = field(default_factory=list)  # (title, old URL)
    relinked: int = 0  # links between imported items pointed at their files
    skipped: Counter[str] = field(default_factory=Counter)
    notes: dict[str, Note] = field(default_factory=dict)  # by content-relative path

    def add(self, outcome: Outcome, content_dir: str, now: datetime) -> None:
        """Count one outcome and note what an editor has to do about it."""
        item = outcome.item
        if outcome.gone:
            self.gone.append((item.old_url, outcome.gone))
            return
        if not outcome.written:
            self.known += 1
            return
        self.withheld += bool(item.withheld)
        self.kinds[item.kind] += 1
        self.drafts += item.draft
        self.scheduled += not item.draft and item.date > now.strftime("%Y-%m-%d %H:%M")
        self.copied += len(outcome.copied)
        self.missing += len(outcome.missing)
        self.shortcodes += len(item.shortcodes)
        self.redirects += len(outcome.aliases)
        folder = f"{content_dir}/{outcome.path.rsplit('/', 1)[0]}/"
        reasons = [_(WITHHELD[item.withheld])] if item.withheld else []
        reasons += [_(note) for note in item.notes]
        reasons += [
            _("shortcode left as text: {code}").format(code=code) for code in item.shortcodes
        ] + [
            _("file not found: {url}; put it into {folder} as {name}").format(
                url=url, folder=folder, name=name
            )
            for url, name in outcome.missing
        ]
        self._note(f"{content_dir}/{outcome.path}", item.old_url, reasons)

    def add_findings(self, findings: tuple[Problem, ...]) -> int:
        """Attach `check`'s findings to the items written; return the number of errors."""
        errors = 0
        for problem in findings:
            note = self.notes.get(problem.path)
            if note is None or problem.severity == "note":
                continue
            where = f"line {problem.line}: " if problem.line else ""
            self._note(
                problem.path, note.old_url, [f"{where}{problem.severity}: {problem.message}"]
            )
            errors += problem.severity == "error"
        return errors

    def _note(self, path: str, old_url: str, reasons: list[str]) -> None:
        before = self.notes.get(path)
        kept = before.reasons if before else ()
        self.notes[path] = Note(old_url, path, kept + tuple(reasons))

    @property
    def written(self) -> int:
        return sum(self.kinds.values())

    @property
    def complete(self) -> bool:
        """Whether everything came over: every item and every file it uses."""
        return not self.missing

    def left_out(self) -> list[str]:
        """One line for each item left out on purpose, with how to bring it anyway."""
        return [
            _(
                "{old_url}: not imported again: its address {url} was deleted on this site "
                "(--restore-deleted brings it back)"
            ).format(old_url=old_url, url=url)
            for old_url, url in self.gone
        ] + [
            _("{old_url}: not imported: '{title}' is in WordPress's trash").format(
                old_url=old_url, title=title
            )
            for title, old_url in self.trashed
        ]

    def lines(self) -> list[str]:
        """The closing summary, one fact a line."""
        news, pages = self.kinds[NEWS], self.written - self.kinds[NEWS]
        lines = [
            _("imported {count} items: {news} news, {pages} pages").format(
                count=self.written, news=news, pages=pages
            ),
            _("drafts: {drafts}, scheduled: {scheduled}").format(
                drafts=self.drafts, scheduled=self.scheduled
            ),
            _("files copied: {copied}, files missing: {missing}").format(
                copied=self.copied, missing=self.missing
            ),
            _("shortcodes left as text: {count}").format(count=self.shortcodes),
            _("old addresses redirected: {count}").format(count=self.redirects),
            _("links between imported items: {count}").format(count=self.relinked),
            _("items to look at: {count}").format(
                count=sum(bool(n.reasons) for n in self.notes.values())
            ),
        ]
        if self.withheld:
            lines.append(
                _("password-protected or private, imported as drafts: {count}").format(
                    count=self.withheld
                )
            )
        if self.known:
            lines.append(_("imported before, left as they are: {count}").format(count=self.known))
        if self.gone:
            lines.append(
                _("deleted on this site, not imported again: {count}").format(count=len(self.gone))
            )
        if self.trashed:
            lines.append(
                _("in WordPress's trash, not imported: {count}").format(count=len(self.trashed))
            )
        for kind, count in sorted(self.skipped.items()):
            lines.append(_("not imported: {count} × {kind}").format(count=count, kind=kind))
        return lines
