"""`import wordpress` and `import feed`: bring an existing site's items into content/.

Nothing existing is overwritten; afterwards the site is checked and every imported item that
needs a look is printed with its old address and the reasons, then a summary.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from litfass.commands import common
from litfass.i18n import _

if TYPE_CHECKING:  # imported when run: `build` must not pay for the importers
    from litfass.importers.items import Item
    from litfass.importers.summary import Summary
    from litfass.importers.writer import Locate

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
address and left alone. docs/importing.md explains what becomes of what.
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
        common.add_root_option(sub)
        common.add_now_option(sub, "import")


def run_wordpress(args: argparse.Namespace) -> int:
    from litfass.importers.wordpress import WordPressExport, upload_finder

    if args.uploads is not None and not args.uploads.is_dir():
        print(
            _("error: --uploads {folder} is not a folder").format(folder=args.uploads),
            file=sys.stderr,
        )
        return common.EXIT_USAGE
    export = WordPressExport(args.export)
    locate = upload_finder(args.uploads) if args.uploads else None
    summary = _import(args, export.items(), export.total, locate)
    summary.skipped.update(export.skipped)
    return _finish(args, summary)


def run_feed(args: argparse.Namespace) -> int:
    from litfass.config import load_config
    from litfass.importers.feeds import file_finder, read_feed

    if args.files is not None and not args.files.is_dir():
        print(
            _("error: --files {folder} is not a folder").format(folder=args.files), file=sys.stderr
        )
        return common.EXIT_USAGE
    config, _problems = load_config(args.root)
    feeds = [read_feed(source) for source in args.feeds]  # all readable before one is written
    total = sum(len(feed.entries) for feed in feeds)
    items = (item for feed in feeds for item in feed.items(config.timezone))
    locate = file_finder(args.files) if args.files else None
    return _finish(args, _import(args, items, total, locate))


def _import(
    args: argparse.Namespace, items: Iterable[Item], total: int, locate: Locate | None
) -> Summary:
    """Write every item, with a progress bar on a terminal; count what happened."""
    from litfass.config import load_config
    from litfass.importers.summary import Summary
    from litfass.importers.writer import ContentWriter

    config, _problems = load_config(args.root)
    now = common.parse_now(args.now, config.timezone)
    writer = ContentWriter(config, now, locate)
    summary = Summary()
    progress = common.progress_printer(_("items"))
    for done, item in enumerate(items, start=1):
        summary.add(writer.write(item), config.content_dir, now)
        progress(done, max(total, done))
    summary.relinked = writer.relink()
    return summary


def _finish(args: argparse.Namespace, summary: Summary) -> int:
    """Check the site, print each item to look at with its old address, then the summary."""
    errors = 0
    if summary.written:
        from litfass.editors.checks import check

        checked = argparse.Namespace(now=args.now, drafts=True, future=True)
        result = check(args.root, common.options_from(checked))
        errors = summary.add_findings(result.findings)
    for note in sorted(summary.notes.values(), key=lambda n: n.path):
        if note.reasons:
            print(f"{note.path}: {_('was')} {note.old_url}")
            for reason in note.reasons:
                print(f"  {reason}")
    for line in summary.lines():
        print(line, file=sys.stderr)
    return common.EXIT_PROBLEMS if errors else common.EXIT_OK
