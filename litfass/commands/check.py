"""`check`: validate every content file and print one line per finding; writes nothing.

Findings go to stdout as `path:line: error|warning|note: message`; the summary to stderr.
"""

from __future__ import annotations

import argparse
import sys

from litfass.commands import common

EXAMPLES = """\
examples:
  python build.py check                  check every file, drafts too; exit 1 on errors
  python build.py check --strict         also exit 1 on warnings (for the content repository's CI)
  python build.py check --now 2027-03-01 check as if it were that day

Each finding is one line, sorted by file:
  content/events/2027-03-12-fachtag-in-goerlitz.md:4: warning: unknown key 'ort'; did you mean 'location'?
'error' stops the build; 'warning' is something readers would meet (a broken link, an
image without alt text); 'note' only informs (an item scheduled for later).
docs/redaktion.md explains every message and how to fix it.
"""


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "check",
        help="check all content for mistakes without building",
        description="Check config.yaml and every content file, drafts and scheduled items\n"
        "included: front matter, links, images and alt texts, headings, events, summaries.\n"
        "Nothing is written.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common.add_root_option(parser)
    parser.add_argument("--drafts", action="store_true", help="count links to drafts as published")
    parser.add_argument(
        "--future", action="store_true", help="count links to scheduled items as published"
    )
    common.add_now_option(parser, "check")
    parser.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from litfass.editors.checks import check  # here: `build` must not pay for importing it

    result = check(args.root, common.options_from(args))
    for problem in result.findings:
        print(common.format_problem(problem))
    errors, warnings, notes = (result.count(s) for s in ("error", "warning", "note"))
    counts = ", ".join(
        f"{n} {label}{'s' if n != 1 else ''}"
        for n, label in ((errors, "error"), (warnings, "warning"), (notes, "note"))
        if n
    )
    print(f"checked {result.files} files: {counts or 'no problems found'}", file=sys.stderr)
    if not result.links_checked:
        print("links were not checked: fix the errors first, then check again", file=sys.stderr)
    failed = errors or (args.strict and warnings)
    return common.EXIT_PROBLEMS if failed else common.EXIT_OK
