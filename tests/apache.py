"""A real Apache 2.4 serving a built site, as shared web space runs it: the site's .htaccess
read with `AllowOverride All`, only the modules a host has, Debian's own mime.conf.

    with apache_serving(output, tmp_path / "apache") as server:      # the site at /
    with apache_serving(output, folder, base="/portal/") as server:  # Alias /portal/ output/

Shared by the tests of anything an Apache host serves (tests/deploy/test_apache.py and others); its
`Server` and `Response` are the nginx tests' too.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

APACHE = "/usr/sbin/apache2"
MODULES = Path("/usr/lib/apache2/modules")
# What the site's .htaccess needs (rewrite, headers, mime; expires for sites that add it),
# and what every host has: an MPM, Require, DirectoryIndex, Alias.
NEEDED = ("mpm_event", "authz_core", "dir", "alias", "mime", "rewrite", "headers", "expires")
DEBIAN_MIME = Path("/etc/apache2/mods-available/mime.conf")  # .br is Breton there


@dataclass(frozen=True)
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


@dataclass(frozen=True)
class Server:
    """A web server answering at http://127.0.0.1:`port``base` with the files in `output`
    (for Apache as root a copy of the build's output/: see readable_copy)."""

    port: int
    output: Path
    base: str = "/"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The site's address, without its final '/': url + '/aktuelles/' is a page."""
        return self.origin + self.base.rstrip("/")

    def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        """One request for a site path, as sent: no redirect followed, nothing decompressed."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            target = self.base.rstrip("/") + path if path.startswith("/") else path
            connection.request("GET", target, headers=headers or {})
            answer = connection.getresponse()
            return Response(answer.status, answer.headers, answer.read())
        finally:
            connection.close()

    def local(self, path: str) -> Path:
        """The file in output/ that a site path names."""
        rel = path.lstrip("/")
        return self.output / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)

    def file(self, path: str) -> bytes:
        return self.local(path).read_bytes()


def main_config(output: Path, folder: Path, port: int, base: str) -> str:
    """The smallest apache2.conf around the site, everything kept inside `folder`."""
    modules = "".join(f"LoadModule {name}_module {MODULES / f'mod_{name}.so'}\n" for name in NEEDED)
    # As root, Apache serves as another user (it refuses root): see readable_copy.
    user = "User www-data\nGroup www-data\n" if os.geteuid() == 0 else ""
    # The host's own root, beside the site's folder (where Apache may read it).
    empty = (output.parent if os.geteuid() == 0 else folder) / "htdocs"
    empty.mkdir(exist_ok=True)
    root = output if base == "/" else empty
    alias = "" if base == "/" else f'Alias "{base}" "{output}/"\n'
    return (
        f"ServerRoot {folder}\nDefaultRuntimeDir {folder}\nPidFile {folder}/apache2.pid\n"
        f"ErrorLog {folder}/error.log\nLogLevel warn\nServerName 127.0.0.1\n"
        f"Listen 127.0.0.1:{port}\n{user}{modules}Include {DEBIAN_MIME}\n"
        f'DocumentRoot "{root}"\n{alias}'
        f'<Directory "{output}">\n  AllowOverride All\n  Require all granted\n</Directory>\n'
        f'<Directory "{empty}">\n  Require all granted\n</Directory>\n'
    )


@contextlib.contextmanager
def readable_copy(output: Path) -> Iterator[Path]:
    """`output` where the server's user can read it. As root, Apache serves as www-data (it
    refuses root), and pytest's folders are private to root: every pytest that starts makes
    /tmp/pytest-of-root private again. So the site is copied, byte for byte, into a folder
    of its own that others may read, and removed afterwards."""
    if os.geteuid() != 0:
        yield output
        return
    served = Path(tempfile.mkdtemp(prefix="litfass-apache-"))
    try:
        served.chmod(0o755)
        shutil.copytree(output, served / "output", symlinks=True)
        for folder in [served / "output", *(served / "output").rglob("*")]:
            mode = folder.stat().st_mode
            folder.chmod(mode | stat.S_IROTH | (stat.S_IXOTH if folder.is_dir() else 0))
        yield served / "output"
    finally:
        shutil.rmtree(served, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def apache_serving(output: Path, folder: Path, base: str = "/") -> Iterator[Server]:
    """A real Apache serving `output` at `base` on a free port, its files kept in `folder`."""
    apache = APACHE if os.access(APACHE, os.X_OK) else shutil.which("apache2")
    if apache is None:
        pytest.fail("apache2 is not installed: `bash tests/run` installs Debian's apache2")
    folder.mkdir(parents=True, exist_ok=True)
    with readable_copy(output) as served:
        yield from _serving(apache, served, folder, base)


def _serving(apache: str, output: Path, folder: Path, base: str) -> Iterator[Server]:
    for _attempt in range(5):  # another process may take the free port before Apache does
        port = free_port()
        (folder / "apache2.conf").write_text(
            main_config(output, folder, port, base), encoding="utf-8"
        )
        command = [apache, "-f", str(folder / "apache2.conf"), "-DFOREGROUND"]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=60)
        assert checked.returncode == 0, checked.stderr
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        if _listening(process, port):
            break
        _stop(process)
    else:
        log = (folder / "error.log").read_text(encoding="utf-8", errors="replace")
        pytest.fail(f"Apache did not start:\n{log}")
    try:
        yield Server(port, output, base)
    finally:
        _stop(process)


def _listening(process: subprocess.Popen[bytes], port: int) -> bool:
    """Wait until Apache accepts connections on `port`, or has exited (port taken)."""
    while process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
            return True
        except OSError:
            time.sleep(0.05)  # polling for a condition: Apache opens its port when ready
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    if process.stderr is not None:
        process.stderr.close()
