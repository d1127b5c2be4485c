"""`check`: validate every content file and print one line per finding; writes nothing.

Findings go to stdout as `path:line: error|warning|note: message`; the summary to stderr.
"""

from __future__ import annotations

import argparse
import sys

from litfass.commands import common
from litfass.config import Settings
from litfass.i18n import N_, _, ngettext

EXAMPLES = N_("""\
examples:
  python build.py check                  check every file, drafts too; exit 1 on errors
  python build.py check --strict         also exit 1 on warnings (for the content repository's CI)
  python build.py check --now 2027-03-01 check as if it were that day

Each finding is one line, sorted by file:
  content/events/2027-03-12-fachtag-in-goerlitz.md:4: warning: unknown key 'ort'; did you mean 'location'?
'error' stops the build; 'warning' is something readers would meet (a broken link, an
image without alt text); 'note' only informs (an item scheduled for later).
docs/redaktion.md explains every message and how to fix it.
""")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "check",
        help=_("check all content for mistakes without building"),
        description=_(
            "Check config.yaml and every content file, drafts and scheduled items\n"
            "included: front matter, links, images and alt texts, headings, events, summaries.\n"
            "Nothing is written."
        ),
        epilog=_(EXAMPLES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common.add_root_option(parser)
    parser.add_argument(
        "--drafts", action="store_true", help=_("count links to drafts as published")
    )
    parser.add_argument(
        "--future", action="store_true", help=_("count links to scheduled items as published")
    )
    common.add_now_option(
        parser,
        N_("check as if it were DATE (2027-03-01 or '2027-03-01 10:00'); default: now"),
    )
    parser.add_argument("--strict", action="store_true", help=_("exit 1 on warnings too"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from litfass.editors.checks import check  # here: `build` must not pay for importing it

    result = check(settings, common.options_from(args, settings.tz))
    for problem in result.findings:
        print(common.format_problem(problem))
    errors, warnings, notes = (result.count(s) for s in ("error", "warning", "note"))
    counts = ", ".join(
        said.format(count=n)
        for n, said in (
            (errors, ngettext("{count} error", "{count} errors", errors)),
            (warnings, ngettext("{count} warning", "{count} warnings", warnings)),
            (notes, ngettext("{count} note", "{count} notes", notes)),
        )
        if n
    )
    checked = ngettext(
        "checked {count} file: {found}", "checked {count} files: {found}", result.files
    )
    found = counts or _("no problems found")
    print(checked.format(count=result.files, found=found), file=sys.stderr)
    if not result.links_checked:
        print(_("links were not checked: fix the errors first, then check again"), file=sys.stderr)
    failed = errors or (args.strict and warnings)
    return common.EXIT_PROBLEMS if failed else common.EXIT_OK
