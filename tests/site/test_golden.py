"""Whole pages of the fixture site compared with golden files.

After an intended change to the theme: `python -m pytest tests/site/test_golden.py --update-golden`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import TESTS

GOLDEN = TESTS / "golden"
PAGES = {
    "article.html": "aktuelles/fachtag-in-goerlitz/index.html",
    "event.html": "veranstaltungen/fachtag/index.html",
    "home.html": "index.html",
    "topic.html": "themen/wohnen/index.html",
    "feed.xml": "aktuelles/feed.xml",
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_matches_golden(built_once: Path, name: str, request: pytest.FixtureRequest) -> None:
    actual = (built_once / "output" / PAGES[name]).read_text(encoding="utf-8")
    golden = GOLDEN / name
    if request.config.getoption("--update-golden"):
        golden.write_text(actual, encoding="utf-8")
    assert golden.is_file(), f"no golden file {golden}; run pytest with --update-golden"
    assert actual == golden.read_text(encoding="utf-8"), f"{name} differs from {golden}"
