"""The command line: the only place that prints and chooses exit codes.

Exit codes: 0 success, 1 problems in the site (content, templates, config), 2 usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from litfass import __version__
from litfass.commands import admin as admin_command
from litfass.commands import build as build_command
from litfass.commands import check as check_command
from litfass.commands import importing as import_command
from litfass.commands import init as init_command
from litfass.commands import new as new_command
from litfass.commands import serve as serve_command
from litfass.commands import watch as watch_command
from litfass.commands.common import EXIT_INTERRUPTED, EXIT_PROBLEMS, report
from litfass.errors import LitfassError

COMMANDS = [
    build_command,
    new_command,
    init_command,
    check_command,
    serve_command,
    watch_command,
    import_command,
    admin_command,
]  # each module has register(subparsers)
DESCRIPTION = """\
litfass builds the news and events portal in this folder: Markdown in content/,
templates in templates/, settings in config.yaml; the site goes to output/."""
EPILOG = """\
Without a command, litfass builds: `python build.py` is `python build.py build`.
Run `python build.py COMMAND --help` for each command's options and examples.
"""


def main(argv: list[str] | None = None) -> int:
    """Run litfass with `argv` (default: the process arguments); return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "build")  # building is what `python build.py` means
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except LitfassError as exc:
        report(exc.problems, output_kept=getattr(args, "writes_output", False))
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        # The name the editor typed: the installed command, or the checkout's build.py.
        prog="litfass" if Path(sys.argv[0]).stem == "litfass" else "build.py",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"litfass {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for module in COMMANDS:
        module.register(commands)
    return parser
