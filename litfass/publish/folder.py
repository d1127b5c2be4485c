"""A folder as destination: a mounted share, a USB stick, a folder a web server serves."""

from __future__ import annotations

import contextlib
from pathlib import Path

from litfass.atomic import write_whole
from litfass.destination import Destination
from litfass.i18n import _
from litfass.publish.remote import failed
from litfass.write.disk import inside, reason


class Folder:
    """Files copied in and renamed over their names, flushed: the folder may be the only copy
    of the published site (a USB stick taken to the server), so `durable` (atomic.py)."""

    errors: tuple[type[BaseException], ...] = (OSError,)

    def __init__(self, destination: Destination) -> None:
        self.root = Path(destination.path)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise failed(
                destination, _("cannot create the folder: {reason}").format(reason=reason(exc))
            ) from None

    def read(self, rel: str) -> bytes | None:
        try:
            return inside(self.root, rel).read_bytes()
        except FileNotFoundError:
            return None

    def write(self, rel: str, source: Path) -> None:
        write_whole(inside(self.root, rel), source, durable=True)

    def remove(self, rel: str) -> None:
        inside(self.root, rel).unlink(missing_ok=True)

    def remove_folder(self, rel: str) -> None:
        with contextlib.suppress(OSError):
            inside(self.root, rel).rmdir()

    def close(self) -> None:
        pass
