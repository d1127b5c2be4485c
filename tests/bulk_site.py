"""A generated portal of a few hundred items, in two editions that differ like a day's work.

Used where a build must take long enough to be interrupted, or be compared between runs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import REPO

TOPICS = ["Wohnen", "Pflege", "Ehrenamt", "Kinderschutz", "Migration", "Schuldnerberatung"]
REGIONS = ["Leipzig", "Dresden", "Chemnitz", "Görlitz"]
CONFIG = """\
title: Paritätischer Testverband
base_url: https://www.test.example.org
language: de
page_size: 10
"""


def write_bulk_site(root: Path, items: int = 300, edition: str = "a") -> Path:
    """A site with `items` news and a tenth as many events; edition "b" edits, adds, drops."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.yaml").write_text(CONFIG, encoding="utf-8")
    if not (root / "templates").exists():
        shutil.copytree(REPO / "templates", root / "templates")
    write_content(root / "content", items, edition)
    return root


def write_content(content: Path, items: int, edition: str) -> None:
    """(Re)write content/ for one edition."""
    shutil.rmtree(content, ignore_errors=True)
    for folder in ("news", "events", "pages"):
        (content / folder).mkdir(parents=True)
    (content / "pages/impressum.md").write_text(
        "---\ntitle: Impressum\nmenu: 9\n---\nTestverband e. V.\n", encoding="utf-8"
    )
    for number in range(items + (items // 10 if edition == "b" else 0)):
        if edition == "b" and number % 17 == 0:
            continue  # dropped in the second edition
        edited = edition == "b" and number % 3 == 0
        _news(content / "news", number, edited)
    for number in range(items // 10):
        _event(content / "events", number, edition == "b" and number % 4 == 0)


def _news(folder: Path, number: int, edited: bool) -> None:
    year, month, day = 2015 + number % 11, 1 + number % 12, 1 + number % 28
    topics = ", ".join(TOPICS[(number + k) % len(TOPICS)] for k in range(1 + number % 3))
    note = "Aktualisiert: neue Zahlen liegen vor." if edited else "Erste Fassung."
    paragraphs = "\n\n".join(
        f"Absatz {k} der Meldung {number}: Die Träger der Freien Wohlfahrtspflege berichten "
        f"über **Erfahrungen** aus der Praxis und fordern verlässliche Förderung. {note}"
        for k in range(6)
    )
    (folder / f"{year}-{month:02d}-{day:02d}-meldung-{number}.md").write_text(
        f"---\ntitle: Meldung {number} über {TOPICS[number % len(TOPICS)]}\n"
        f"date: {year}-{month:02d}-{day:02d} {number % 24}:00\n"
        f"tags: [{topics}]\nregion: {REGIONS[number % len(REGIONS)]}\n---\n{paragraphs}\n",
        encoding="utf-8",
    )


def _event(folder: Path, number: int, edited: bool) -> None:
    year, month, day = 2024 + number % 4, 1 + number % 12, 1 + number % 28
    cost = "10 Euro" if edited else "kostenfrei"
    (folder / f"veranstaltung-{number}.md").write_text(
        f"---\ntitle: Fachtag {number}\nstart: {day}.{month}.{year} 9 Uhr\n"
        f"end: {day}.{month}.{year} 16 Uhr\nlocation: Volkshaus Leipzig\n"
        f"registration: anmeldung@test.example.org\ncost: {cost}\n"
        f"tags: [{TOPICS[number % len(TOPICS)]}]\n---\nProgramm des Fachtags {number}.\n",
        encoding="utf-8",
    )
