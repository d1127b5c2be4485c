"""`publish`: put the built site on the web space (SFTP, FTPS, FTP) or into a folder.

Only what changed goes up; the password comes from the environment or the keyboard, never
from config.yaml or the command line (both end up in files and process lists).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from litfass.commands import common
from litfass.config import Settings
from litfass.destination import Destination, parse_destination
from litfass.errors import LitfassError
from litfass.i18n import N_, _

if TYPE_CHECKING:
    from litfass.publish.upload import Published

EXAMPLES = N_("""\
examples:
  python build.py publish                  to publish.destination in config.yaml
  python build.py publish --dry-run        only list what would change
  python build.py publish sftp://verein@ssh.example.net/htdocs
  python build.py publish ftps://verein@ftp.example.net/html
  python build.py publish ../webspace      into a folder

The password (if the server wants one) comes from LITFASS_PUBLISH_PASSWORD, else it is asked for.
""")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "publish",
        help=_("put the built site on the web space (SFTP, FTPS) or into a folder"),
        description=_(
            "Upload what changed in output/ since the last publish, new files before the "
            "pages that use them, deletions last. Build first with `python build.py`."
        ),
        epilog=_(EXAMPLES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common.add_root_option(parser)
    parser.add_argument(
        "destination",
        nargs="?",
        metavar=_("DESTINATION"),
        help=_("sftp://user@host/folder, ftps://…, ftp://… or a folder (default: config.yaml's)"),
    )
    parser.add_argument(
        "--identity", type=Path, metavar=_("FILE"), help=_("the SSH key to log in with")
    )
    parser.add_argument(
        "--known-hosts",
        type=Path,
        metavar=_("FILE"),
        help=_("the servers' keys to trust (default: ~/.ssh/known_hosts)"),
    )
    parser.add_argument(
        "--dry-run", action="store_true", help=_("list what would change, change nothing")
    )
    parser.add_argument("-q", "--quiet", action="store_true", help=_("print only problems"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from litfass.publish.upload import Options, describe, publish

    config, warnings = settings.loaded()
    common.report(warnings)
    destination = _destination(args.destination, config.publish_destination, args.root)
    options = Options(_ask, args.identity, args.known_hosts, args.dry_run)
    progress = None
    if not args.quiet and not args.dry_run:
        plain = _("publishing: {done}/{total} files ({percent}%)")
        progress = common.progress_printer(_("files"), 20, plain)
    done = publish(config.root, config.output_path, destination, options, progress)
    if args.dry_run:
        _list(done)
    if not args.quiet:
        print(describe(done, destination, args.dry_run))
    return common.EXIT_OK


def _destination(given: str | None, configured: Destination | None, root: Path) -> Destination:
    if given is None:
        if configured is None:
            message = _(
                "no destination: name one (python build.py publish sftp://user@host/folder) "
                "or set 'publish: destination:' in config.yaml"
            )
            raise LitfassError.at("config.yaml", 0, message)
        return configured
    try:
        return parse_destination(given, Path.cwd())
    except ValueError as exc:
        raise LitfassError.at(_("DESTINATION"), 0, str(exc)) from None


def _ask(destination: Destination) -> str | None:
    """The password, typed without echo; None when nobody is at a terminal (CI, the preview)."""
    if not sys.stdin.isatty():
        return None
    prompt = _("Password for {user}@{host}: ").format(user=destination.user, host=destination.host)
    return getpass.getpass(prompt) or None


def _list(done: Published) -> None:
    for rel in done.uploads:
        word = _("new") if rel in done.new else _("changed")
        print(f"{word}: {rel}")
    for rel in done.deletes:
        print(_("delete: {file}").format(file=rel))
