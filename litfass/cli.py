"""The command line: the only place that prints and chooses exit codes.

Exit codes: 0 success, 1 problems in the site (content, templates, config), 2 usage.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from litfass import __version__
from litfass.build import BuildResult, build
from litfass.errors import LitfassError, Problem
from litfass.site import BuildOptions

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
DESCRIPTION = """\
litfass builds the news and events portal in this folder: Markdown in content/,
templates in templates/, settings in config.yaml; the site goes to output/."""
BUILD_EXAMPLES = """\
examples:
  python build.py                  build the portal into output/
  python build.py --drafts         include drafts (marked "Entwurf")
  python build.py --strict         fail on warnings too (for the content repository's CI)
  python build.py --now 2027-03-01 build as if it were that day (scheduled items)
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
        _report(exc.problems)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py",
        description=DESCRIPTION,
        epilog=BUILD_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"litfass {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    build_parser = commands.add_parser(
        "build",
        help="build the site into output/ (the default)",
        description="Build the site into output/, atomically: on any error output/ stays as it was.",
        epilog=BUILD_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_site_options(build_parser)
    build_parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build_parser.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    build_parser.set_defaults(run=run_build)
    return parser


def add_site_options(parser: argparse.ArgumentParser) -> None:
    """Options every command that reads the site shares."""
    parser.add_argument(
        "--root", type=Path, default=Path("."), help="the site's folder (default: here)"
    )
    parser.add_argument("--drafts", action="store_true", help="include items with 'draft: true'")
    parser.add_argument("--future", action="store_true", help="include items dated in the future")
    parser.add_argument(
        "--now",
        metavar="DATE",
        default=os.environ.get("LITFASS_NOW"),
        help="build as if it were DATE (2027-03-01 or '2027-03-01 10:00'); default: now",
    )


def options_from(args: argparse.Namespace, timezone: str = "Europe/Berlin") -> BuildOptions:
    """Build options from the shared command-line options."""
    return BuildOptions(now=parse_now(args.now, timezone), drafts=args.drafts, future=args.future)


def parse_now(text: str | None, timezone: str = "Europe/Berlin") -> datetime:
    """The build's clock: now, or the moment given with --now / LITFASS_NOW."""
    tz = ZoneInfo(timezone)
    if not text:
        return datetime.now(tz)
    from litfass.dates import parse_when

    try:
        return parse_when(text, tz)[0]
    except ValueError as exc:
        raise LitfassError(Problem("--now", 0, str(exc))) from None


def run_build(args: argparse.Namespace) -> int:
    progress = None if args.quiet else _progress_printer()
    result = build(args.root, options_from(args), strict=args.strict, progress=progress)
    _report(list(result.warnings))
    if not args.quiet:
        _summary(result)
    return EXIT_OK


def _summary(result: BuildResult) -> None:
    if result.allow_html:
        print("note: markdown.allow_html is on: raw HTML from editors is published unfiltered")
    warnings = f", {len(result.warnings)} warnings" if result.warnings else ""
    print(
        f"Built {result.items} items into {result.pages} pages ({result.files} files, "
        f"{result.written} written, {result.unchanged} unchanged) in "
        f"{result.seconds:.2f} s{warnings}"
    )


def _report(problems: list[Problem]) -> None:
    for problem in sorted(problems, key=lambda p: (p.path, p.line)):
        label = "warning" if problem.severity == "warning" else "error"
        where = f"{problem.path}:{problem.line}" if problem.line else problem.path
        print(f"{where}: {label}: {problem.message}", file=sys.stderr)
    errors = sum(p.severity == "error" for p in problems)
    if errors:
        print(f"{errors} error(s); output/ was not changed.", file=sys.stderr)


def _progress_printer():
    """A bar on a terminal; a few plain lines elsewhere (CI logs)."""
    tty = sys.stderr.isatty() and not os.environ.get("CI")
    last = [-1]

    def show(done: int, total: int) -> None:
        if total < 200:
            return
        percent = done * 100 // total
        if tty:
            if percent != last[0] or done == total:
                bar = "#" * (percent // 4)
                end = "\n" if done == total else ""
                print(f"\r[{bar:<25}] {done}/{total} files", end=end, file=sys.stderr, flush=True)
        elif percent // 25 != last[0] // 25 and percent % 25 == 0:
            print(f"rendering: {done}/{total} files ({percent}%)", file=sys.stderr, flush=True)
        last[0] = percent

    return show
