"""FTP through ftplib: explicit TLS (`ftps://`, AUTH TLS) unless plain `ftp://` is named.

The server's certificate is checked as a browser would (the system's authorities, its name).
"""

from __future__ import annotations

import contextlib
import ftplib
import io
import os
import posixpath
import ssl
from pathlib import Path

from litfass.destination import Destination
from litfass.i18n import _
from litfass.publish.plan import temporary_name
from litfass.publish.remote import PASSWORD_VARIABLE, AskPassword, failed

TIMEOUT = 30.0


class Ftp:
    """One FTP session (with TLS for commands and data on `ftps://`), in the destination's folder."""

    errors: tuple[type[BaseException], ...] = (OSError, EOFError, ftplib.Error)

    def __init__(self, destination: Destination, ask: AskPassword) -> None:
        self.destination = destination
        password = os.environ.get(PASSWORD_VARIABLE) or ask(destination)
        if password is None:
            message = _(
                "FTP needs a password: set LITFASS_PUBLISH_PASSWORD or publish from a terminal"
            )
            raise failed(destination, message)
        self.ftp = _login(destination, password)
        self.root = destination.path
        self._folders: set[str] = set()

    def _path(self, rel: str) -> str:
        return posixpath.join(self.root, rel)

    def read(self, rel: str) -> bytes | None:
        buffer = io.BytesIO()
        try:
            self.ftp.retrbinary(f"RETR {self._path(rel)}", buffer.write)
        except ftplib.error_perm:  # 550: no such file
            return None
        return buffer.getvalue()

    def write(self, rel: str, source: Path) -> None:
        self._make_folders(posixpath.dirname(self._path(rel)))
        temporary = self._path(temporary_name(rel))
        with source.open("rb") as reading:
            self.ftp.storbinary(f"STOR {temporary}", reading)
        try:
            self.ftp.rename(temporary, self._path(rel))  # replaces on Unix servers
        except ftplib.error_perm:  # a server that will not rename over a file
            with contextlib.suppress(ftplib.error_perm):
                self.ftp.delete(self._path(rel))
            self.ftp.rename(temporary, self._path(rel))

    def remove(self, rel: str) -> None:
        with contextlib.suppress(ftplib.error_perm):
            self.ftp.delete(self._path(rel))

    def remove_folder(self, rel: str) -> None:
        with contextlib.suppress(ftplib.error_perm):
            self.ftp.rmd(self._path(rel))

    def close(self) -> None:
        with contextlib.suppress(OSError, EOFError, ftplib.Error):
            self.ftp.quit()
        self.ftp.close()

    def _make_folders(self, folder: str) -> None:
        """`mkdir -p`: FTP says 550 both for "exists" and "cannot", so ask by changing in."""
        if folder in self._folders or folder in ("", "/", "."):
            return
        self._make_folders(posixpath.dirname(folder))
        try:
            self.ftp.cwd(folder)
        except ftplib.error_perm:
            self.ftp.mkd(folder)
        self._folders.add(folder)


def _login(destination: Destination, password: str) -> ftplib.FTP:
    """Connected and logged in; on `ftps://` the data connections are encrypted too."""
    secure = destination.scheme == "ftps"
    ftp = ftplib.FTP_TLS(context=ssl.create_default_context()) if secure else ftplib.FTP()
    try:
        ftp.connect(destination.host, destination.port, timeout=TIMEOUT)
        ftp.login(destination.user or "anonymous", password)  # FTP_TLS: AUTH TLS first
        if isinstance(ftp, ftplib.FTP_TLS):
            ftp.prot_p()
    except ftplib.error_perm as exc:
        ftp.close()
        raise failed(
            destination, _("the server refused the login: {reason}").format(reason=exc)
        ) from None
    except ssl.SSLError as exc:
        ftp.close()
        message = _(
            "the server's TLS certificate cannot be trusted ({reason}); use the server name "
            "your provider gives for FTPS"
        )
        raise failed(destination, message.format(reason=exc.reason or exc)) from None
    except (OSError, EOFError, ftplib.Error) as exc:
        ftp.close()
        raise failed(
            destination, _("cannot connect to the server: {reason}").format(reason=exc)
        ) from None
    return ftp
