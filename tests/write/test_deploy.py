"""What the build hands a web server: .gz/.br files, fingerprinted assets, the redirect include.

The server itself is tested in test_nginx.py (issue: production).
"""

from __future__ import annotations

import gzip
import hashlib
import re
import shutil
import sys
from pathlib import Path

import brotli
import lxml.html
import pytest

from conftest import NOW, REPO, build, snapshot
from litfass.outputs import redirects, serving
from litfass.outputs.theme import fingerprinted
from litfass.workers import MIN_PER_WORKER
from litfass.write.compress import COMPRESSIBLE

PRECOMPRESS = "\ndeploy:\n  precompress: true\n"


def compressible(output: Path) -> list[Path]:
    return [p for p in sorted(output.rglob("*")) if p.name.endswith(COMPRESSIBLE)]


def stylesheet(page: Path) -> str:
    (href,) = lxml.html.fromstring(page.read_bytes()).xpath('//link[@rel="stylesheet"]/@href')
    return href


@pytest.fixture
def precompressed_site(fixture_site: Path) -> Path:
    with open(fixture_site / "config.yaml", "a", encoding="utf-8") as config:
        config.write(PRECOMPRESS)
    return fixture_site


def test_every_text_file_gets_a_gz_and_br_with_the_same_content(
    precompressed_site: Path, run
) -> None:
    build(precompressed_site)
    files = compressible(precompressed_site / "output")
    assert {p.suffix for p in files} >= {".html", ".css", ".xml", ".svg"}
    for path in files:
        original = path.read_bytes()
        assert gzip.decompress(path.with_name(path.name + ".gz").read_bytes()) == original
        assert brotli.decompress(path.with_name(path.name + ".br").read_bytes()) == original


def test_gzip_header_carries_no_time_and_no_name(precompressed_site: Path, run) -> None:
    build(precompressed_site)
    header = (precompressed_site / "output/index.html.gz").read_bytes()[:10]
    assert header[:3] == b"\x1f\x8b\x08"  # gzip, deflate
    assert header[3] == 0  # flags: no file name, no comment, no extra field
    assert header[4:8] == b"\0\0\0\0"  # modification time


def test_compressed_files_are_byte_identical_between_builds(
    precompressed_site: Path, tmp_path: Path, run
) -> None:
    build(precompressed_site)
    first = snapshot(precompressed_site / "output")
    (precompressed_site / "output").rename(tmp_path / "first")
    build(precompressed_site)
    assert snapshot(precompressed_site / "output") == first
    assert any(name.endswith(".html.gz") for name in first)


def test_warm_build_links_unchanged_compressed_files_and_redoes_changed_ones(
    precompressed_site: Path, run
) -> None:
    build(precompressed_site)
    output = precompressed_site / "output"
    article = "aktuelles/neujahr/index.html"
    kept = (output / "impressum/index.html.gz").stat().st_ino
    old = (output / f"{article}.gz").read_bytes()
    source = precompressed_site / "content/news/2020-01-10-neujahr.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nNeuer Absatz.\n", encoding="utf-8")
    build(precompressed_site)
    assert (output / "impressum/index.html.gz").stat().st_ino == kept
    new = (output / f"{article}.gz").read_bytes()
    assert new != old
    assert gzip.decompress(new) == (output / article).read_bytes()
    assert b"Neuer Absatz." in gzip.decompress(new)


def test_compressed_files_are_the_same_made_over_two_workers_or_one(
    precompressed_site: Path, tmp_path: Path, run
) -> None:
    assert run("--root", precompressed_site, "--now", NOW, "--workers", "2").code == 0
    output = precompressed_site / "output"
    # A .gz and a .br of each: enough files to compress for both workers.
    assert 2 * len(compressible(output)) >= 2 * MIN_PER_WORKER
    over_two = snapshot(output)
    for name in ("output", ".litfass-cache", ".litfass-previous"):
        shutil.rmtree(precompressed_site / name, ignore_errors=True)
    assert run("--root", precompressed_site, "--now", NOW, "--workers", "1").code == 0
    assert snapshot(output) == over_two


def test_turning_precompress_on_compresses_every_file_of_a_kept_site(
    fixture_site: Path, run
) -> None:
    build(fixture_site)  # the next build starts from this site, kept beside output/
    with open(fixture_site / "config.yaml", "a", encoding="utf-8") as config:
        config.write(PRECOMPRESS)
    build(fixture_site)
    for path in compressible(fixture_site / "output"):
        gz = path.with_name(path.name + ".gz").read_bytes()
        assert gzip.decompress(gz) == path.read_bytes()


def test_without_brotli_only_gz_files_are_made(
    precompressed_site: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "brotli", None)  # makes `import brotli` fail
    build(precompressed_site)
    output = precompressed_site / "output"
    assert (output / "index.html.gz").is_file()
    assert not list(output.rglob("*.br"))


def test_precompress_is_off_unless_configured(fixture_site: Path, run) -> None:
    build(fixture_site)
    assert not list((fixture_site / "output").rglob("*.gz"))


def test_the_example_portal_is_precompressed(example_site: Path, run) -> None:
    build(example_site)
    assert (example_site / "output/index.html.gz").is_file()


@pytest.mark.parametrize(
    ("deploy", "expected"),
    [
        (
            "deploy:\n  precompress: vielleicht\n",
            "error: 'deploy.precompress' must be true or false",
        ),
        ("deploy:\n  precompres: true\n", "warning: unknown key in 'deploy' 'precompres'"),
    ],
)
def test_deploy_settings_are_checked(fixture_site: Path, run, deploy: str, expected: str) -> None:
    config = fixture_site / "config.yaml"
    line = config.read_text(encoding="utf-8").count("\n") + 1
    config.write_text(config.read_text(encoding="utf-8") + deploy, encoding="utf-8")
    result = run("--root", fixture_site, "--now", NOW)
    assert f"config.yaml:{line}: {expected}" in result.err


def test_theme_files_are_published_under_their_content_hash(fixture_site: Path, run) -> None:
    build(fixture_site)
    output = fixture_site / "output"
    href = stylesheet(output / "index.html")
    match = re.fullmatch(r"/static/style\.([0-9a-f]{8})\.css", href)
    assert match, href
    css = (fixture_site / "templates/static/style.css").read_bytes()
    assert match[1] == hashlib.sha256(css).hexdigest()[:8]
    assert (output / href.lstrip("/")).read_bytes() == css
    assert (output / "static/style.css").read_bytes() == css  # the plain name stays


def test_a_changed_stylesheet_gets_a_new_name(fixture_site: Path, run) -> None:
    build(fixture_site)
    old = stylesheet(fixture_site / "output/index.html")
    with open(fixture_site / "templates/static/style.css", "a", encoding="utf-8") as css:
        css.write("\n.neu { color: red; }\n")
    build(fixture_site)
    new = stylesheet(fixture_site / "output/index.html")
    assert new != old
    assert (fixture_site / "output" / new.lstrip("/")).is_file()
    assert not (fixture_site / "output" / old.lstrip("/")).exists()


def test_configured_logo_from_the_theme_is_fingerprinted(example_site: Path, run) -> None:
    build(example_site)
    page = lxml.html.fromstring((example_site / "output/index.html").read_bytes())
    (logo,) = page.cssselect(".brand img")
    assert re.fullmatch(r"/static/logo\.[0-9a-f]{8}\.svg", logo.get("src"))


def test_logo_outside_the_theme_is_linked_as_configured(example_site: Path, run) -> None:
    config = example_site / "config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("logo: /static/logo.svg", "logo: /bilder/logo.png"), "utf-8")
    build(example_site)
    page = lxml.html.fromstring((example_site / "output/index.html").read_bytes())
    assert page.cssselect(".brand img")[0].get("src") == "/bilder/logo.png"


def test_unknown_asset_is_a_template_error_with_its_line(fixture_site: Path, run) -> None:
    build(fixture_site)
    before = snapshot(fixture_site / "output")
    base = fixture_site / "templates/base.html"
    text = base.read_text(encoding="utf-8")
    line = text[: text.index("asset('style.css')")].count("\n") + 1
    base.write_text(text.replace("asset('style.css')", "asset('stil.css')"), encoding="utf-8")
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 1
    assert f"templates/base.html:{line}: error: template error: asset('stil.css'): no such" in (
        result.err
    )
    assert snapshot(fixture_site / "output") == before


def test_redirect_include_has_both_forms_of_each_alias(example_site: Path, run) -> None:
    build(example_site)
    text = (example_site / "output/redirects.nginx").read_text(encoding="utf-8")
    old = "/aktuelles/pressemitteilungen/detail/news/soziale-traeger-als-partner-der-wohnungswirtschaft"
    new = "/aktuelles/soziale-traeger-als-partner-der-wohnungswirtschaft/"
    assert f'location = "{old}" {{ return 301 "{new}"; }}' in text
    assert f'location = "{old}/" {{ return 301 "{new}"; }}' in text


def test_redirect_include_exists_without_aliases(fixture_site: Path, run) -> None:
    article = fixture_site / "content/news/2019-11-04-fachtag-in-goerlitz.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("aliases:\n  - /alt/fachtag-goerlitz\n", ""), "utf-8")
    build(fixture_site)
    text = (fixture_site / "output/redirects.nginx").read_text(encoding="utf-8")
    assert text.startswith("#")
    assert "location =" not in text


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        ("style.css", "style.{h}.css"),
        ("js/search.min.js", "js/search.min.{h}.js"),
        ("LICENSE", "LICENSE.{h}"),
        (".well-known", ".well-known.{h}"),
    ],
)
def test_fingerprinted_names_keep_folder_and_suffix(rel: str, expected: str) -> None:
    digest = hashlib.sha256(b"x").hexdigest()[:8]
    assert fingerprinted(rel, b"x") == expected.format(h=digest)


@pytest.mark.parametrize(
    ("alias", "paths"),
    [
        ("/alt/seite.html", [b"/alt/seite.html"]),
        ("/alt/ordner/", [b"/alt/ordner", b"/alt/ordner/"]),
        ("/alt//doppelt", [b"/alt/doppelt", b"/alt/doppelt/"]),
        ("/alt/%C3%BCber", ["/alt/über".encode(), "/alt/über/".encode()]),
        ("/alt/%0Azeile", []),
    ],
)
def test_redirects_match_the_path_nginx_compares(alias: str, paths: list[bytes]) -> None:
    assert redirects._request_paths(alias) == paths


def test_nginx_example_says_what_the_table_of_headers_says() -> None:
    """deploy/nginx.conf is written by hand; .htaccess from outputs/serving.py: they agree."""
    text = (REPO / "deploy/nginx.conf").read_text(encoding="utf-8")
    # The server block's own variables: the first `set` of each (locations set them again).
    variables: dict[str, str] = {}
    for name, value in re.findall(r'^\s*set \$(\w+) "([^"]*)";', text, flags=re.M):
        variables.setdefault(name, value)
    assert variables["csp"] == serving.SITE_POLICY
    assert variables["sandboxed"] == serving.SANDBOX_POLICY
    assert variables["admin_csp"] == serving.ADMIN_POLICY
    assert variables["cache_control"] == serving.REVALIDATE
    headers = dict(re.findall(r'^\s*add_header ([\w-]+) "([^"]*)" always;', text, flags=re.M))
    assert headers == serving.SECURITY_HEADERS
    caches = set(re.findall(r'set \$cache_control "([^"]*)";', text))
    assert caches == {serving.REVALIDATE, serving.IMMUTABLE, serving.REPLACEABLE}
    suffixes = re.findall(r"location ~\* \\\.\(\?:([^)]*)\)\$", text)
    assert suffixes == ["|".join(serving.REPLACEABLE_SUFFIXES), "|".join(serving.DOCUMENT_SUFFIXES)]
    assert f'location ~ "^/{serving.FINGERPRINTED}$"' in text
