"""Real servers for `publish` to upload to: OpenSSH's sshd with internal-sftp, and pyftpdlib
with TLS. Each is started on a free loopback port with throwaway keys and certificates.
"""

from __future__ import annotations

import datetime
import getpass
import ipaddress
import os
import queue
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import TLS_FTPHandler
from pyftpdlib.servers import FTPServer

SSHD = "/usr/sbin/sshd"  # Debian's openssh-server
WAIT = 120.0  # seconds; never reached when the server starts


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def keygen(path: Path) -> Path:
    """An ed25519 key pair without passphrase: `path` and `path.pub`."""
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)],
        check=True,
        capture_output=True,
    )
    return path


@dataclass
class Sshd:
    """A running sshd: log in as `user` with `key`; `known_hosts` trusts its host key."""

    process: subprocess.Popen
    port: int
    user: str
    key: Path
    host_key: Path
    known_hosts: Path

    def url(self, folder: Path) -> str:
        return f"sftp://{self.user}@127.0.0.1:{self.port}{folder}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=WAIT)


def start_sshd(folder: Path, hang_up_after: int | None = None) -> Sshd:
    """sshd on a free port, answering only our test key, SFTP by its built-in server (or,
    with `hang_up_after`, by one that drops the connection after that many renames).

    As root (CI's containers), root logs in by key only; as anyone else, that user.
    """
    folder.mkdir(parents=True, exist_ok=True)
    host_key = keygen(folder / "host_key")
    key = keygen(folder / "user_key")
    authorized = folder / "authorized_keys"
    authorized.write_bytes((folder / "user_key.pub").read_bytes())
    port = free_port()
    subsystem = "internal-sftp"
    if hang_up_after is not None:  # OpenSSH's sftp-server behind a relay that hangs up
        hook = Path(__file__).with_name("sftp_hangup.py")
        subsystem = f"{sys.executable} {hook} {hang_up_after}"
    config = folder / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {host_key}\nPidFile none\n"
        f"AuthorizedKeysFile {authorized}\nPermitRootLogin prohibit-password\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
        f"StrictModes no\nSubsystem sftp {subsystem}\n",
        encoding="utf-8",
    )
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(exist_ok=True)  # the privilege separation folder sshd wants
    process = subprocess.Popen(
        [SSHD, "-D", "-e", "-f", str(config)],
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    _wait_for_line(process, f"Server listening on 127.0.0.1 port {port}")
    known = folder / "known_hosts"
    kind, blob = (folder / "host_key.pub").read_text(encoding="utf-8").split()[:2]
    known.write_text(f"[127.0.0.1]:{port} {kind} {blob}\n", encoding="utf-8")
    return Sshd(process, port, getpass.getuser(), key, host_key, known)


def _wait_for_line(process: subprocess.Popen, wanted: str) -> None:
    """Read sshd's log (in a thread, so the wait is bounded) until it says `wanted`."""
    lines: queue.Queue[str | None] = queue.Queue()
    said: list[str] = []

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    while True:
        try:
            line = lines.get(timeout=WAIT)
        except queue.Empty:
            raise AssertionError(f"sshd did not start: {said}") from None
        if line is None:
            raise AssertionError(f"sshd ended: {said}")
        said.append(line)
        if wanted in line:
            return


def certificate(folder: Path) -> tuple[Path, Path]:
    """An authority and a server certificate for 127.0.0.1 it signed (both PEM files)."""
    now = datetime.datetime.now(datetime.UTC)

    def make(subject: str, issuer: x509.Name | None, signer, key, ca: bool) -> x509.Certificate:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
        builder = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(issuer or name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            address = x509.IPAddress(ipaddress.ip_address("127.0.0.1"))
            builder = builder.add_extension(x509.SubjectAlternativeName([address]), False)
        return builder.sign(signer, hashes.SHA256())

    ca_key, server_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    authority = make("litfass test CA", None, ca_key, ca_key, True)
    server = make("127.0.0.1", authority.subject, ca_key, server_key, False)
    ca_file, server_file = folder / "ca.pem", folder / "server.pem"
    ca_file.write_bytes(authority.public_bytes(serialization.Encoding.PEM))
    server_file.write_bytes(
        server.public_bytes(serialization.Encoding.PEM)
        + server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, server_file


@dataclass
class Ftpd:
    """A pyftpdlib server in a thread: user `verein`, password `password`, TLS required."""

    server: FTPServer
    thread: threading.Thread
    port: int
    home: Path
    ca_file: Path
    password: str = "geheim-und-lang"

    def url(self, folder: str = "/htdocs", scheme: str = "ftps") -> str:
        return f"{scheme}://verein@127.0.0.1:{self.port}{folder}"

    def stop(self) -> None:
        self.server.close_all()
        self.thread.join(timeout=WAIT)


def start_ftpd(folder: Path, on_store: Callable[[object], None] | None = None) -> Ftpd:
    """FTP with explicit TLS required for commands and data; `on_store(handler)` runs on each
    STOR before it is served (a hook to break the connection off midway)."""
    home = folder / "home"
    home.mkdir(parents=True)
    ca_file, server_file = certificate(folder)
    authorizer = DummyAuthorizer()
    authorizer.add_user("verein", Ftpd.password, str(home), perm="elradfmwMT")

    class Handler(TLS_FTPHandler):
        certfile = str(server_file)
        tls_control_required = True
        tls_data_required = True
        banner = "litfass test ftpd"

        def ftp_STOR(self, file: str, mode: str = "w") -> object:
            if on_store is not None:
                on_store(self)
                if not self.connected:  # the hook hung up
                    return None
            return super().ftp_STOR(file, mode)

    Handler.authorizer = authorizer
    Handler.log_prefix = ""
    server = FTPServer(("127.0.0.1", 0), Handler)
    port = server.address[1]
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"timeout": 0.5, "handle_exit": False}, daemon=True
    )
    thread.start()
    return Ftpd(server, thread, port, home, ca_file)
