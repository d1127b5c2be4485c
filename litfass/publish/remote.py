"""What every transport offers the upload: read, write whole, remove; and how it fails.

Paths are relative to the destination's folder, with '/' between parts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from litfass.destination import Destination
from litfass.errors import LitfassError

# Asks the person at the keyboard for the password of `destination`; None: nobody to ask.
AskPassword = Callable[[Destination], str | None]
PASSWORD_VARIABLE = "LITFASS_PUBLISH_PASSWORD"


class Remote(Protocol):
    """One open connection to a destination's folder."""

    # What a broken connection raises on the way (a publish stopped halfway says so).
    errors: tuple[type[BaseException], ...]

    def read(self, rel: str) -> bytes | None:
        """The file's bytes, or None when there is none."""

    def write(self, rel: str, source: Path) -> None:
        """Put `source` at `rel` whole: uploaded to a temporary name, then renamed over it."""

    def remove(self, rel: str) -> None:
        """Delete the file; one that is gone already is fine."""

    def remove_folder(self, rel: str) -> None:
        """Delete an empty folder; one that is not empty or not there is left alone."""

    def close(self) -> None: ...


def failed(destination: Destination, message: str) -> LitfassError:
    """A problem with the destination, printed as `destination: message`."""
    return LitfassError.at(str(destination), 0, message)
