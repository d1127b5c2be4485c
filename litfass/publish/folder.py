"""A folder as destination: a mounted share, a USB stick, a folder a web server serves."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

from litfass.destination import Destination
from litfass.i18n import _
from litfass.publish.plan import temporary_name
from litfass.publish.remote import failed
from litfass.write.disk import CHUNK, inside, reason


class Folder:
    """Files copied in and renamed over their names (`os.replace`: atomic on one disk)."""

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
        target = inside(self.root, rel)
        temporary = inside(self.root, temporary_name(rel))
        target.parent.mkdir(parents=True, exist_ok=True)
        with source.open("rb") as reading, temporary.open("wb") as writing:
            shutil.copyfileobj(reading, writing, CHUNK)
        os.replace(temporary, target)

    def remove(self, rel: str) -> None:
        inside(self.root, rel).unlink(missing_ok=True)

    def remove_folder(self, rel: str) -> None:
        with contextlib.suppress(OSError):
            inside(self.root, rel).rmdir()

    def close(self) -> None:
        pass
