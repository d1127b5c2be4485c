"""Drive a real `build.py serve` or `build.py watch` process on a site folder, as an editor would.

Every wait is bounded: lines are read by a thread into a queue until the server says its port.
"""

from __future__ import annotations

import http.client
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from conftest import NOW, REPO

WAIT = 120.0  # seconds: generous, the machine may be busy; never reached when things work


class LiveSite:
    """One litfass process on `site`, with everything it prints."""

    def __init__(
        self, site: Path, command: str = "serve", *extra: str, language: str = "en"
    ) -> None:
        self.site = site
        self.port = 0  # known once `ready` has read the address the server prints
        args = [sys.executable, str(REPO / "build.py"), command, "--root", str(site)]
        args += ["--now", NOW, *extra]
        if command == "serve":
            # The server picks a free port itself: no other test (or xdist worker) can take
            # it between a probe and the server's bind.
            args += ["--port", "0"]
        self.process = subprocess.Popen(
            args,
            env={**os.environ, "LITFASS_LANG": language},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
        )
        self.printed: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def line(self, wanted: Callable[[str], bool], timeout: float = WAIT) -> str:
        """The next printed line that `wanted` accepts (earlier lines are kept in `printed`)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no such line in time; printed: {self.printed}") from None
            if line is None:
                raise AssertionError(f"the process ended; printed: {self.printed}")
            self.printed.append(line)
            if wanted(line):
                return line

    def rebuilt(self) -> str:
        """Wait for the next rebuild, good or failed (in English or German)."""
        said = (" rebuilt in ", " not rebuilt", " neu gebaut in ", " nicht neu gebaut")
        return self.line(lambda text: any(words in text for words in said))

    def ready(self) -> LiveSite:
        """Wait until the first build is done and (for serve) the port answers."""
        started = ("Serving ", "Watching ", "Vorschau unter ", "Beobachte ")
        line = self.line(lambda text: text.startswith(started))
        address = re.search(r"^(?:Serving|Vorschau unter) http://[^ ]+:(\d+)/ ", line)
        if address:
            self.port = int(address[1])
        return self

    def get(self, path: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8")
        finally:
            connection.close()

    def raw(self, request: bytes) -> bytes:
        """Send bytes as they are (no client tidies the path) and return the whole answer."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as connection:
            connection.sendall(request)
            chunks = []
            while chunk := connection.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)

    def stop(self) -> int:
        """Ctrl-C, as an editor stops it; return the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        return code

    def rest(self) -> list[str]:
        """Everything printed, once the process has ended."""
        while True:
            try:
                line = self._lines.get(timeout=10)
            except queue.Empty:
                return self.printed
            if line is None:
                return self.printed
            self.printed.append(line)


class EventStream:
    """A browser tab's connection to the server's reload events."""

    def __init__(self, port: int) -> None:
        self.socket = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        self.socket.sendall(b"GET /__litfass/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._receive()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.0 200"), head
        assert b"text/event-stream" in head, head

    def _receive(self) -> bytes:
        chunk = self.socket.recv(4096)
        if not chunk:
            raise AssertionError("the event stream ended")
        return chunk

    def next_build(self) -> int:
        """The build number of the next `build` event (bounded by the socket's timeout)."""
        return int(self.next_event("build"))

    def next_event(self, name: str) -> str:
        """The data of the next event called `name` (bounded by the socket's timeout)."""
        while True:
            end = self.buffer.find(b"\n\n")
            if end >= 0:
                block, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
                lines = block.decode().splitlines()
                if f"event: {name}" in lines:
                    return next(x for x in lines if x.startswith("data: "))[6:]
                continue
            self.buffer += self._receive()

    def close(self) -> None:
        self.socket.close()
