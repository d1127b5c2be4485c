"""The preview server: output/ over HTTP on this machine, with live reload and error overlay.

Only files below output/ are served. HTML responses get the reload script (and, after a failed
rebuild, the problems) added on the way out: the files in output/ never contain either.
"""

from __future__ import annotations

import contextlib
import html
import ipaddress
import mimetypes
import socket
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, unquote_to_bytes, urlsplit

from litfass.digests import Stamp, digest, stamp
from litfass.errors import LitfassError, Problem
from litfass.i18n import _, ngettext
from litfass.outputs import serving
from litfass.outputs.redirects import REDIRECTS, read_error_pages, read_redirects, request_path
from litfass.preview.cms import (
    FRAMING,
    Admin,
    Refused,
    Reply,
    admitted,
    json_body,
    json_reply,
    refusal,
    same_origin,
)

PREFIX = "/__litfass/"
EVENTS = PREFIX + "events"
SCRIPT = PREFIX + "reload.js"
STYLE = PREFIX + "overlay.css"
GO_LIVE = PREFIX + "publish"  # POST: build the public site and publish it (golive.py)
GO_LIVE_JS = PREFIX + "golive.js"
KEEPALIVE = 15.0  # seconds between comments on an idle event stream (finds closed tabs)
# A client that sends nothing (a half-open connection) holds a thread only this long.
READ_TIMEOUT = 10.0
# Connections served at once; more are closed at once rather than each given a thread. A
# browser opens about six per site, and one more per open tab for the event stream.
MAX_CONNECTIONS = 64
# deploy/nginx.conf's $sandboxed, for the same files: what a browser may open as a document
# of its own runs no script, loads from nowhere else and gets an origin of its own. The
# preview runs beside the editor's API, so a drawing that slipped through must not reach it.
SANDBOXED = serving.SANDBOX_POLICY  # the one table of every server's headers
SANDBOXED_KINDS = frozenset({
    ".svg", ".txt", ".csv", ".doc", ".docx", ".odt", ".ods", ".odp", ".xls", ".xlsx", ".ppt",
    ".pptx", ".mp3", ".m4a", ".ogg", ".oga", ".opus", ".wav", ".mp4", ".m4v", ".webm", ".ogv",
    ".ics",
})  # fmt: skip

RELOAD_JS = b"""\
// litfass preview: reload this page when the site was rebuilt (or the rebuild failed),
// show what a slow rebuild is doing, and keep a closed warning box closed.
(function () {
  var shown = document.currentScript && document.currentScript.getAttribute("data-build");
  var events = new EventSource("/__litfass/events");
  events.addEventListener("build", function (event) {
    if (shown !== null && event.data !== shown) {
      var live = window.litfassGoLive;
      if (live && live.open) {  // the publish dialog is open: reload once it closes
        live.due = true;
        return;
      }
      events.close();
      location.reload();
    }
  });
  events.addEventListener("progress", function (event) {
    var box = document.getElementById("litfass-progress");
    if (!box && event.data) {
      box = document.createElement("div");
      box.id = "litfass-progress";
      box.setAttribute("role", "status");
      // Above the other boxes in their column: boxes never cover each other.
      var boxes = document.getElementById("litfass-boxes") || document.body;
      boxes.insertBefore(box, boxes.firstChild);
    }
    if (box) {
      box.textContent = event.data;
      box.hidden = !event.data;
    }
  });
  var warnings = document.getElementById("litfass-warnings");
  if (warnings && warnings.close) {
    var key = warnings.getAttribute("data-key");
    try {
      if (sessionStorage.getItem("litfass-closed") === key) {
        warnings.close();  // closed before, and still the same warnings
      }
      warnings.addEventListener("close", function () {
        sessionStorage.setItem("litfass-closed", key);
      });
    } catch (error) {
      // no storage (a private window): the box simply shows again after a reload
    }
  }
})();
"""
GO_LIVE_JS_CODE = b"""\
// litfass preview: the "publish" button. Builds the public site and puts it on the web space
// (POST /__litfass/publish, from this page only); shows the progress, the result or problems.
(function () {
  var button = document.getElementById("litfass-golive");
  var dialog = document.getElementById("litfass-golive-dialog");
  if (!button || !dialog || !dialog.showModal) {
    return;
  }
  var live = window.litfassGoLive = { open: false, due: false };
  var form = dialog.querySelector("form");
  var start = document.getElementById("litfass-golive-start");
  var status = document.getElementById("litfass-golive-status");
  var problems = document.getElementById("litfass-golive-problems");
  button.addEventListener("click", function () {
    live.open = true;
    dialog.showModal();
  });
  dialog.addEventListener("close", function () {
    live.open = false;
    if (live.due) {
      location.reload();
    }
  });
  form.addEventListener("submit", function (event) {
    if (!event.submitter || event.submitter.value !== "publish") {
      return;  // "close": the dialog closes by itself
    }
    event.preventDefault();
    start.disabled = true;
    problems.hidden = true;
    status.textContent = dialog.getAttribute("data-working");
    var progress = new EventSource("/__litfass/events");
    progress.addEventListener("progress", function (message) {
      if (message.data) {
        status.textContent = message.data;
      }
    });
    fetch("/__litfass/publish", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ password: form.elements.password.value })
    }).then(function (response) {
      return response.json();
    }).then(function (answer) {
      form.elements.password.value = "";
      if (answer.summary) {
        status.textContent = dialog.getAttribute("data-done") + " " + answer.summary;
      } else if (answer.problems) {
        status.textContent = dialog.getAttribute("data-failed");
        problems.textContent = answer.problems.join("\\n");
        problems.hidden = false;
      } else {
        status.textContent = answer.error;
      }
    }, function (error) {
      status.textContent = String(error);
    }).then(function () {
      progress.close();
      start.disabled = false;
    });
  });
})();
"""
OVERLAY_CSS = b"""\
#litfass-boxes { position: fixed; inset: 0; z-index: 2147483647; display: flex;
  flex-direction: column; align-items: stretch; gap: 0.5rem; pointer-events: none; }
#litfass-boxes > * { flex: 0 1 auto; min-height: 0; overflow: auto; pointer-events: auto;
  box-sizing: border-box; }
#litfass-overlay { max-height: 60vh; margin: 0; padding: 1rem 1.5rem; background: #7f1d1d; color: #fff;
  font: 1rem/1.5 system-ui, sans-serif; box-shadow: 0 0.5rem 1.5rem rgba(0, 0, 0, 0.4); }
#litfass-overlay h2, #litfass-warnings h2, #litfass-notice h2 { margin: 0 0 0.5rem;
  font: bold 1.25rem/1.3 system-ui, sans-serif; color: inherit; }
#litfass-overlay pre, #litfass-warnings pre { margin: 0 0 0.5rem; white-space: pre-wrap;
  font: 0.95rem/1.4 monospace; color: inherit; background: transparent; }
#litfass-overlay p, #litfass-warnings p, #litfass-notice p { margin: 0 0 0.5rem; color: inherit; }
#litfass-warnings { position: static; inset: auto; margin: auto 0 0 0; width: 100%;
  max-width: none; max-height: 40vh; padding: 1rem 1.5rem;
  border: 0; border-top: 0.25rem solid #b45309; background: #fef3c7; color: #1c1917;
  font: 1rem/1.5 system-ui, sans-serif; box-shadow: 0 -0.5rem 1.5rem rgba(0, 0, 0, 0.25); }
#litfass-warnings:not([open]) { display: none; }
#litfass-warnings form { margin: 0; }
#litfass-warnings button { font: inherit; padding: 0.25rem 1rem; border: 2px solid #1c1917;
  border-radius: 0.25rem; background: #fff; color: #1c1917; cursor: pointer; }
#litfass-warnings button:focus-visible { outline: 3px solid #1d4ed8; outline-offset: 2px; }
#litfass-progress { align-self: flex-end; flex-shrink: 0; max-width: 30rem; margin: 1rem 1rem 0;
  padding: 0.5rem 1rem; border-radius: 0.25rem; background: #1e3a8a; color: #fff;
  font: 0.95rem/1.4 system-ui, sans-serif; box-shadow: 0 0.25rem 1rem rgba(0, 0, 0, 0.3); }
#litfass-progress[hidden] { display: none; }
#litfass-boxes > #litfass-golive { position: static; align-self: flex-start; flex-shrink: 0;
  margin: auto 1rem 1rem; }
#litfass-boxes > #litfass-golive ~ #litfass-warnings { margin-top: 0; }
#litfass-golive { position: fixed; bottom: 1rem; left: 1rem; z-index: 2147483645;
  padding: 0.5rem 1rem; border: 2px solid #fff; border-radius: 0.25rem; background: #166534;
  color: #fff; font: bold 1rem/1.4 system-ui, sans-serif; cursor: pointer;
  box-shadow: 0 0.25rem 1rem rgba(0, 0, 0, 0.3); }
#litfass-golive:focus-visible, #litfass-golive-dialog button:focus-visible,
#litfass-golive-dialog input:focus-visible { outline: 3px solid #1d4ed8; outline-offset: 2px; }
#litfass-golive-dialog { max-width: 40rem; padding: 1rem 1.5rem; border: 0; border-radius: 0.5rem;
  background: #fff; color: #1c1917; font: 1rem/1.5 system-ui, sans-serif; }
#litfass-golive-dialog h2 { margin: 0 0 0.5rem; font: bold 1.25rem/1.3 system-ui, sans-serif; }
#litfass-golive-dialog label { display: block; margin: 0.5rem 0; }
#litfass-golive-dialog input { display: block; margin-top: 0.25rem; font: inherit; padding: 0.25rem; }
#litfass-golive-dialog pre { white-space: pre-wrap; font: 0.95rem/1.4 monospace;
  background: #fef2f2; color: #7f1d1d; padding: 0.5rem; }
#litfass-golive-dialog button { font: inherit; padding: 0.25rem 1rem; margin-right: 0.5rem;
  border: 2px solid #1c1917; border-radius: 0.25rem; background: #fff; color: #1c1917; }
#litfass-golive-dialog button[value="publish"] { background: #166534; color: #fff; }
#litfass-notice { margin: 0; padding: 1rem 1.5rem; background: #1e3a8a; color: #fff;
  font: 1rem/1.5 system-ui, sans-serif; }
"""


@dataclass(frozen=True)
class State:
    """What the browser sees of the last rebuild: its number, what it found, what is going on."""

    build: int = 0
    problems: tuple[Problem, ...] = ()  # errors that stopped it (if any), and warnings
    files: Mapping[str, str] = field(default_factory=dict)  # address -> its content file
    hidden: Mapping[str, str] = field(default_factory=dict)  # address -> why not shown
    progress: str = ""  # the slow step the next rebuild is at, if any
    step: int = 0  # counts changes of `progress`

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")


@dataclass(frozen=True)
class ServerAnswers:
    """What nginx answers from the site's redirects.nginx, as last read (`stamp`)."""

    stamp: Stamp | None = None
    moved: dict[bytes, bytes | None] = field(default_factory=dict)  # path -> Location; 410
    error_pages: dict[bytes, dict[int, bytes]] = field(default_factory=dict)  # by folder


class Preview:
    """What the server adds to output/: shared between the rebuild loop and request threads."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.state = State()
        self.stopping = False
        self.admin: Admin | None = None  # the browser editor at /admin/, once the site is read
        # The site's folder on its host (base_url's path): the preview serves it there too, so
        # that the pages' addresses work; the preview's own files stay at the root.
        self.base = "/"
        # Builds the public site and publishes it, given the password typed in the browser (if
        # any); returns the summary line. Set by `serve`; None: no button.
        self.go_live: Callable[[str | None], str] | None = None
        self.going_live = threading.Lock()  # one publish at a time
        self._changed = threading.Condition()
        self._redirects = ServerAnswers()

    def site_path(self, path: str) -> str | None:
        """The site path ('/aktuelles/x/') a request path names, or None outside the folder."""
        if self.base == "/":
            return path
        return "/" + path[len(self.base) :] if path.startswith(self.base) else None

    def answer(self, raw_path: str) -> tuple[HTTPStatus, bytes] | None:
        """A 301 (and its Location) or a 410 for a request path, as nginx gives from the
        site's redirects.nginx: renamed items' old addresses, deleted items' and aliases."""
        path = request_path(unquote_to_bytes(raw_path))
        target = self._answers().moved.get(path, b"")
        if target == b"":
            return None
        if target is None:
            return HTTPStatus.GONE, b""
        return HTTPStatus.MOVED_PERMANENTLY, target

    def error_page(self, raw_path: str, status: HTTPStatus) -> str:
        """The site path of the page nginx answers a missing (404) or deleted (410) address
        with: the page of the language whose folder the address is in, else the site's."""
        path = request_path(unquote_to_bytes(raw_path))
        folders = self._answers().error_pages
        folder = max((f for f in folders if path.startswith(f)), key=len, default=None)
        page = folders[folder][status] if folder is not None else b"/%d.html" % status
        shown = page.decode("utf-8", "replace")
        return self.site_path(shown) or shown

    def _answers(self) -> ServerAnswers:
        """redirects.nginx read again only when a rebuild changed it."""
        file = self.output / REDIRECTS
        try:
            now = stamp(file)
            if now != self._redirects.stamp:
                data = file.read_bytes()
                self._redirects = ServerAnswers(now, read_redirects(data), read_error_pages(data))
        except OSError:
            return ServerAnswers()
        return self._redirects

    def publish(
        self,
        problems: Sequence[Problem] = (),
        files: Mapping[str, str] | None = None,
        hidden: Mapping[str, str] | None = None,
    ) -> None:
        """A rebuild finished (with errors among `problems`: it failed): every tab reloads.

        `files` names each address's content file (its problems are shown first there);
        `hidden`, why an unpublished item's address shows nothing. None: as before.
        """
        with self._changed:
            last = self.state
            self.state = State(
                build=last.build + 1,
                problems=tuple(problems),
                files=last.files if files is None else files,
                hidden=last.hidden if hidden is None else hidden,
                step=last.step + 1 if last.progress else last.step,
            )
            self._changed.notify_all()

    def working(self, text: str) -> None:
        """A slow step of the running rebuild began: open tabs show `text` until it ends."""
        with self._changed:
            self.state = replace(
                self.state, progress=" ".join(text.split()), step=self.state.step + 1
            )
            self._changed.notify_all()

    def wait(self, seen: tuple[int, int], timeout: float) -> State:
        """The state once its (build, step) differs from `seen` (or after `timeout`)."""
        with self._changed:
            self._changed.wait_for(
                lambda: (self.state.build, self.state.step) != seen or self.stopping,
                timeout=timeout,
            )
            return self.state

    def stop(self) -> None:
        with self._changed:
            self.stopping = True
            self._changed.notify_all()


def serve(
    preview: Preview,
    host: str,
    port: int,
    timeout: float = READ_TIMEOUT,
    connections: int = MAX_CONNECTIONS,
) -> ThreadingHTTPServer:
    """A server for `preview`, bound and listening (not yet answering: `serve_forever`)."""
    server_class = _ServerIPv6 if ":" in host else _Server
    return server_class((host, port), _handler(preview, host, timeout), connections)


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine only: localhost or any loopback address (127.0.0.2)."""
    name = host.strip().lower().rstrip(".")
    if name.startswith("["):
        name = name[1:].split("]", 1)[0]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # open event streams must not keep the process alive
    request_queue_size = 128  # socketserver's 5 makes a browser's burst wait for SYN retries

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        connections: int = MAX_CONNECTIONS,
    ) -> None:
        self.slots = threading.BoundedSemaphore(connections)
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve in a thread of its own, unless too many connections are open already."""
        if not self.slots.acquire(blocking=False):
            self.shutdown_request(request)  # never a thread per connection an attacker opens
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def handle_error(self, request: object, client_address: tuple) -> None:
        """socketserver prints a traceback per failed request; one line is enough."""
        error = sys.exc_info()[1]
        message = _("preview: a request from {client} failed: {reason}")
        print(message.format(client=client_address[0], reason=error), file=sys.stderr)


class _ServerIPv6(_Server):
    address_family = socket.AF_INET6


def inject(page: bytes, state: State, address: str = "/", go_live: bool = False) -> bytes:
    """Add the reload script, and what the editor should know, to an HTML page at `address`.

    The boxes say what the last rebuild found (this page's own file first); for the address
    of an unpublished item, why it shows nothing. With `go_live`, the publish button.
    """
    script = f'<script src="{SCRIPT}" data-build="{state.build}"></script>'.encode()
    boxes = f'<link rel="stylesheet" href="{STYLE}">'
    own = state.files.get(address)
    # One fixed column for the boxes: progress, notice, errors at the top, the publish
    # button and warnings at the bottom; in a column they can shrink and scroll, but never
    # cover each other.
    boxes += '<div id="litfass-boxes">'
    why = state.hidden.get(address) or state.hidden.get(address.rstrip("/") + "/")
    if why:
        boxes += notice_html(why)
    if state.progress:
        boxes += f'<div id="litfass-progress" role="status">{html.escape(state.progress)}</div>'
    if state.errors:
        boxes += overlay_html(ordered(state.errors, own))
    if go_live:
        boxes += go_live_html()
    if state.warnings:
        boxes += warnings_html(ordered(state.warnings, own))
    boxes += "</div>"
    lower = page.lower()
    body = lower.find(b"<body")
    body_end = lower.find(b">", body) + 1 if body >= 0 else 0
    page = page[:body_end] + boxes.encode() + page[body_end:]
    closing = page.lower().rfind(b"</body>")
    if closing < 0:
        return page + script
    return page[:closing] + script + page[closing:]


def go_live_html() -> str:
    """The publish button and its dialog (an optional password: the environment may hold it)."""
    text = {
        "button": _("Publish"),
        "title": _("Put the site online"),
        "what": _(
            "Builds the site without drafts and scheduled items and puts it on the web space. "
            "Nothing is published while there are problems."
        ),
        "password": _("Password for the web space (only if asked for it)"),
        "start": _("Publish now"),
        "close": _("Close"),
        "working": _("Publishing ..."),
        "done": _("Published:"),
        "failed": _("Not published. Please correct these problems first:"),
    }
    t = {key: html.escape(value, quote=True) for key, value in text.items()}
    return (
        f'<button id="litfass-golive" type="button">{t["button"]}</button>'
        f'<dialog id="litfass-golive-dialog" aria-labelledby="litfass-golive-title" '
        f'data-working="{t["working"]}" data-done="{t["done"]}" data-failed="{t["failed"]}">'
        f'<form method="dialog"><h2 id="litfass-golive-title">{t["title"]}</h2><p>{t["what"]}</p>'
        f'<label>{t["password"]} <input type="password" name="password" '
        f'autocomplete="current-password"></label>'
        f'<p id="litfass-golive-status" role="status" aria-live="polite"></p>'
        f'<pre id="litfass-golive-problems" hidden></pre>'
        f'<button id="litfass-golive-start" value="publish">{t["start"]}</button>'
        f'<button value="close">{t["close"]}</button></form></dialog>'
        f'<script src="{GO_LIVE_JS}"></script>'
    )


def ordered(problems: Sequence[Problem], own: str | None) -> list[Problem]:
    """The problems of the page's own file first, then the others, each by file and line."""
    return sorted(problems, key=lambda p: (p.path != own, p.path, p.line))


def overlay_html(errors: Sequence[Problem]) -> str:
    """The red box: the rebuild failed; the page is the last good one."""
    lines = "\n".join(html.escape(str(p)) for p in errors)
    title = html.escape(_("The site could not be rebuilt"))
    hint = html.escape(
        _(
            "You are seeing the last good build. Save the corrected file and this page "
            "reloads by itself."
        )
    )
    return f'<div id="litfass-overlay" role="alert"><h2>{title}</h2><pre>{lines}</pre><p>{hint}</p></div>'


def warnings_html(warnings: Sequence[Problem]) -> str:
    """The yellow box: what readers would meet; it can be closed (a form, no script needed)."""
    lines = "\n".join(html.escape(str(p)) for p in warnings)
    key = digest(lines.encode()).hex()[:16]
    count = len(warnings)
    title = html.escape(ngettext("{count} warning", "{count} warnings", count).format(count=count))
    hint = html.escape(_("Readers would meet these; `check` lists them too."))
    close = html.escape(_("Close"))
    return (
        f'<dialog id="litfass-warnings" open aria-labelledby="litfass-warnings-title" '
        f'data-key="{key}"><h2 id="litfass-warnings-title">{title}</h2><pre>{lines}</pre>'
        f'<p>{hint}</p><form method="dialog"><button>{close}</button></form></dialog>'
    )


def with_go_live(page: bytes) -> bytes:
    """The editor's page (/admin/) with the publish button: no reload script there, which
    would throw away what is being typed."""
    closing = page.lower().rfind(b"</body>")
    added = f'<link rel="stylesheet" href="{STYLE}">{go_live_html()}'.encode()
    return page + added if closing < 0 else page[:closing] + added + page[closing:]


def notice_html(why: str) -> str:
    """Why an unpublished item's address shows nothing (only the preview says it)."""
    title = html.escape(_("This address is not on the site yet"))
    return f'<div id="litfass-notice" role="status"><h2>{title}</h2><p>{html.escape(why)}</p></div>'


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


def _handler(preview: Preview, host: str, read_timeout: float) -> type[BaseHTTPRequestHandler]:
    loopback = is_loopback(host)

    class Handler(BaseHTTPRequestHandler):
        # The socket's timeout while reading a request: a silent client is let go.
        timeout = read_timeout

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
            elif path == GO_LIVE_JS:
                self._send(HTTPStatus.OK, GO_LIVE_JS_CODE, "text/javascript", head)
            elif preview.admin is not None and preview.admin.owns(path):
                reply = preview.admin.get(path)
                if preview.go_live is not None and reply.kind.startswith("text/html"):
                    reply = replace(reply, data=with_go_live(reply.data))
                self._admin(reply, head)
            else:
                self._file(path, head)

        def do_POST(self) -> None:
            """The browser editor's saves: only from this machine, to this machine's name."""
            path, admin = unquote(urlsplit(self.path).path), preview.admin
            if not (loopback and self._local_host()) or (admin is None and path != GO_LIVE):
                self.close_connection = True  # the body, if any, is never read
                self._send(HTTPStatus.FORBIDDEN, b"Not allowed\n", "text/plain", False)
                return
            try:  # every check the headers allow, before a byte of the body is read
                if path == GO_LIVE:
                    length = admitted(self.headers)
                else:
                    assert admin is not None
                    length = admin.admit(path, self.headers)
            except Refused as refused:
                self.close_connection = True
                self._admin(refusal(refused), False)
                return
            body = self.rfile.read(length)
            if path == GO_LIVE:
                self._admin(publish_reply(preview, self.headers, body), False)
            else:
                assert admin is not None
                self._admin(admin.post(path, self.headers, body), False)

        def _admin(self, reply: Reply, head: bool) -> None:
            if reply.status == HTTPStatus.MOVED_PERMANENTLY:
                self._redirect(reply.kind)
            else:
                self._send(reply.status, reply.data, reply.kind, head, extra=FRAMING)

        def _local_host(self) -> bool:
            """Refuse other names for this server (a web page's DNS rebinding trick)."""
            name = (self.headers.get("Host") or "").strip().lower()
            bare = name if name.startswith("[") else name.rsplit(":", 1)[0]
            return is_loopback(bare)

        def _file(self, path: str, head: bool) -> None:
            output = preview.output
            answer = preview.answer(urlsplit(self.path).path)
            if answer is not None and answer[0] == HTTPStatus.MOVED_PERMANENTLY:
                self._redirect(answer[1].decode("ascii", "replace"))
                return
            if answer is not None:  # 410: the site's page saying the item was removed
                gone = file_for(
                    output, preview.error_page(urlsplit(self.path).path, HTTPStatus.GONE)
                )
                body = b"410 Gone"
                with contextlib.suppress(OSError):
                    body = gone.read_bytes() if gone is not None else body
                address = preview.site_path(path) or path
                body = inject(body, preview.state, address, preview.go_live is not None)
                self._send(HTTPStatus.GONE, body, "text/html; charset=utf-8", head)
                return
            asked = preview.site_path(path)
            if asked is None and path in ("/", preview.base[:-1]):
                self._redirect(quote(preview.base))  # the site is in its folder
                return
            path = "/\0" if asked is None else asked  # outside the site's folder: the 404 page
            found = file_for(output, path)
            folder = found is not None and found.name == "index.html"
            if folder and not path.endswith(("/", "/index.html")):
                # A folder asked for without its slash: relative links need the slash.
                parts = [part for part in path.split("/") if part]
                self._redirect(quote(preview.base + "/".join(parts) + "/"))
                return
            status = HTTPStatus.OK
            if found is None:
                missing = preview.error_page(urlsplit(self.path).path, HTTPStatus.NOT_FOUND)
                status, found = HTTPStatus.NOT_FOUND, file_for(output, missing)
            try:
                data = found.read_bytes() if found is not None else None
            except OSError:  # swapped away between finding and reading: the new site has it
                data = None
            kind = _content_type(found.name if found is not None else "x.html")
            if data is None:
                title = html.escape(_("Nothing built yet") if not output.is_dir() else "404")
                data = f"<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>".encode()
            if kind.startswith("text/html"):
                data = inject(data, preview.state, address_of(path), preview.go_live is not None)
            policy = SANDBOXED if found is not None and _sandboxed(found.name) else None
            self._send(status, data, kind, head, policy)

        def _events(self, head: bool) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if head:
                return
            # The page shows the slow step going on now (`inject`): only later ones are news.
            build, step = -1, preview.state.step
            try:
                self.wfile.write(b"retry: 500\n\n")
                while not preview.stopping:
                    state = preview.wait((build, step), KEEPALIVE)
                    said = b""
                    if state.build != build:
                        said += f"event: build\ndata: {state.build}\n\n".encode()
                    if state.step != step:  # a slow step began, or ended ("")
                        said += f"event: progress\ndata: {state.progress}\n\n".encode()
                    build, step = state.build, state.step
                    self.wfile.write(said or b": still here\n\n")
                    self.wfile.flush()
            except OSError:  # the tab was closed
                return

        def _redirect(self, location: str) -> None:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _send(
            self,
            status: HTTPStatus,
            data: bytes,
            kind: str,
            head: bool,
            policy: str | None = None,
            extra: Sequence[tuple[str, str]] = (),
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            if policy:
                self.send_header("Content-Security-Policy", policy)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            for name, value in extra:
                self.send_header(name, value)
            self.end_headers()
            if not head:
                with contextlib.suppress(OSError):  # the browser went away
                    self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass  # editors need no access log; problems are printed by the rebuild loop

    return Handler


def publish_reply(preview: Preview, headers: Any, body: bytes) -> Reply:
    """The publish button's request: from this server's own page only (as the editor's
    saves), one at a time; the summary, or every problem that stopped it."""
    try:
        same_origin(headers)
        request = json_body(headers, body)
        if preview.go_live is None:
            raise Refused(_("not found"), HTTPStatus.NOT_FOUND)
        password = request.get("password")
        if not preview.going_live.acquire(blocking=False):
            raise Refused(_("the site is being published already"), HTTPStatus.CONFLICT)
    except Refused as refused:
        return json_reply({"error": str(refused)}, refused.status)
    try:
        summary = preview.go_live(password if isinstance(password, str) and password else None)
    except LitfassError as exc:
        problems = [str(problem) for problem in exc.problems]
        return json_reply({"problems": problems}, HTTPStatus.UNPROCESSABLE_ENTITY)
    finally:
        preview.going_live.release()
        preview.working("")
    return json_reply({"summary": summary}, HTTPStatus.OK)


def address_of(path: str) -> str:
    """The address a request path shows: /aktuelles/x/index.html is /aktuelles/x/."""
    return path[: -len("index.html")] if path.endswith("/index.html") else path


def _sandboxed(name: str) -> bool:
    """Whether nginx (deploy/nginx.conf) serves this file under the sandbox policy."""
    dot = name.rfind(".")
    return dot > 0 and name[dot:].lower() in SANDBOXED_KINDS


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
