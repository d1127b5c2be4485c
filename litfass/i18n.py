"""Messages an editor reads, in the site's language.

Source strings are English and marked with `_()` (or `ngettext`; `N_()` marks a constant
translated where it is used); Babel extracts them into `litfass/locale/` catalogs
(docs/translating.md). The command line chooses the language once (`use_language`) before
any message is made, so the engine only marks strings.
"""

from __future__ import annotations

import gettext
from pathlib import Path

DOMAIN = "litfass"
LOCALE_DIR = Path(__file__).parent / "locale"

_current: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def use_language(language: str) -> None:
    """Make `_()` answer in `language`; English (the source) when no catalog exists."""
    global _current, _language
    _current = catalog(language)  # de-DE as a browser writes it is gettext's de_DE
    # As the catalog names it ("de" for LITFASS_LANG=de_DE.UTF-8): Babel formats dates with it.
    _language = (
        _current.info().get("language", "en")
        if isinstance(_current, gettext.GNUTranslations)
        else "en"
    )


def catalog(language: str) -> gettext.NullTranslations:
    """The messages of `language` whatever the command line chose: for what the site says in
    its own language (the browser editor's labels follow config.yaml, not LITFASS_LANG)."""
    wanted = language.replace("-", "_")
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[wanted], fallback=True)


def language() -> str:
    """The language `_()` answers in: one with a catalog, else English."""
    return _language


def _(message: str) -> str:
    """The message in the chosen language."""
    return _current.gettext(message)


def N_(message: str) -> str:
    """Mark a constant for the catalog; `_()` translates it where it is shown."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural message for `count`, in the chosen language."""
    return _current.ngettext(singular, plural, count)
