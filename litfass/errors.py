"""The one error type the engine raises, and warnings it collects.

Every problem a user can cause is a `Problem` printed as `path:line: message`.
"""

from __future__ import annotations

from dataclasses import dataclass

from litfass.i18n import _


@dataclass(frozen=True, order=True)
class Problem:
    """One finding about a file: an error or a warning."""

    path: str
    line: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class LitfassError(Exception):
    """A problem a user can fix, carrying every finding that stopped the build."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = sorted(problems if isinstance(problems, list) else [problems])
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):
        # Keep the problems when the error travels back from a worker process.
        return (type(self), (self.problems,))

    @classmethod
    def at(cls, path: str, line: int, message: str) -> LitfassError:
        """Raise-ready error for a single place."""
        return cls(Problem(path, line, message))


def unreadable(exc: OSError) -> str:
    """What an editor reads of a file the system did not give us (gone since the folder was
    listed, no permission, a disk error): the system's reason, in the editor's words."""
    reason = (exc.strerror or str(exc)).lower()
    return _("cannot read the file: {reason}").format(reason=reason)
