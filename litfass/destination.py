"""Where `publish` puts the built site: a web space by SFTP or FTP, or a folder.

Read from the command line or config.yaml's `publish.destination`, once, into a `Destination`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from litfass.i18n import _

SCHEMES = {"sftp": 22, "ftps": 21, "ftp": 21}


@dataclass(frozen=True)
class Destination:
    """A remote folder (`scheme` sftp, ftps or ftp) or, with scheme "folder", a local one."""

    scheme: str
    path: str  # the folder on the server (or here), as given
    host: str = ""
    port: int = 0
    user: str = ""

    @property
    def remote(self) -> bool:
        return self.scheme != "folder"

    def __str__(self) -> str:
        if not self.remote:
            return self.path
        user = f"{self.user}@" if self.user else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = f":{self.port}" if self.port != SCHEMES[self.scheme] else ""
        return f"{self.scheme}://{user}{host}{port}{self.path}"


def parse_destination(text: str, base: Path) -> Destination:
    """`sftp://user@host[:port]/path`, `ftps://…`, `ftp://…` or a folder (relative to `base`).

    Raises ValueError with the reason, for the caller to place (config.yaml or the option).
    """
    text = text.strip()
    if not text:
        raise ValueError(_("no destination given"))
    if "://" not in text:
        return Destination("folder", os.path.normpath(base / Path(text).expanduser()))
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise ValueError(
            _(
                "unknown kind of destination '{scheme}://': use sftp://, ftps://, ftp:// or a folder"
            ).format(scheme=scheme)
        )
    if parts.password is not None:
        raise ValueError(
            _(
                "the destination must not contain a password; give it in the variable "
                "LITFASS_PUBLISH_PASSWORD or type it when asked"
            )
        )
    if parts.query or parts.fragment:
        raise ValueError(_("the destination must not contain '?' or '#'"))
    try:
        port = parts.port or SCHEMES[scheme]
    except ValueError:
        raise ValueError(_("the destination's port is not a number from 1 to 65535")) from None
    if not parts.hostname:
        raise ValueError(
            _("the destination names no server: {scheme}://user@server/folder").format(
                scheme=scheme
            )
        )
    path = unquote(parts.path) or "/"
    return Destination(scheme, path, parts.hostname, port, unquote(parts.username or ""))
