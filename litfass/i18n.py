"""Messages an editor reads, in the site's language.

Source strings are English and marked with `_()` (or `ngettext`); Babel extracts
them into `litfass/locale/` catalogs. The command line chooses the language once
(`use_language`) before any message is made, so the engine only marks strings.
"""

from __future__ import annotations

import gettext
from pathlib import Path

DOMAIN = "litfass"
LOCALE_DIR = Path(__file__).parent / "locale"

_current: gettext.NullTranslations = gettext.NullTranslations()


def use_language(language: str) -> None:
    """Make `_()` answer in `language`; English (the source) when no catalog exists."""
    global _current
    _current = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def _(message: str) -> str:
    """The message in the chosen language."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural message for `count`, in the chosen language."""
    return _current.ngettext(singular, plural, count)
