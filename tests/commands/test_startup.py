"""What a build pays for before it does anything: the modules `python build.py` imports.

An editor's build after saving one article renders tens of milliseconds of pages; the imports
of the command line come first every time, so a library only some commands use waits for them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import NOW, REPO

ARTICLE = "content/news/2020-01-10-neujahr.md"
# The standard library's network client and mail parser: nothing in a build goes online or
# reads mail, yet xml.sax.saxutils brought all of them in (urllib.request) for one escape.
NETWORK = {"urllib.request", "http.client", "ssl", "email.parser"}


def imported_by_build(site: Path) -> set[str]:
    """The modules a `build.py` run over `site` imports, as `python -X importtime` lists them."""
    command = [sys.executable, "-X", "importtime", str(REPO / "build.py"), "--root", str(site)]
    done = subprocess.run(
        [*command, "--now", NOW, "--quiet", "--workers", "1"],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    return {line.rsplit("|", 1)[1].strip() for line in lines[1:]}


def test_a_one_article_build_loads_no_network_client(fixture_site: Path, run) -> None:
    assert run("--root", fixture_site, "--now", NOW).code == 0
    article = fixture_site / ARTICLE
    article.write_text(article.read_text("utf-8") + "\nEin neuer Absatz.\n", "utf-8")

    modules = imported_by_build(fixture_site)

    page = fixture_site / "output/aktuelles/neujahr/index.html"
    assert "Ein neuer Absatz." in page.read_text("utf-8")  # the edit was built
    assert "litfass.outputs.metadata" in modules  # the sitemap's module, which escaped with it
    assert modules & NETWORK == set()


def test_a_build_that_makes_no_feed_loads_no_feed_library(fixture_site: Path, run) -> None:
    """feedgen and lxml (with dateutil) are imported where a feed is made, not by every build."""
    assert run("--root", fixture_site, "--now", NOW).code == 0
    imprint = fixture_site / "content/pages/impressum.md"  # in no feed
    imprint.write_text(imprint.read_text("utf-8") + "\nEin neuer Absatz.\n", "utf-8")

    modules = imported_by_build(fixture_site)

    page = fixture_site / "output/impressum/index.html"
    assert "Ein neuer Absatz." in page.read_text("utf-8")
    assert {name.split(".")[0] for name in modules} & {"feedgen", "lxml", "dateutil"} == set()
