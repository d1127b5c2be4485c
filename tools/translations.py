"""Bring the message catalogs up to date with the code: extract, update, compile.

    python tools/translations.py

extracts every marked message into litfass/locale/litfass.pot, merges it into each
language's litfass.po (new messages empty, changed ones marked fuzzy) and compiles the .po
files into the .mo files litfass reads. Translate what is new or fuzzy, then run it again.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

REPO = Path(__file__).resolve().parent.parent
LOCALE = REPO / "litfass" / "locale"
TEMPLATE = LOCALE / "litfass.pot"
MAPPING = REPO / "babel.cfg"
# Stable across edits elsewhere in a file: no line numbers, messages sorted.
EXTRACT_OPTIONS = ["--no-location", "--sort-output", "--project", "litfass", "--width", "100"]


def pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "--quiet", *args])


def main() -> int:
    pybabel(
        "extract", "-F", str(MAPPING), "-o", str(TEMPLATE), *EXTRACT_OPTIONS, str(REPO / "litfass")
    )
    pybabel(
        "update",
        "-i",
        str(TEMPLATE),
        "-d",
        str(LOCALE),
        "-D",
        "litfass",
        "--no-wrap",
        "--ignore-obsolete",
    )
    pybabel("compile", "-d", str(LOCALE), "-D", "litfass", "--statistics")
    return 0


if __name__ == "__main__":
    sys.exit(main())
