"""litfass as a package: `init` starts a site that builds, and the wheel works outside the checkout.

The wheel test builds a real wheel, installs it into a fresh virtual environment (the
dependencies come from this environment, so nothing is downloaded) and runs its `litfass`
command in a folder outside the checkout, as someone who ran `pip install litfass` would.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

from conftest import NOW, REPO

EXAMPLES = {  # one item of each kind, and where the starter site publishes it
    "news": "aktuelles/willkommen/index.html",
    "event": "veranstaltungen/erstes-treffen/index.html",
    "magazine": "magazin/heft-1/index.html",
    "page": "impressum/index.html",
}
FOOTER = '<footer class="site-footer"><p>Fuß aus dem eigenen Ordner</p></footer>\n'
SOURCES = ("pyproject.toml", "README.md", "litfass", "templates")


def test_init_makes_a_site_that_builds_without_a_warning(tmp_path: Path, run) -> None:
    site = tmp_path / "mein-portal"
    made = run("init", site, "--title", "Verband: Test & Co", "--now", NOW)
    assert made.code == 0
    assert {Path(line).relative_to(site).as_posix() for line in made.out.split()} == {
        ".gitignore",
        "build.py",
        "requirements.txt",
        "config.yaml",
        "content/news/willkommen.md",
        "content/events/erstes-treffen.md",
        "content/magazine/heft-1.md",
        "content/pages/impressum.md",
    }
    assert not (site / "templates").exists()  # the default theme does it all
    built = run("--root", site, "--now", NOW, "--strict")
    assert (built.code, built.err) == (0, "")
    output = site / "output"
    for kind, page in EXAMPLES.items():
        assert (output / page).is_file(), kind
    home = (output / "index.html").read_text(encoding="utf-8")
    assert "Verband: Test &amp; Co" in home and 'lang="de"' in home
    assert "Erstes Treffen der Redaktion" in home  # the event is upcoming
    checked = run("check", "--root", site, "--now", NOW, "--strict")
    assert checked.code == 0 and "no problems found" in checked.err
    ignored = (site / ".gitignore").read_text(encoding="utf-8").split()
    assert {"/output/", ".litfass-cache/", ".litfass-previous/", ".litfass.lock"} <= set(ignored)


def test_a_site_from_init_runs_the_handbooks_commands(tmp_path: Path) -> None:
    """As a press officer meets it: `init` outside any site, on a machine without a German
    locale, then the handbook's commands in the new folder, with its own build.py."""

    def command(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        env = {**clean_env(), "PYTHONPATH": str(REPO), "LANG": "C.UTF-8", "LITFASS_NOW": NOW}
        for name in ("LITFASS_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
            env.pop(name, None)
        return subprocess.run(
            [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
        )

    made = command("-m", "litfass", "init", "portal", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert made.stderr.startswith("neues Portal in portal/ angelegt und nach portal/output/ gebaut")
    site = tmp_path / "portal"
    assert (site / "build.py").read_bytes() == (REPO / "build.py").read_bytes()
    assert (site / "output/aktuelles/willkommen/index.html").is_file()  # built, as it says
    requirement = (site / "requirements.txt").read_text(encoding="utf-8").splitlines()[-1]
    assert requirement.startswith("litfass")

    built = command("build.py", cwd=site)
    assert built.returncode == 0 and built.stdout.startswith("4 Beiträge"), built.stderr
    checked = command("build.py", "check", cwd=site)
    assert checked.returncode == 0 and "keine Probleme" in checked.stderr, checked.stderr
    new = command("build.py", "new", "news", "Pflegetag in Leipzig", cwd=site)
    assert new.returncode == 0, new.stderr
    assert Path(site / new.stdout.strip()).is_file()


def test_init_refuses_a_folder_with_files_in_it(tmp_path: Path, run) -> None:
    taken = tmp_path / "portal"
    taken.mkdir()
    (taken / "notizen.txt").write_text("meins", encoding="utf-8")
    result = run("init", taken)
    assert result.code == 1
    assert result.err.startswith(f"{taken}: error: is not empty;")
    assert [p.name for p in taken.iterdir()] == ["notizen.txt"]
    empty = tmp_path / "leer"
    empty.mkdir()
    assert run("init", empty, "--now", NOW).code == 0


def test_every_package_and_theme_folder_is_listed_for_the_wheel() -> None:
    listed = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    packages = set(listed["tool"]["setuptools"]["packages"])
    code = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in REPO.glob("litfass/**/__init__.py")
    }
    theme = {
        ".".join(("litfass.default_theme", *folder.relative_to(REPO / "templates").parts))
        for folder in (REPO / "templates", *(REPO / "templates").rglob("*"))
        if folder.is_dir() and folder.name != "__pycache__"
    }
    assert packages == code | theme


def test_the_wheel_works_outside_the_checkout(tmp_path: Path) -> None:
    venv = installed_wheel(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = litfass_in(venv, elsewhere, "import litfass; print(litfass.__file__)")
    assert Path(where).is_relative_to(venv) and not Path(where).is_relative_to(REPO)
    editor = litfass_in(venv, elsewhere, "from litfass.preview.cms import FILES; print(FILES)")
    shipped = {p.relative_to(editor).as_posix() for p in Path(editor).rglob("*")}
    assert {"index.html", "decap-cms/decap-cms.js", "decap-cms/LICENSE"} <= shipped
    assert shipped == {  # the browser editor, all of it, pinned inside the wheel
        p.relative_to(REPO / "litfass/preview/admin").as_posix()
        for p in (REPO / "litfass/preview/admin").rglob("*")
    }

    litfass(venv, elsewhere, "init", "site", "--now", NOW)
    site = elsewhere / "site"
    german = subprocess.run(
        [str(venv / "bin/litfass"), "check", "--help"],
        cwd=site,
        env={**clean_env(), "LITFASS_LANG": "de"},
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert german.stdout.startswith("Aufruf: litfass check")  # the catalogs are in the wheel
    litfass(venv, site, "build", "--now", NOW)
    output = site / "output"
    assert (output / "index.html").is_file()
    theme = REPO / "templates/static/style.css"
    assert (output / "static/style.css").read_bytes() == theme.read_bytes()

    footer = site / "templates/partials/footer.html"
    footer.parent.mkdir(parents=True)
    footer.write_text(FOOTER, encoding="utf-8")
    litfass(venv, site, "build", "--now", NOW)
    home = (output / "index.html").read_text(encoding="utf-8")
    assert "Fuß aus dem eigenen Ordner" in home and 'id="footer_contact"' not in home
    assert '<header class="site-header">' in home  # the rest is still the default theme

    assert "Fuß aus dem eigenen Ordner" in served_home(venv, site)


def installed_wheel(tmp_path: Path) -> Path:
    """A fresh virtual environment with the wheel of this checkout installed."""
    wheel = built_wheel(tmp_path)
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
        check=True,
    )
    install = ["install", "--no-deps", "--no-index", str(wheel)]
    subprocess.run(
        [*PIP, "--python", str(venv / "bin/python"), *install],
        check=True,
        env=clean_env(),
        cwd=tmp_path,
    )
    return venv


PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", "-q"]


def built_wheel(tmp_path: Path, version: str | None = None) -> Path:
    """The wheel of this checkout, built offline into tmp_path/dist (as `version`, if given)."""
    source = tmp_path / "source"  # a copy: building leaves build/ and *.egg-info behind
    source.mkdir()
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(
                REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy(REPO / name, source / name)
    if version:
        project = source / "pyproject.toml"
        text = project.read_text(encoding="utf-8")
        project.write_text(re.sub(r'(?m)^version = ".*"$', f'version = "{version}"', text))
    dist = tmp_path / "dist"
    # Offline: the setuptools and wheel of this environment, no build isolation.
    subprocess.run(
        [*PIP, "wheel", "--no-deps", "--no-index", "--no-build-isolation", "-w", str(dist), "."],
        cwd=source,
        check=True,
        env=clean_env(),
    )
    [wheel] = dist.glob("litfass-*.whl")
    return wheel


def clean_env() -> dict[str, str]:
    """The environment without anything that would point Python at the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LITFASS_NOW")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def litfass(venv: Path, cwd: Path, *args: str) -> str:
    """Run the venv's `litfass` command in `cwd`; it must succeed without a warning."""
    done = subprocess.run(
        [str(venv / "bin/litfass"), *args],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr
    return done.stdout


def litfass_in(venv: Path, cwd: Path, code: str) -> str:
    """What a line of Python prints when run by the venv's interpreter in `cwd`."""
    done = subprocess.run(
        [str(venv / "bin/python"), "-c", code],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def served_home(venv: Path, site: Path) -> str:
    """Start `litfass serve` on a free port, fetch the home page, stop it with Ctrl-C."""
    process = subprocess.Popen(
        [str(venv / "bin/litfass"), "serve", "--port", "0", "--now", NOW],
        cwd=site,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
    )
    try:
        assert process.stdout is not None
        printed = []
        for line in process.stdout:  # the test's timeout bounds a server that never starts
            printed.append(line)
            found = re.match(r"Serving http://127\.0\.0\.1:(\d+)/", line)
            if found:
                break
        else:
            raise AssertionError(f"serve ended: {printed}")
        connection = http.client.HTTPConnection("127.0.0.1", int(found[1]), timeout=30)
        connection.request("GET", "/")
        response = connection.getresponse()
        assert response.status == 200
        page = response.read().decode("utf-8")
        connection.close()
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=60)
    assert code == 0
    return page


class Installed:
    """What importlib.metadata knows of an installed litfass: its version and direct_url.json."""

    def __init__(self, direct_url: str | None) -> None:
        self.version, self.direct_url = "0.3.0", direct_url

    def read_text(self, name: str) -> str | None:
        return self.direct_url if name == "direct_url.json" else None


def test_the_requirement_init_writes_pins_where_litfass_came_from(monkeypatch) -> None:
    from litfass.editors import starter

    def installed(direct_url: str | None) -> str:
        monkeypatch.setattr(starter.metadata, "distribution", lambda name: Installed(direct_url))
        return starter.requirement()

    from_git = (
        '{"url": "https://codeberg.org/verband/litfass", "vcs_info": {"vcs": "git", '
        '"requested_revision": "v0.3.0", "commit_id": "4f2a"}}'
    )
    assert installed(from_git) == "litfass @ git+https://codeberg.org/verband/litfass@v0.3.0"
    unnamed = from_git.replace('"requested_revision": "v0.3.0", ', "")
    assert installed(unnamed) == "litfass @ git+https://codeberg.org/verband/litfass@4f2a"
    checkout = '{"url": "file:///home/anna/litfass", "dir_info": {"editable": true}}'
    assert installed(checkout) == "litfass==0.3.0"  # a path on her machine, useless in CI
    assert installed(None) == "litfass==0.3.0"  # from the index
