"""The preview server: output/ over HTTP on this machine, with live reload and error overlay.

Only files below output/ are served. HTML responses get the reload script (and, after a failed
rebuild, the problems) added on the way out: the files in output/ never contain either.
"""

from __future__ import annotations

import contextlib
import html
import mimetypes
import socket
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, unquote_to_bytes, urlsplit

from litfass.errors import Problem
from litfass.outputs.redirects import REDIRECTS, read_redirects, request_path

PREFIX = "/__litfass/"
EVENTS = PREFIX + "events"
SCRIPT = PREFIX + "reload.js"
STYLE = PREFIX + "overlay.css"
KEEPALIVE = 15.0  # seconds between comments on an idle event stream (finds closed tabs)
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}

RELOAD_JS = b"""\
// litfass preview: reload this page when the site was rebuilt (or the rebuild failed).
(function () {
  var shown = document.currentScript && document.currentScript.getAttribute("data-build");
  var events = new EventSource("/__litfass/events");
  events.addEventListener("build", function (event) {
    if (shown !== null && event.data !== shown) {
      events.close();
      location.reload();
    }
  });
})();
"""
OVERLAY_CSS = b"""\
#litfass-overlay { position: fixed; inset: 0 0 auto 0; z-index: 2147483647; max-height: 80vh;
  overflow: auto; margin: 0; padding: 1rem 1.5rem; background: #7f1d1d; color: #fff;
  font: 1rem/1.5 system-ui, sans-serif; box-shadow: 0 0.5rem 1.5rem rgba(0, 0, 0, 0.4); }
#litfass-overlay h2 { margin: 0 0 0.5rem; font-size: 1.25rem; color: #fff; }
#litfass-overlay pre { margin: 0 0 0.5rem; white-space: pre-wrap; font: 0.95rem/1.4 monospace;
  color: #fff; background: transparent; }
#litfass-overlay p { margin: 0; }
"""
WORDS = {
    "de": {
        "title": "Die Seite konnte nicht neu gebaut werden",
        "hint": "Angezeigt wird der zuletzt gebaute Stand. Nach dem Speichern der "
        "korrigierten Datei lädt die Seite von selbst neu.",
        "empty": "Noch keine Seite gebaut",
    },
    "en": {
        "title": "The site could not be rebuilt",
        "hint": "You are seeing the last good build. Save the corrected file and this page "
        "reloads by itself.",
        "empty": "Nothing built yet",
    },
}


@dataclass(frozen=True)
class State:
    """The last rebuild as the browser sees it: its number and the problems that stopped it."""

    build: int = 0
    problems: tuple[Problem, ...] = ()


class Preview:
    """What the server adds to output/: shared between the rebuild loop and request threads."""

    def __init__(self, output: Path, language: str = "de") -> None:
        self.output = output
        self.language = language if language in WORDS else "de"
        self.state = State()
        self.stopping = False
        self._changed = threading.Condition()
        self._redirects: tuple[tuple[int, int], dict[bytes, bytes | None]] = ((0, 0), {})

    def answer(self, raw_path: str) -> tuple[HTTPStatus, bytes] | None:
        """A 301 (and its Location) or a 410 for a request path, as nginx gives from the
        site's redirects.nginx: renamed items' old addresses, deleted items' and aliases."""
        path = request_path(unquote_to_bytes(raw_path))
        target = self._answers().get(path, b"")
        if target == b"":
            return None
        if target is None:
            return HTTPStatus.GONE, b""
        return HTTPStatus.MOVED_PERMANENTLY, target

    def _answers(self) -> dict[bytes, bytes | None]:
        """redirects.nginx read again only when a rebuild changed it."""
        file = self.output / REDIRECTS
        try:
            stat = file.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
            if stamp != self._redirects[0]:
                self._redirects = (stamp, read_redirects(file.read_bytes()))
        except OSError:
            return {}
        return self._redirects[1]

    def publish(self, problems: Sequence[Problem] = ()) -> None:
        """A rebuild finished (problems: it failed): every open tab reloads."""
        with self._changed:
            errors = tuple(p for p in problems if p.severity == "error")
            self.state = State(self.state.build + 1, errors)
            self._changed.notify_all()

    def wait(self, seen: int, timeout: float) -> State:
        """The state once its build number differs from `seen` (or after `timeout`)."""
        with self._changed:
            self._changed.wait_for(
                lambda: self.state.build != seen or self.stopping, timeout=timeout
            )
            return self.state

    def stop(self) -> None:
        with self._changed:
            self.stopping = True
            self._changed.notify_all()


def serve(preview: Preview, host: str, port: int) -> ThreadingHTTPServer:
    """A server for `preview`, bound and listening (not yet answering: `serve_forever`)."""
    server_class = _ServerIPv6 if ":" in host else _Server
    return server_class((host, port), _handler(preview, host))


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # open event streams must not keep the process alive

    def handle_error(self, request: object, client_address: tuple) -> None:
        """socketserver prints a traceback per failed request; one line is enough."""
        error = sys.exc_info()[1]
        print(f"preview: a request from {client_address[0]} failed: {error}", file=sys.stderr)


class _ServerIPv6(_Server):
    address_family = socket.AF_INET6


def inject(page: bytes, state: State, words: dict[str, str]) -> bytes:
    """Add the reload script (and the overlay, if the last rebuild failed) to an HTML page."""
    script = f'<script src="{SCRIPT}" data-build="{state.build}"></script>'.encode()
    overlay = overlay_html(state.problems, words).encode() if state.problems else b""
    lower = page.lower()
    body = lower.find(b"<body")
    body_end = lower.find(b">", body) + 1 if body >= 0 else 0
    page = page[:body_end] + overlay + page[body_end:]
    closing = page.lower().rfind(b"</body>")
    if closing < 0:
        return page + script
    return page[:closing] + script + page[closing:]


def overlay_html(problems: Sequence[Problem], words: dict[str, str]) -> str:
    lines = "\n".join(html.escape(str(p)) for p in problems)
    return (
        f'<link rel="stylesheet" href="{STYLE}">'
        f'<div id="litfass-overlay" role="alert"><h2>{html.escape(words["title"])}</h2>'
        f"<pre>{lines}</pre><p>{html.escape(words['hint'])}</p></div>"
    )


def file_for(output: Path, url_path: str) -> Path | None:
    """The file below output/ a URL path names, or None: no '..', no way out by a link."""
    if "\0" in url_path or "\\" in url_path:
        return None
    parts = [part for part in url_path.split("/") if part not in ("", ".")]
    if ".." in parts:
        return None
    root = output.resolve()
    try:
        found = root.joinpath(*parts).resolve()
        if found.is_dir():
            found = (found / "index.html").resolve()
        if not found.is_relative_to(root) or not found.is_file():
            return None
    except (OSError, RuntimeError, ValueError):  # a link loop, a name too long
        return None
    return found


def _handler(preview: Preview, host: str) -> type[BaseHTTPRequestHandler]:
    loopback = host in LOOPBACK_NAMES

    class Handler(BaseHTTPRequestHandler):
        def version_string(self) -> str:
            return "litfass-preview"

        def do_HEAD(self) -> None:
            self._answer(head=True)

        def do_GET(self) -> None:
            self._answer(head=False)

        def _answer(self, head: bool) -> None:
            if loopback and not self._local_host():
                self._send(HTTPStatus.FORBIDDEN, b"Host not allowed\n", "text/plain", head)
                return
            path = unquote(urlsplit(self.path).path)
            if path == EVENTS:
                self._events(head)
            elif path == SCRIPT:
                self._send(HTTPStatus.OK, RELOAD_JS, "text/javascript", head)
            elif path == STYLE:
                self._send(HTTPStatus.OK, OVERLAY_CSS, "text/css", head)
            else:
                self._file(path, head)

        def _local_host(self) -> bool:
            """Refuse other names for this server (a web page's DNS rebinding trick)."""
            name = (self.headers.get("Host") or "").strip().lower()
            bare = name.split("]")[0] + "]" if name.startswith("[") else name.rsplit(":", 1)[0]
            return bare in LOOPBACK_NAMES

        def _file(self, path: str, head: bool) -> None:
            output = preview.output
            answer = preview.answer(urlsplit(self.path).path)
            if answer is not None and answer[0] == HTTPStatus.MOVED_PERMANENTLY:
                self._redirect(answer[1].decode("ascii", "replace"))
                return
            if answer is not None:  # 410: the site's page saying the item was removed
                gone = file_for(output, "/410.html")
                body = b"410 Gone"
                with contextlib.suppress(OSError):
                    body = gone.read_bytes() if gone is not None else body
                body = inject(body, preview.state, WORDS[preview.language])
                self._send(HTTPStatus.GONE, body, "text/html; charset=utf-8", head)
                return
            found = file_for(output, path)
            folder = found is not None and found.name == "index.html"
            if folder and not path.endswith(("/", "/index.html")):
                # A folder asked for without its slash: relative links need the slash.
                parts = [part for part in path.split("/") if part]
                self._redirect(quote("/" + "/".join(parts) + "/"))
                return
            status = HTTPStatus.OK
            if found is None:
                status, found = HTTPStatus.NOT_FOUND, file_for(output, "/404.html")
            try:
                data = found.read_bytes() if found is not None else None
            except OSError:  # swapped away between finding and reading: the new site has it
                data = None
            kind = _content_type(found.name if found is not None else "x.html")
            if data is None:
                words = WORDS[preview.language]
                title = html.escape(words["empty"] if not output.is_dir() else "404")
                data = f"<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>".encode()
            if kind.startswith("text/html"):
                data = inject(data, preview.state, WORDS[preview.language])
            self._send(status, data, kind, head)

        def _events(self, head: bool) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if head:
                return
            seen = -1
            try:
                self.wfile.write(b"retry: 500\n\n")
                while not preview.stopping:
                    state = preview.wait(seen, KEEPALIVE)
                    if state.build != seen:
                        seen = state.build
                        self.wfile.write(f"event: build\ndata: {seen}\n\n".encode())
                    else:
                        self.wfile.write(b": still here\n\n")
                    self.wfile.flush()
            except OSError:  # the tab was closed
                return

        def _redirect(self, location: str) -> None:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _send(self, status: HTTPStatus, data: bytes, kind: str, head: bool) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if not head:
                with contextlib.suppress(OSError):  # the browser went away
                    self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass  # editors need no access log; problems are printed by the rebuild loop

    return Handler


def _content_type(name: str) -> str:
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/javascript", "application/xml"):
        return f"{kind}; charset=utf-8"
    return kind


def url_of(server: ThreadingHTTPServer, host: str) -> str:
    """The address to open in a browser."""
    port = server.server_address[1]
    shown = "localhost" if host in ("0.0.0.0", "::") else host
    shown = f"[{shown}]" if ":" in shown else shown
    return f"http://{shown}:{port}/"
