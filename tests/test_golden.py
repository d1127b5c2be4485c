"""Whole pages of the fixture site compared with golden files.

After an intended change to the theme: `python -m pytest tests/test_golden.py --update-golden`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import NOW

GOLDEN = Path(__file__).parent / "golden"
PAGES = {
    "article.html": "aktuelles/fachtag-in-goerlitz/index.html",
    "event.html": "veranstaltungen/fachtag/index.html",
    "home.html": "index.html",
    "topic.html": "themen/wohnen/index.html",
    "feed.xml": "aktuelles/feed.xml",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import FIXTURE, copy_site
    from litfass.cli import main

    site = copy_site(FIXTURE, tmp_path_factory.mktemp("golden") / "site")
    assert main(["--root", str(site), "--now", NOW, "--quiet"]) == 0
    return site / "output"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_matches_golden(built: Path, name: str, request: pytest.FixtureRequest) -> None:
    actual = (built / PAGES[name]).read_text(encoding="utf-8")
    golden = GOLDEN / name
    if request.config.getoption("--update-golden"):
        golden.write_text(actual, encoding="utf-8")
    assert golden.is_file(), f"no golden file {golden}; run pytest with --update-golden"
    assert actual == golden.read_text(encoding="utf-8"), f"{name} differs from {golden}"
