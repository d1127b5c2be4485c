"""`build`: build the site into output/, atomically."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from litfass.commands import common
from litfass.engine.state import BuildResult, fresh_result
from litfass.folders import CACHE_DIR
from litfass.workers import default_workers

EXAMPLES = """\
examples:
  python build.py                  build the portal into output/
  python build.py --drafts         include drafts (marked "Entwurf")
  python build.py --strict         fail on warnings too (for the content repository's CI)
  python build.py --now 2027-03-01 build as if it were that day (scheduled items)
"""


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "build",
        help="build the site into output/ (the default)",
        description="Build the site into output/, atomically: on any error output/ stays as it was.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common.add_site_options(parser)
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    parser.add_argument(
        "--workers",
        type=_positive,
        default=default_workers(),
        metavar="N",
        help="processes that render in parallel (default: one per CPU, here %(default)s)",
    )
    parser.add_argument(
        "--no-cache",
        dest="use_cache",
        action="store_false",
        help=f"render every page and body afresh: no Markdown cache, no saved state in {CACHE_DIR}/",
    )
    parser.set_defaults(run=run, writes_output=True)


def run(args: argparse.Namespace) -> int:
    progress = None if args.quiet else _progress_printer()
    options = common.options_from(args)
    result = None
    if args.use_cache:  # nothing changed: answer before importing the renderers at all
        result = fresh_result(args.root, options.now, options.drafts, options.future, args.strict)
    if result is None:
        from litfass.engine.oneshot import build

        result = build(
            args.root,
            options,
            strict=args.strict,
            progress=progress,
            workers=args.workers,
            use_cache=args.use_cache,
            check_fresh=False,
        )
    common.report(list(result.warnings))
    if not args.quiet:
        for note in result.notes:  # an address changed: the editor should know what became of it
            print(note)
        _summary(result)
    return common.EXIT_OK


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not '{text}'")
    return value


def _summary(result: BuildResult) -> None:
    if result.allow_html:
        print("note: markdown.allow_html is on: raw HTML from editors is published unfiltered")
    warnings = f", {len(result.warnings)} warnings" if result.warnings else ""
    rendered = ""
    if 0 <= result.rendered < result.files:  # the cache saved work: say how much was left
        rendered = f"; {result.rendered} rendered, the rest unchanged since the last build"
    print(
        f"Built {result.items} items into {result.pages} pages ({result.files} files, "
        f"{result.written} written, {result.unchanged} unchanged{rendered}) in "
        f"{result.seconds:.2f} s{warnings}"
    )


def _progress_printer() -> Callable[[int, int], None]:
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
