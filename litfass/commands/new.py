"""`new`: start a press release, event, magazine issue or page as a draft file, or the
translation of one (`new --lang en content/news/x.md`).

The engine (scaffold.py) writes the file; this module only parses and prints its path.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from litfass.commands import common
from litfass.config import Settings
from litfass.content.model import EVENT, KINDS
from litfass.i18n import N_, _

EXAMPLES = N_("""\
examples:
  python build.py new news "Fachtag in Görlitz"
      writes content/news/2026-11-26-fachtag-in-goerlitz.md (dated today)
  python build.py new event "Fachtag in Görlitz" --start 2027-03-12T10:00 \\
      --end 2027-03-12T16:00 --location "Volkshaus Görlitz"
      writes content/events/2027-03-12-fachtag-in-goerlitz.md
  python build.py new event "Aktionstag Ehrenamt" --start 15.05.2027
      an all-day event
  python build.py new magazine "anspiel 1/2027: Gut alt werden"
  python build.py new page "Über uns"
  python build.py new news "Sommerfest in Leipzig" --image ~/Bilder/sommerfest.jpg
      writes content/news/2026-11-26-sommerfest-in-leipzig/index.md and copies the
      picture beside it as sommerfest.jpg
  python build.py new magazine "anspiel 1/2027" --folder
      a folder for the issue, its cover and its PDF
  python build.py new --lang en content/news/2026-10-28-kaeltehilfe.md
      writes content/news/2026-10-28-kaeltehilfe.en.md, the English translation to write
      (a language config.yaml's 'languages' lists)

The new file is a draft ('draft: true'): it appears with `python build.py serve --drafts`
and on the site once you set 'draft: false'. An existing file is never overwritten.
""")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "new",
        help=_("start a new press release, event, magazine issue or page"),
        description=_(
            "Write a new content file with every useful key filled in or commented,\n"
            "as a draft, and print its path."
        ),
        epilog=_(EXAMPLES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "kind",
        metavar=_("KIND"),
        help=_("what to write: news, event, magazine or page; with --lang: the original's file"),
    )
    parser.add_argument(
        "title", nargs="?", default=None, help=_('the title, in quotes: "Fachtag in Görlitz"')
    )
    parser.add_argument(
        "--lang",
        metavar=_("LANGUAGE"),
        default="",
        help=_("translate the item KIND names into LANGUAGE: new --lang en content/news/x.md"),
    )
    parser.add_argument(
        "--start", metavar=_("WHEN"), default="", help=_("events: 2027-03-12T10:00")
    )
    parser.add_argument("--end", metavar=_("WHEN"), default="", help=_("events: 2027-03-12T16:00"))
    parser.add_argument(
        "--location", metavar=_("PLACE"), default="", help=_('events: "Volkshaus Görlitz"')
    )
    parser.add_argument(
        "--slug", default="", help=_("the address part instead of one made from the title")
    )
    parser.add_argument(
        "--folder",
        action="store_true",
        help="make a folder with index.md, for images and documents beside the text",
    )
    parser.add_argument(
        "--image",
        metavar="FILE",
        type=Path,
        default=None,
        help="copy this picture into the item's folder as its image (makes a folder)",
    )
    common.add_root_option(parser)
    common.add_now_option(
        parser,
        N_("date the item as if it were DATE (2027-03-01 or '2027-03-01 10:00'); default: now"),
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.lang:
        return _translate(args, settings)
    if args.kind not in KINDS:
        message = _("error: '{kind}' is not something `new` writes; choose {kinds}")
        print(message.format(kind=args.kind, kinds=", ".join(KINDS)), file=sys.stderr)
        return common.EXIT_USAGE
    if args.title is None:
        print(_('error: the title is missing, e.g. "Fachtag in Görlitz"'), file=sys.stderr)
        return common.EXIT_USAGE
    if args.kind != EVENT and (args.start or args.end or args.location):
        print(_("error: --start, --end and --location are for events only"), file=sys.stderr)
        return common.EXIT_USAGE
    from litfass.editors.scaffold import NewItem, create  # here: `build` must not import it

    config = settings.loaded()[0]
    item = NewItem(
        kind=args.kind,
        title=args.title,
        now=common.parse_now(args.now, config.tz),
        start=args.start,
        end=args.end,
        location=args.location,
        slug=args.slug,
        folder=args.folder,
        image=args.image,
    )
    path = create(config, item)
    print(path)
    print(
        _(
            "created as a draft: write the text, then set 'draft: false' to publish "
            "(preview: python build.py serve --drafts)"
        ),
        file=sys.stderr,
    )
    return common.EXIT_OK


def _translate(args: argparse.Namespace, settings: Settings) -> int:
    """`new --lang en FILE`: the translation file beside the original, printed like a new item."""
    given = (args.title, args.start, args.end, args.location, args.slug, args.folder, args.image)
    if any(given):
        print(_("error: with --lang, name only the original's file"), file=sys.stderr)
        return common.EXIT_USAGE
    from litfass.editors.scaffold import start_translation  # here: `build` must not import it

    original = Path(args.kind)
    if not original.is_absolute() and not original.exists():
        in_site = settings.root / original  # as the site's folder names it
        original = in_site if in_site.exists() else original
    path = start_translation(settings.loaded()[0], original, args.lang.strip())
    print(path)
    print(
        _(
            "created as a draft: translate the words marked 'übersetzen' and the text, then "
            "set 'draft: false' to publish (check: python build.py check)"
        ),
        file=sys.stderr,
    )
    return common.EXIT_OK
