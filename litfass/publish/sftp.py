"""SFTP through paramiko: keys as OpenSSH finds them, the agent, host keys from known_hosts.

An unknown server is refused with its key's fingerprint: trusting it is a decision for the
person who can ask the provider, never one made silently here.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import posixpath
import stat
from pathlib import Path

import paramiko

from litfass.destination import Destination
from litfass.errors import LitfassError
from litfass.i18n import _
from litfass.publish.plan import temporary_name
from litfass.publish.remote import PASSWORD_VARIABLE, AskPassword, failed

KNOWN_HOSTS = Path("~/.ssh/known_hosts")
TIMEOUT = 30.0  # seconds to wait for the server to answer before giving up


class _Refuse(paramiko.MissingHostKeyPolicy):
    """Refuse a server whose key known_hosts does not hold, and say which key it showed."""

    def __init__(self, destination: Destination, known_hosts: Path) -> None:
        self.destination, self.known_hosts = destination, known_hosts

    def missing_host_key(
        self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey
    ) -> None:
        host = self.destination.host
        port = f"-p {self.destination.port} " if self.destination.port != 22 else ""
        message = _(
            "the server's key is not known: {kind} {fingerprint}. Ask your provider whether "
            "this is their server's fingerprint; if it is, add the key with "
            "`ssh-keyscan {port}{host} >> {known_hosts}` and publish again"
        )
        raise failed(
            self.destination,
            message.format(
                kind=key.get_name(),
                fingerprint=key.fingerprint,
                port=port,
                host=host,
                known_hosts=self.known_hosts,
            ),
        )


class Sftp:
    """One SSH connection and its SFTP session, in the destination's folder."""

    errors: tuple[type[BaseException], ...] = (OSError, EOFError, paramiko.SSHException)

    def __init__(
        self,
        destination: Destination,
        ask: AskPassword,
        identity: Path | None = None,
        known_hosts: Path | None = None,
    ) -> None:
        self.destination = destination
        self.client = _connect(destination, ask, identity, known_hosts)
        try:
            self.sftp = self.client.open_sftp()
        except (paramiko.SSHException, OSError) as exc:
            self.client.close()
            raise failed(
                destination, _("the server offers no SFTP: {reason}").format(reason=exc)
            ) from None
        # /~/htdocs (as curl writes it): htdocs in the login folder, wherever that is
        self.root = (
            destination.path.removeprefix("/~").lstrip("/") or "."
            if destination.path.startswith("/~")
            else destination.path
        )
        self._folders: set[str] = set()

    def _path(self, rel: str) -> str:
        return posixpath.join(self.root, rel)

    def read(self, rel: str) -> bytes | None:
        buffer = io.BytesIO()
        try:
            self.sftp.getfo(self._path(rel), buffer)
        except FileNotFoundError:
            return None
        return buffer.getvalue()

    def write(self, rel: str, source: Path) -> None:
        self._make_folders(posixpath.dirname(self._path(rel)))
        temporary = self._path(temporary_name(rel))
        self.sftp.put(str(source), temporary, confirm=True)
        try:
            self.sftp.posix_rename(temporary, self._path(rel))  # OpenSSH's: replaces at once
        except OSError:  # a server without the extension: SFTP's rename never overwrites
            with contextlib.suppress(FileNotFoundError):
                self.sftp.remove(self._path(rel))
            self.sftp.rename(temporary, self._path(rel))

    def remove(self, rel: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.sftp.remove(self._path(rel))

    def remove_folder(self, rel: str) -> None:
        with contextlib.suppress(OSError):
            self.sftp.rmdir(self._path(rel))

    def close(self) -> None:
        self.client.close()

    def _make_folders(self, folder: str) -> None:
        """`mkdir -p`, asking the server only about folders not seen in this session."""
        if folder in self._folders or folder in ("", "/"):
            return
        self._make_folders(posixpath.dirname(folder))
        try:
            if not stat.S_ISDIR(self.sftp.stat(folder).st_mode or 0):
                raise OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), folder)
        except FileNotFoundError:
            self.sftp.mkdir(folder)
        self._folders.add(folder)


def _connect(
    destination: Destination, ask: AskPassword, identity: Path | None, known_hosts: Path | None
) -> paramiko.SSHClient:
    """Log in with a key (given, the agent's, ~/.ssh/id_*) or a password; raise with why not."""
    known = (known_hosts or KNOWN_HOSTS).expanduser()
    if identity is not None and not identity.expanduser().is_file():
        raise failed(destination, _("no key file {file}").format(file=identity))
    client = paramiko.SSHClient()
    try:
        client.load_system_host_keys(str(known))
    except FileNotFoundError:
        pass  # no known_hosts yet: every server is unknown, and refused with its fingerprint
    except (OSError, paramiko.SSHException) as exc:
        raise failed(
            destination, _("cannot read {file}: {reason}").format(file=known, reason=exc)
        ) from None
    client.set_missing_host_key_policy(_Refuse(destination, known))
    password = os.environ.get(PASSWORD_VARIABLE) or None
    try:
        _login(client, destination, identity, password)
    except paramiko.AuthenticationException:
        password = None if password else ask(destination)
        if password is None:
            client.close()
            raise _login_refused(destination) from None
        try:
            _login(client, destination, identity, password)
        except paramiko.AuthenticationException:
            client.close()
            raise _login_refused(destination) from None
    except LitfassError:
        client.close()
        raise
    except paramiko.BadHostKeyException as exc:
        client.close()
        message = _(
            "the server's key has changed (it shows {fingerprint}, {file} holds another): "
            "publishing stopped. Ask your provider whether they changed the key"
        )
        raise failed(
            destination, message.format(fingerprint=exc.key.fingerprint, file=known)
        ) from None
    except (paramiko.SSHException, OSError) as exc:
        client.close()
        raise failed(
            destination, _("cannot connect to the server: {reason}").format(reason=exc)
        ) from None
    return client


def _login(
    client: paramiko.SSHClient,
    destination: Destination,
    identity: Path | None,
    password: str | None,
) -> None:
    client.connect(
        destination.host,
        port=destination.port,
        username=destination.user or None,
        password=password,
        key_filename=str(identity.expanduser()) if identity else None,
        look_for_keys=identity is None,
        allow_agent=True,
        timeout=TIMEOUT,
        banner_timeout=TIMEOUT,
        auth_timeout=TIMEOUT,
    )


def _login_refused(destination: Destination) -> LitfassError:
    return failed(
        destination,
        _(
            "the server refused the login: check the user name, the key (--identity) or the "
            "password (LITFASS_PUBLISH_PASSWORD)"
        ),
    )
