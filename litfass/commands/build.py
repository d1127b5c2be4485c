"""`build`: build the site into output/, atomically."""

from __future__ import annotations

import argparse

from litfass.commands import common
from litfass.config import Settings
from litfass.engine.state import BuildResult, check
from litfass.folders import CACHE_DIR
from litfass.i18n import N_, _, ngettext
from litfass.workers import default_workers

EXAMPLES = N_("""\
examples:
  python build.py                  build the portal into output/
  python build.py --drafts         include drafts (marked "Entwurf")
  python build.py --strict         fail on warnings too (for the content repository's CI)
  python build.py --now 2027-03-01 build as if it were that day (scheduled items)
  python build.py --explain        say why each file was made again
  python build.py --explain aktuelles/index.html   ... for that one file
""")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "build",
        help=_("build the site into output/ (the default)"),
        description=_(
            "Build the site into output/, atomically: on any error output/ stays as it was."
        ),
        epilog=_(EXAMPLES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common.add_site_options(parser)
    parser.add_argument("--strict", action="store_true", help=_("treat warnings as errors"))
    parser.add_argument("-q", "--quiet", action="store_true", help=_("print only problems"))
    parser.add_argument(
        "--workers",
        type=_positive,
        default=default_workers(),
        metavar="N",
        help=_("processes that render in parallel (default: one per CPU, here %(default)s)"),
    )
    parser.add_argument(
        "--no-cache",
        dest="use_cache",
        action="store_false",
        help=_(
            "render every page and body afresh: no Markdown cache, no saved state in {folder}/"
        ).format(folder=CACHE_DIR),
    )
    parser.add_argument(
        "--explain",
        nargs="?",
        const="",
        metavar="PATH",
        help=_(
            "say for each file made again which of the things it read changed "
            "(with PATH, a file in output/: only for that one)"
        ),
    )
    parser.set_defaults(run=run, writes_output=True)


def run(args: argparse.Namespace, settings: Settings) -> int:
    rendering = _("rendering: {done}/{total} files ({percent}%)")
    progress = None if args.quiet else common.progress_printer(_("files"), 200, rendering)
    options = common.options_from(args, settings.tz)
    checked = None
    if args.use_cache:  # nothing changed: answer before importing the renderers at all
        checked = check(args.root, options.now, options.drafts, options.future, args.strict)
    result = checked.result if checked is not None else None
    if result is None:
        from litfass.engine.oneshot import build

        result = build(
            args.root,
            options,
            strict=args.strict,
            progress=progress,
            workers=args.workers,
            use_cache=args.use_cache,
            checked=checked,
            settings=settings,
        )
    common.report(list(result.warnings))
    if args.explain is not None:
        _explain(result, args.explain)
    if not args.quiet:
        for note in result.notes:  # an address changed: the editor should know what became of it
            print(note)
        _summary(result)
    return common.EXIT_OK


def _explain(result: BuildResult, only: str) -> None:
    """For each file made again (or the one asked for), why: the read that changed."""
    wanted = only.replace("\\", "/").strip("/")
    if wanted.endswith("/") or (wanted and "." not in wanted.rsplit("/", 1)[-1]):
        wanted = wanted.rstrip("/") + "/index.html"
    shown = [entry for entry in result.why if not wanted or entry[0] == wanted]
    if wanted and not shown:
        print(_("{path}: unchanged, not made again").format(path=wanted))
    elif not shown:
        print(_("nothing was made again: nothing any file read has changed"))
    edited = ", ".join(result.edited)
    for path, kind, detail in shown:
        print(_why(kind, detail, edited).format(path=path, detail=detail, edited=edited))


def _why(kind: str, detail: str, edited: str) -> str:
    if kind == "read":
        if edited:
            return _("{path}: {detail} changed ({edited})")
        return _("{path}: {detail} changed")
    if kind == "head":
        if detail:
            return _("{path}: its template {detail} changed")
        return _("{path}: what it is made from changed (its producer or the values it holds)")
    if kind == "context":
        return _("{path}: what it shows changed ({detail})")
    if kind == "output":
        return _("{path}: output/ did not hold it as the last build left it")
    return _("{path}: new, or no record of an earlier build")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            _("must be a whole number of at least 1, not '{text}'").format(text=text)
        )
    return value


def _summary(result: BuildResult) -> None:
    if result.allow_html:
        print(_("note: markdown.allow_html is on: raw HTML from editors is published unfiltered"))
    count = len(result.warnings)
    warnings = ngettext(", {count} warning", ", {count} warnings", count).format(count=count)
    rendered = ""
    if 0 <= result.rendered < result.files:  # the cache saved work: say how much was left
        rendered = _("; {rendered} rendered, the rest unchanged since the last build").format(
            rendered=result.rendered
        )
    summary = _(
        "Built {items} items into {pages} pages ({files} files, {written} written, "
        "{unchanged} unchanged{rendered}) in {seconds} s{warnings}"
    )
    print(
        summary.format(
            items=result.items,
            pages=result.pages,
            files=result.files,
            written=result.written,
            unchanged=result.unchanged,
            rendered=rendered,
            seconds=common.seconds(result.seconds),
            warnings=warnings if count else "",
        )
    )
