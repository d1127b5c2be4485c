"""The command line: the only place that prints and chooses exit codes.

Exit codes: 0 success, 1 problems in the site (content, templates, config), 2 usage.
"""

from __future__ import annotations

import argparse
import gettext
import os
import sys
from pathlib import Path

from litfass import __version__
from litfass.commands import admin as admin_command
from litfass.commands import build as build_command
from litfass.commands import check as check_command
from litfass.commands import importing as import_command
from litfass.commands import init as init_command
from litfass.commands import new as new_command
from litfass.commands import publish as publish_command
from litfass.commands import serve as serve_command
from litfass.commands import watch as watch_command
from litfass.commands.common import EXIT_INTERRUPTED, EXIT_PROBLEMS, report
from litfass.config import Settings, read_config_file, validate
from litfass.errors import LitfassError
from litfass.i18n import DOMAIN, LOCALE_DIR, N_, _, use_language

COMMANDS = [
    build_command,
    new_command,
    init_command,
    check_command,
    serve_command,
    watch_command,
    import_command,
    admin_command,
    publish_command,
]  # each module has register(subparsers)
DESCRIPTION = N_("""\
litfass builds the news and events portal in this folder: Markdown in content/,
templates in templates/, settings in config.yaml; the site goes to output/.""")
EPILOG = N_("""\
Without a command, litfass builds: `python build.py` is `python build.py build`.
Run `python build.py COMMAND --help` for each command's options and examples.
""")
LANGUAGE_VARIABLE = "LITFASS_LANG"  # overrides the site's language, e.g. for a developer
# argparse's own words, as its source spells them: it looks them up in the program's gettext
# domain, which is ours (`_speak`), so they are in our catalog too.
ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"),
    N_("expected one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("ignored explicit argument %r"),
)


def main(argv: list[str] | None = None) -> int:
    """Run litfass with `argv` (default: the process arguments); return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    settings = _read_settings(_root_of(argv))
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "build")  # building is what `python build.py` means
    args = _parser().parse_args(argv)
    root = getattr(args, "root", None)
    if root is not None and root != settings.root:  # --root said twice: argparse takes the last
        settings = _read_settings(root)
    try:
        return args.run(args, settings)
    except LitfassError as exc:
        report(exc.problems, output_kept=getattr(args, "writes_output", False))
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        print(_("interrupted"), file=sys.stderr)
        return EXIT_INTERRUPTED


def _read_settings(root: Path) -> Settings:
    """config.yaml of the site the command reads, read once, and the language chosen from it:
    `LITFASS_LANG`, else the site's `language`, else the locale's (German where the locale
    names no language). What is wrong with the file is said in the language chosen."""
    chosen = os.environ.get(LANGUAGE_VARIABLE, "").strip()
    _speak(chosen or _locale_language())  # for a config.yaml that is missing or not YAML
    file = read_config_file(root)
    if not chosen and file.language:
        _speak(file.language)
    return validate(file)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        # The name the editor typed: the installed command, or the checkout's build.py.
        prog="litfass" if Path(sys.argv[0]).stem == "litfass" else "build.py",
        description=_(DESCRIPTION),
        epilog=_(EPILOG),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"litfass {__version__}",
        help=_("show litfass's version and exit"),
    )
    commands = parser.add_subparsers(title=_("commands"), metavar=_("COMMAND"))
    for module in COMMANDS:
        module.register(commands)
    return parser


def _root_of(argv: list[str]) -> Path:
    """The folder `--root` names (the parser is not made yet: its texts need the language)."""
    for index, arg in enumerate(argv):
        if arg == "--root" and index + 1 < len(argv):
            return Path(argv[index + 1])
        if arg.startswith("--root="):
            return Path(arg.removeprefix("--root="))
    return Path(".")


def _locale_language() -> str:
    """German, unless the user's locale is explicitly another language (then English).

    litfass is a German product: a machine without any locale (C, POSIX, unset, as on many
    servers and CI runners) gets German; fr_FR.UTF-8 or en_GB.UTF-8 are a choice, and English
    is the only other language litfass speaks.
    """
    import locale

    # LC_CTYPE is not asked: Python sets it to C.UTF-8 where the locale is not installed.
    said = (os.environ.get(name) for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"))
    name = next((value for value in said if value), None) or ""
    if not name and sys.platform == "win32":  # Windows keeps it in its settings, not in LANG
        name = locale.getlocale()[0] or ""  # elsewhere Python reads C.UTF-8 as en_US here
    first = name.split(":")[0].lower()  # LANGUAGE may list several: de:en
    if not first or first in ("c", "posix") or first.startswith("c."):
        return "de"
    return "de" if first.startswith(("de", "german")) else "en"


def _speak(language: str) -> None:
    """Our messages and argparse's own ("usage:", "show this help message") in `language`."""
    use_language(language)
    # argparse asks gettext's process-wide domain, whose language comes from the environment.
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = language
