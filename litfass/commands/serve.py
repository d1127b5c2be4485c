"""`serve`: preview the site in a browser while editing, with live reload and error overlay.

Builds, serves output/ on this machine only (by default) and rebuilds on every save; open tabs
reload by themselves. Ctrl-C stops the server cleanly (exit code 0).
"""

from __future__ import annotations

import argparse
import errno
import sys
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from litfass.commands import common
from litfass.commands.watch import RebuildLoop, add_watch_options, options_factory
from litfass.config import Settings
from litfass.content.model import Page
from litfass.errors import LitfassError, Problem
from litfass.i18n import N_, _, language

if TYPE_CHECKING:  # imported where used: a plain build must not pay for it at start-up
    from litfass.preview.server import Preview

EXAMPLES = N_("""\
examples:
  python build.py serve                    preview at http://localhost:8000/
  python build.py serve --drafts           show drafts too (marked "Entwurf")
  python build.py serve --port 8080        use another port
  python build.py serve --host 0.0.0.0     let other devices in the network see it (a phone)
""")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "serve",
        help=_("preview the site in the browser, rebuilt and reloaded on every save"),
        description=_(
            "Build the site, serve output/ and rebuild on every save; "
            "open pages reload by themselves and show errors over the page. Ctrl-C stops."
        ),
        epilog=_(EXAMPLES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_watch_options(parser)
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help=_("address to listen on (default: 127.0.0.1, only here)"),
    )
    parser.add_argument(
        "--port", type=int, default=8000, help=_("port (default: 8000; 0: any free)")
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from litfass.preview.cms import Admin
    from litfass.preview.server import Preview, is_loopback, url_of

    if not is_loopback(args.host):
        warning = _(
            "warning: --host {host}: everyone on this network can open the preview, "
            "drafts and scheduled items included"
        )
        print(warning.format(host=args.host), file=sys.stderr, flush=True)
    preview = Preview(args.root / "output")
    server = _listen(preview, args.host, args.port)  # a taken port is said before building
    loop = RebuildLoop(args, settings)

    def changed(problems: Sequence[Problem]) -> None:
        if loop.config is not None:  # config.yaml may have moved output/
            preview.output = loop.config.output_path
            preview.admin = Admin(loop.config)
            preview.base = loop.config.base_path
        site = loop.builder.site
        files = {page.url: page.source for page in site.pages} if site else None
        hidden = {page.url: hidden_because(page, args) for page in loop.builder.unpublished()}
        preview.publish(problems, files, hidden)

    loop.on_change = changed
    loop.on_progress = preview.working
    preview.go_live = _go_live(args, settings, loop, preview)
    serving = None
    try:
        loop.start()
        serving = threading.Thread(target=server.serve_forever, name="preview", daemon=True)
        serving.start()
        print(_("Serving {url} ; Ctrl-C stops.").format(url=url_of(server, args.host)), flush=True)
        loop.run()
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop()
        if serving is not None:
            server.shutdown()  # waits for serve_forever, so only once it runs
        server.server_close()
        loop.close()
    print(_("Stopped."), flush=True)
    return common.EXIT_OK


def _go_live(args: argparse.Namespace, settings: Settings, loop: RebuildLoop, preview: Preview):
    """The publish button's work: the public site built and published, said here too."""
    clock = options_factory(args, settings)  # the preview's clock: --now, else now

    def go_live(password: str | None) -> str:
        from litfass.preview.golive import go_live as build_and_publish

        try:
            summary = build_and_publish(args.root, clock().now, password, preview.working)
        except LitfassError as exc:
            common.report(exc.problems)
            raise
        finally:  # output/ holds the public site now: the preview builds its own again
            if loop.watcher is not None:
                loop.watcher.note(loop.watcher.config_file)
        print(summary, flush=True)
        return summary

    return go_live


def hidden_because(page: Page, args: argparse.Namespace) -> str:
    """Why the preview leaves an item out, and the option that shows it; never its text."""
    if page.draft and not args.drafts:
        return _("draft — visible with --drafts")
    from babel.dates import format_datetime

    # A Babel date pattern: the translation says how the language writes a moment.
    pattern = _("MMMM d, y, h:mm a")
    when = format_datetime(page.date, pattern, locale=language()) if page.date else _("later")
    return _("scheduled for {when} — visible with --future").format(when=when)


def _listen(preview: Preview, host: str, port: int):
    from litfass.preview.server import serve

    try:
        return serve(preview, host, port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            message = _("port {port} is in use; try --port {next}").format(port=port, next=port + 1)
        else:
            message = _("cannot listen on {host}:{port}: {reason}").format(
                host=host, port=port, reason=exc.strerror or exc
            )
        raise LitfassError.at("--port", 0, message) from None
