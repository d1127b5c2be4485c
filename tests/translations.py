"""Bring the message catalogs up to date with the code: extract, update, compile.

    python tests/translations.py

extracts every marked message of litfass/ into litfass/locale/litfass.pot, merges it into
each language's litfass.po (new messages empty, changed ones marked fuzzy) and compiles the
.po files into the .mo files litfass reads (and the wheel ships). Translate what is new or
fuzzy in the .po, then run it again. docs/translating.md says more.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

REPO = Path(__file__).resolve().parent.parent
LOCALE = REPO / "litfass" / "locale"
TEMPLATE = LOCALE / "litfass.pot"
DOMAIN = "litfass"
LANGUAGES = ("de",)  # English is the source: it needs no catalog
# Stable when code moves: no line numbers, messages sorted, so a merge conflicts only where
# two branches changed the same message.
EXTRACT_OPTIONS = ("--no-location", "--sort-output", "--project", "litfass", "--width", "100")


def catalog(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "--quiet", *args])


def extract(target: Path) -> None:
    """Every marked message of litfass/ into the template `target`."""
    # Babel's default mapping and keywords: every .py file; _, ngettext and N_.
    pybabel("extract", "-o", str(target), *EXTRACT_OPTIONS, str(REPO / "litfass"))


def main() -> int:
    LOCALE.mkdir(exist_ok=True)
    extract(TEMPLATE)
    common = ("-i", str(TEMPLATE), "-d", str(LOCALE), "-D", DOMAIN)
    for language in LANGUAGES:
        if not catalog(language).is_file():
            pybabel("init", *common, "-l", language, "--no-wrap")
    pybabel("update", *common, "--no-wrap", "--ignore-obsolete")
    pybabel("compile", "-d", str(LOCALE), "-D", DOMAIN, "--statistics")
    return 0


if __name__ == "__main__":
    sys.exit(main())
