"""`import wordpress` and `import feed`: bring an existing site's items into content/.

Nothing existing is overwritten; afterwards the site is checked as `check` does it: if it
would not build, everything the import wrote is removed again. Every imported item that needs
a look is printed with its old address and the reasons, then a summary; the exit code says
whether everything came over.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from litfass.commands import common
from litfass.config import Settings
from litfass.i18n import _

if TYPE_CHECKING:  # imported when run: `build` must not pay for the importers
    from litfass.importers.items import Item
    from litfass.importers.summary import Summary
    from litfass.importers.writer import ContentWriter, Locate

EXAMPLES = """\
examples:
  python build.py import wordpress export.xml --uploads wp-content/uploads
      posts become news, pages become pages; images and PDFs are copied
  python build.py import wordpress export.xml
      the same, the files each item needs are listed instead
  python build.py import feed pressemitteilungen-2019.xml pressemitteilungen-2020.xml
  python build.py import feed news.xml --files alte-seite
      files the entries use are copied from alte-seite/fileadmin/... by their address
  python build.py import feed https://www.example.org/aktuelles/rss.xml

Run it again after a newer export: items imported before are recognised by their old
address and left alone, and items deleted on the site since are not brought back (unless
--restore-deleted). Exit code 0: everything came over; 1: something is missing (listed),
or the site would not build with the import (then nothing was written).
docs/importing.md explains what becomes of what.
"""


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "import",
        help=_("import a WordPress export or RSS/Atom feeds into content/"),
        description=_(
            "Write the posts and pages of another system into content/ as Markdown,\n"
            "keeping their old addresses as redirects. Existing files are never overwritten."
        ),
        epilog=_(EXAMPLES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sources = parser.add_subparsers(title=_("sources"), metavar="SOURCE", required=True)
    wordpress = sources.add_parser(
        "wordpress",
        help=_("a WordPress export file (Tools → Export)"),
        description=_("Import a WordPress export (WXR): posts, pages and their files."),
    )
    wordpress.add_argument("export", type=Path, help=_("the export file, e.g. export.xml"))
    wordpress.add_argument(
        "--uploads",
        type=Path,
        metavar="DIR",
        help=_("a copy of wp-content/uploads: the files items use are copied from it"),
    )
    wordpress.set_defaults(run=run_wordpress)
    feed = sources.add_parser(
        "feed",
        help=_("RSS 2.0 or Atom feeds, files or addresses"),
        description=_("Import the entries of RSS 2.0 or Atom feeds as news."),
    )
    feed.add_argument("feeds", nargs="+", metavar="FILE_OR_URL", help=_("feed files or addresses"))
    feed.add_argument(
        "--files",
        type=Path,
        metavar="DIR",
        help=_("a copy of the old site's files by their path (e.g. with fileadmin/ inside)"),
    )
    feed.set_defaults(run=run_feed)
    for sub in (wordpress, feed):
        sub.add_argument(
            "--restore-deleted",
            action="store_true",
            help=_("also import items whose address was deleted on this site (addresses.yaml)"),
        )
        common.add_root_option(sub)
        common.add_now_option(sub, "import")


def run_wordpress(args: argparse.Namespace, settings: Settings) -> int:
    from litfass.importers.wordpress import WordPressExport, upload_finder

    if args.uploads is not None and not args.uploads.is_dir():
        print(
            _("error: --uploads {folder} is not a folder").format(folder=args.uploads),
            file=sys.stderr,
        )
        return common.EXIT_USAGE
    export = WordPressExport(args.export)
    locate = upload_finder(args.uploads) if args.uploads else None
    summary, writer = _import(args, settings, export.items(), export.total, locate)
    summary.skipped.update(export.skipped)
    summary.trashed.extend(export.trashed)
    return _finish(args, settings, summary, writer)


def run_feed(args: argparse.Namespace, settings: Settings) -> int:
    from litfass.importers.feeds import file_finder, read_feed

    if args.files is not None and not args.files.is_dir():
        print(
            _("error: --files {folder} is not a folder").format(folder=args.files), file=sys.stderr
        )
        return common.EXIT_USAGE
    zone = settings.loaded()[0].tz
    feeds = [read_feed(source) for source in args.feeds]  # all readable before one is written
    total = sum(len(feed.entries) for feed in feeds)
    items = (item for feed in feeds for item in feed.items(zone))
    locate = file_finder(args.files) if args.files else None
    return _finish(args, settings, *_import(args, settings, items, total, locate))


def _import(
    args: argparse.Namespace,
    settings: Settings,
    items: Iterable[Item],
    total: int,
    locate: Locate | None,
) -> tuple[Summary, ContentWriter]:
    """Write every item, with a progress bar on a terminal; count what happened.

    On any error (a refused path, a full disk, an unreadable item) what was written so far is
    removed again: an import is whole or not at all.
    """
    from litfass.importers.summary import Summary
    from litfass.importers.writer import ContentWriter

    config, _problems = settings.loaded()
    now = common.parse_now(args.now, config.tz)
    writer = ContentWriter(config, now, locate, restore=args.restore_deleted)
    summary = Summary()
    progress = common.progress_printer(_("items"))
    try:
        for done, item in enumerate(items, start=1):
            summary.add(writer.write(item), config.content_dir, now)
            progress(done, max(total, done))
        summary.relinked = writer.relink()
        writer.flush()
    except BaseException:
        writer.roll_back()
        raise
    return summary, writer


def _finish(
    args: argparse.Namespace, settings: Settings, summary: Summary, writer: ContentWriter
) -> int:
    """Check the site as `check` does; if it would not build, take the import back.

    Else print each item to look at with its old address, what was left out, the summary.
    """
    if summary.written:
        from litfass.editors.checks import check

        checked = argparse.Namespace(now=args.now, drafts=True, future=True)
        try:
            findings = check(settings, common.options_from(checked, settings.tz)).findings
        except BaseException:
            writer.roll_back()
            raise
        if any(problem.severity == "error" for problem in findings):
            writer.roll_back()
            common.report([p for p in findings if p.severity == "error"])
            print(
                _("the site would not build with the import: nothing was imported"),
                file=sys.stderr,
            )
            return common.EXIT_PROBLEMS
        summary.add_findings(findings)
    for note in sorted(summary.notes.values(), key=lambda n: n.path):
        if note.reasons:
            print(f"{note.path}: {_('was')} {note.old_url}")
            for reason in note.reasons:
                print(f"  {reason}")
    for line in summary.left_out():
        print(line)
    for line in summary.lines():
        print(line, file=sys.stderr)
    return common.EXIT_OK if summary.complete else common.EXIT_PROBLEMS
