"""`init`: start a new site in a new folder, ready to build with the default theme.

The engine (starter.py) writes the files; this module only parses and prints what it made.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from litfass.commands import common
from litfass.i18n import N_, _

EXAMPLES = N_("""\
examples:
  litfass init mein-portal
      writes mein-portal/config.yaml, .gitignore and one example news article, event,
      magazine issue and page in mein-portal/content/
  litfass init mein-portal --title "Paritätischer Beispielverband"
  python build.py init ../mein-portal
      the same from a litfass checkout
  cd mein-portal && litfass serve
      preview the new site at http://localhost:8000/

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
            "Start a new site: a commented config.yaml, one example of each kind of\n"
            "content and a .gitignore, in a new or empty folder. It builds at once."
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


def run(args: argparse.Namespace) -> int:
    from litfass.editors.starter import NewSite, create_site  # `build` must not import it

    site = NewSite(folder=args.folder, title=args.title, now=common.parse_now(args.now))
    made = create_site(site)
    for rel in made:
        print(args.folder / rel)
    made_site = _(
        "created a new site in {folder}/; build it with: cd {folder} && litfass build "
        "(preview: litfass serve)"
    )
    print(made_site.format(folder=args.folder), file=sys.stderr)
    return common.EXIT_OK
