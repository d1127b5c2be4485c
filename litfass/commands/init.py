"""`init`: start a new site in a new folder and build it once with the default theme.

The engine (starter.py) writes the files and the one-shot build builds them; this module only
parses and prints what it made.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from litfass.commands import common
from litfass.config import DEFAULT_TIMEZONE, Settings
from litfass.i18n import N_, _

EXAMPLES = N_("""\
examples:
  litfass init mein-portal
      writes mein-portal/config.yaml, build.py, requirements.txt, .gitignore and one example
      news article, event, magazine issue and page in mein-portal/content/, and builds the
      site into mein-portal/output/
  litfass init mein-portal --title "Paritätischer Beispielverband"
  python build.py init ../mein-portal
      the same from a litfass checkout
  cd mein-portal && python build.py serve
      preview the new site at http://localhost:8000/

In the new folder every command of the handbook works: python build.py, python build.py check,
python build.py new news "Titel". To build and publish on a git host, copy a workflow from
litfass's deploy/ folder (docs/deploying.md); it installs the litfass requirements.txt names.

The site uses the theme that ships with litfass. A file in the site's templates/ replaces
the theme's file of the same name, one by one: templates/partials/footer.html,
templates/static/style.css, a key in templates/i18n/de.yaml.
The folder must be new or empty: `init` never overwrites anything.
""")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "init",
        help=_("start a new site in a new folder"),
        description=_(
            "Start a new site in a new or empty folder: a commented config.yaml, one example\n"
            "of each kind of content, build.py, requirements.txt and a .gitignore. It builds\n"
            "the site into output/ at once."
        ),
        epilog=_(EXAMPLES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("folder", type=Path, help=_("the new site's folder, e.g. mein-portal"))
    parser.add_argument(
        "--title", default="Mein Verband", help=_('the portal\'s name (default: "Mein Verband")')
    )
    common.add_now_option(
        parser,
        N_(
            "date the example items as if it were DATE (2027-03-01 or '2027-03-01 10:00'); default: now"
        ),
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from litfass.content.model import BuildOptions
    from litfass.editors.starter import NewSite, create_site  # `build` must not import it
    from litfass.engine.oneshot import build

    # The new site's zone is the starter's, the default; `settings` are the folder's around it.
    now = common.parse_now(args.now, DEFAULT_TIMEZONE)
    made = create_site(NewSite(folder=args.folder, title=args.title, now=now))
    for rel in made:
        print(args.folder / rel)
    # What the help promises: the new site is there to look at, built like any other.
    build(args.folder.resolve(), BuildOptions(now=now, drafts=False, future=False), strict=True)
    made_site = _(
        "created a new site in {folder}/ and built it into {folder}/output/.\n"
        "Next: cd {folder} and python build.py serve (the preview at http://localhost:8000/)."
    )
    print(made_site.format(folder=args.folder), file=sys.stderr)
    return common.EXIT_OK
