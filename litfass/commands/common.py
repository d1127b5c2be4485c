"""What every command shares: site options, the build clock, printing problems, exit codes."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from litfass.config import DEFAULT_TIMEZONE
from litfass.content.model import BuildOptions
from litfass.errors import LitfassError, Problem
from litfass.i18n import N_, _, language, ngettext

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
SEVERITIES = {"error": N_("error"), "warning": N_("warning"), "note": N_("note")}


def add_site_options(parser: argparse.ArgumentParser) -> None:
    """Options every command that reads the site shares."""
    add_root_option(parser)
    parser.add_argument("--drafts", action="store_true", help=_("include items with 'draft: true'"))
    parser.add_argument(
        "--future", action="store_true", help=_("include items dated in the future")
    )
    add_now_option(parser)


def add_root_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root",
        type=Path,
        default=Path("."),
        metavar=_("FOLDER"),
        help=_("the site's folder (default: here)"),
    )


NOW_HELP = N_("build as if it were DATE (2027-03-01 or '2027-03-01 10:00'); default: now")


def add_now_option(parser: argparse.ArgumentParser, help: str = NOW_HELP) -> None:
    """--now; `help` (marked with N_, translated here) says what the date is for."""
    parser.add_argument(
        "--now", metavar=_("DATE"), default=os.environ.get("LITFASS_NOW"), help=_(help)
    )


def options_from(args: argparse.Namespace, zone: ZoneInfo) -> BuildOptions:
    """Build options from the shared command-line options; `zone` is the site's."""
    return BuildOptions(now=parse_now(args.now, zone), drafts=args.drafts, future=args.future)


def parse_now(text: str | None, zone: ZoneInfo | str = DEFAULT_TIMEZONE) -> datetime:
    """The build's clock: now, or the moment given with --now / LITFASS_NOW, a time without
    an offset read on the wall clock of `zone` (the site's)."""
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    if not text:
        return datetime.now(tz)
    from litfass.dates import parse_when

    try:
        return parse_when(text, tz)[0]
    except ValueError as exc:
        raise LitfassError(Problem("--now", 0, str(exc))) from None


def report(problems: list[Problem], output_kept: bool = False) -> None:
    """Print problems sorted by file; say output/ was kept when a build stopped."""
    for problem in sorted(problems, key=lambda p: (p.path, p.line)):
        print(format_problem(problem), file=sys.stderr)
    errors = sum(p.severity == "error" for p in problems)
    if errors:
        kept = _("; output/ was not changed") if output_kept else ""
        summary = ngettext("{count} error{kept}.", "{count} errors{kept}.", errors)
        print(summary.format(count=errors, kept=kept), file=sys.stderr)


def seconds(value: float) -> str:
    """A duration as the language writes it: 0.52 in English, 0,52 in German."""
    from babel.numbers import format_decimal

    return format_decimal(value, "0.00", locale=language())


def format_problem(problem: Problem) -> str:
    """`path:line: error|warning|note: message`, the line every editor tool prints."""
    where = f"{problem.path}:{problem.line}" if problem.line else problem.path
    severity = SEVERITIES.get(problem.severity, problem.severity)
    return f"{where}: {_(severity)}: {problem.message}"


def progress_printer(
    noun: str, minimum: int = 50, plain: str = "{done}/{total} {noun} ({percent}%)"
) -> Callable[[int, int], None]:
    """A bar on a terminal for `minimum` or more things; a few plain lines elsewhere (CI logs),
    `plain` with {done}, {total}, {noun} and {percent}."""
    tty = sys.stderr.isatty() and not os.environ.get("CI")
    last = [-1]

    def show(done: int, total: int) -> None:
        if total < minimum:
            return
        percent = done * 100 // total
        if tty:
            if percent != last[0] or done == total:
                bar = "#" * (percent // 4)
                end = "\n" if done == total else ""
                print(f"\r[{bar:<25}] {done}/{total} {noun}", end=end, file=sys.stderr, flush=True)
        elif percent // 25 != last[0] // 25 and percent % 25 == 0:
            line = plain.format(done=done, total=total, noun=noun, percent=percent)
            print(line, file=sys.stderr, flush=True)
        last[0] = percent

    return show
