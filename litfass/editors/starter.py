"""Start a new site: a commented config.yaml, one example item of each kind, a .gitignore, the
handbook's build.py and a requirements.txt that pins this litfass.

`init my-portal` copies the files of starter-site/ (package data) into a new folder, with the
title and today's dates filled in; the site builds at once with the default theme.
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import metadata
from pathlib import Path

from litfass.atomic import write_whole
from litfass.errors import LitfassError, Problem
from litfass.i18n import _

STARTER = Path(__file__).parent / "starter-site"
RENAMED = {"gitignore": ".gitignore"}  # a dot file would be left out of the wheel
EVENT_IN_DAYS = 28  # the example event is upcoming, so the calendar shows it
REQUIREMENTS = "requirements.txt"  # what a git host's CI installs (deploy/*.yml)
# Until litfass is on the package index, the pin is where this litfass came from.
REQUIREMENTS_HEAD = """\
# Das litfass, mit dem dieses Portal gebaut wird: `python -m pip install -r requirements.txt`,
# wie es die Abläufe im Ordner deploy/ von litfass tun. Solange litfass nicht im Paketindex
# steht, nennt die Zeile unten seine Herkunft: eine Git-Adresse mit Tag, z. B.
#   litfass @ git+https://codeberg.org/OWNER/litfass@v0.1.0
# oder ein Wheel neben dieser Datei, mit seinem Pfad: ./litfass-0.1.0-py3-none-any.whl
# (siehe docs/deploying.md, "Building on the git host").
"""


@dataclass(frozen=True)
class NewSite:
    """What `init` was asked for."""

    folder: Path
    title: str
    now: datetime  # the build clock: the example items are dated today


def create_site(site: NewSite) -> list[Path]:
    """Write the starter files into a new or empty folder; return them, relative to it."""
    title = " ".join(site.title.split())
    if not title:
        raise LitfassError(Problem("--title", 0, _('the title is empty; e.g. "Mein Verband"')))
    _refuse_used(site.folder)
    values = _values(title, site.now)
    made = []
    # pip compiles the starter's build.py where it installs the wheel: not part of the site.
    files = (p for p in STARTER.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for source in sorted(files):
        rel = source.relative_to(STARTER)
        rel = rel.with_name(RENAMED.get(rel.name, rel.name))
        text = string.Template(source.read_text(encoding="utf-8")).substitute(values)
        _write(site.folder / rel, text)
        made.append(rel)
    _write(site.folder / REQUIREMENTS, REQUIREMENTS_HEAD + requirement() + "\n")
    made.append(Path(REQUIREMENTS))
    return made


def requirement() -> str:
    """A pip requirement for the litfass that runs: its git URL and commit where pip knows it.

    pip records where it installed a package from (direct_url.json, PEP 610); a git install
    gives a pin a CI machine can install too. Anything else (an index, a wheel file, a
    checkout) gives the version, to be replaced until litfass is on the index.
    """
    try:
        found = metadata.distribution("litfass")
    except metadata.PackageNotFoundError:
        return "litfass"
    origin = json.loads(found.read_text("direct_url.json") or "{}")
    vcs = origin.get("vcs_info", {})
    if vcs.get("vcs") == "git" and str(origin.get("url", "")).startswith("https://"):
        return f"litfass @ git+{origin['url']}@{vcs.get('requested_revision') or vcs['commit_id']}"
    return f"litfass=={found.version}"


def _refuse_used(folder: Path) -> None:
    """A new site never mixes with files already there."""
    shown = str(folder)
    if folder.is_file():
        raise LitfassError(Problem(shown, 0, _("is a file; give the name of a new folder")))
    if folder.is_dir() and any(folder.iterdir()):
        raise LitfassError(
            Problem(shown, 0, _("is not empty; `init` starts a site only in a new or empty folder"))
        )


def _values(title: str, now: datetime) -> dict[str, str]:
    return {
        "title": title,
        "title_yaml": json.dumps(title, ensure_ascii=False),  # JSON's quoting is valid YAML
        "today": f"{now:%Y-%m-%d}",
        "year": f"{now:%Y}",
        "event_day": f"{now + timedelta(days=EVENT_IN_DAYS):%Y-%m-%d}",
    }


def _write(path: Path, text: str) -> None:
    try:
        write_whole(path, text.encode("utf-8"), durable=True, create=True)  # never overwrite
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise LitfassError(
            Problem(str(path), 0, _("cannot write the file: {reason}").format(reason=reason))
        ) from None
