"""A site's templates/ overrides the default theme file by file; without one, the default is used.

Fixture sites hold only the files they override; everything else comes from the theme that
ships with litfass (in the checkout: the repository's templates/).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from livesite import LiveSite

from conftest import FIXTURE, NOW, REPO, build, copy_site, snapshot
from litfass.commands.common import parse_now
from litfass.engine.builder import Builder
from litfass.site import BuildOptions

FOOTER = '<footer class="site-footer"><p>Unser eigener Fuß</p></footer>\n'
ARTICLE = "aktuelles/neujahr/index.html"


def bare_site(tmp_path: Path, overrides: dict[str, str] | None = None) -> Path:
    """The fixture site's config and content, with only `overrides` in its templates/."""
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(FIXTURE / "config.yaml", site / "config.yaml")
    shutil.copytree(FIXTURE / "content", site / "content")
    for rel, text in (overrides or {}).items():
        path = site / "templates" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return site


def build_quietly(site: Path) -> Path:
    """Build `site`, which must raise no warning; its output folder."""
    built = build(site, "--quiet")
    assert built.err == ""
    return built.output


def html_pages(output: Path) -> list[Path]:
    """Every page a reader opens (not the redirect stubs of old addresses, not the index)."""
    return [
        p
        for p in sorted(output.rglob("*.html"))
        if "pagefind" not in p.parts and b'http-equiv="refresh"' not in p.read_bytes()
    ]


def test_a_site_without_templates_builds_as_with_a_copy_of_the_default_theme(
    tmp_path: Path, run
) -> None:
    bare = build_quietly(bare_site(tmp_path))
    copied = build_quietly(copy_site(FIXTURE, tmp_path / "copied"))
    assert not (tmp_path / "site/templates").exists()
    assert snapshot(bare) == snapshot(copied)


def test_a_partial_overrides_only_itself_on_every_page(tmp_path: Path, run) -> None:
    output = build_quietly(bare_site(tmp_path, {"partials/footer.html": FOOTER}))
    pages = html_pages(output)
    assert len(pages) > 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "Unser eigener Fuß" in text, page
        assert 'id="footer_contact"' not in text  # the default footer is gone
        assert '<header class="site-header">' in text  # the rest is the default theme's


def test_a_template_overrides_only_its_pages(tmp_path: Path, run) -> None:
    article = (
        "{% extends 'base.html' %}\n{% block content %}<h1>{{ page.title }}</h1>"
        "<p>Eigene Artikelseite</p>{% endblock %}\n"
    )
    output = build_quietly(bare_site(tmp_path, {"article.html": article}))
    assert "Eigene Artikelseite" in (output / ARTICLE).read_text(encoding="utf-8")
    home = (output / "index.html").read_text(encoding="utf-8")
    assert "Eigene Artikelseite" not in home and "site-footer" in home


def test_a_static_file_overrides_only_itself(tmp_path: Path, run) -> None:
    css = "body { color: #123456; }\n"
    output = build_quietly(bare_site(tmp_path, {"static/style.css": css}))
    assert (output / "static/style.css").read_text(encoding="utf-8") == css
    [fingerprinted] = output.glob("static/style.*.css")
    assert fingerprinted.read_text(encoding="utf-8") == css
    home = (output / "index.html").read_text(encoding="utf-8")
    assert f'href="/static/{fingerprinted.name}"' in home
    default = REPO / "templates/static"
    for name in ("search.js", "filter.js", "logo.svg"):
        assert (output / "static" / name).read_bytes() == (default / name).read_bytes()


def test_a_translation_key_overrides_only_itself(tmp_path: Path, run) -> None:
    output = build_quietly(bare_site(tmp_path, {"i18n/de.yaml": 'skip_link: "Gleich zum Text"\n'}))
    for page in html_pages(output):
        text = page.read_text(encoding="utf-8")
        assert ">Gleich zum Text</a>" in text, page
        assert "Zum Inhalt springen" not in text
    # a key the site does not override: the default theme's "footer_service: Service"
    assert '<h2 id="footer_service">Service</h2>' in (output / ARTICLE).read_text("utf-8")


@pytest.mark.parametrize(
    ("rel", "text", "expected"),
    [
        (
            "partials/footer.html",
            "<footer>\n{{ nope.x }}\n</footer>\n",
            "templates/partials/footer.html:2: error: template error: 'nope' is undefined",
        ),
        (
            "i18n/de.yaml",
            "- keine Tabelle\n",
            "templates/i18n/de.yaml",
        ),
    ],
)
def test_an_error_in_an_override_names_the_sites_file(
    tmp_path: Path, run, rel: str, text: str, expected: str
) -> None:
    site = bare_site(tmp_path, {rel: text})
    result = run("--root", site, "--now", NOW, "--quiet")
    assert result.code == 1
    assert result.err.startswith(expected)


def test_an_error_in_a_default_theme_file_names_it_in_full(tmp_path: Path, run) -> None:
    article = "{% extends 'base.html' %}\n{% block content %}{% include 'partials/card.html' %}{% endblock %}\n"
    result = run("--root", bare_site(tmp_path, {"article.html": article}), "--now", NOW)
    assert result.code == 1
    card = REPO / "templates/partials/card.html"  # the default theme, in the checkout
    assert result.err.startswith(f"{card}:1: error: template error: 'item' is undefined")


def test_the_preview_picks_up_an_override_added_while_serving(tmp_path: Path) -> None:
    site = bare_site(tmp_path)
    builder = Builder(site, lambda: BuildOptions(now=parse_now(NOW)))
    builder.rebuild()
    footer = site / "templates/partials/footer.html"
    footer.parent.mkdir(parents=True)
    footer.write_text(FOOTER, encoding="utf-8")
    result = builder.rebuild([site / "templates", footer.parent, footer])
    pages = html_pages(site / "output")
    assert result.rendered >= len(pages)
    assert all("Unser eigener Fuß" in p.read_text(encoding="utf-8") for p in pages)
    footer.unlink()
    builder.rebuild([footer])
    assert not any("Unser eigener Fuß" in p.read_text(encoding="utf-8") for p in pages)


def test_watch_picks_up_a_templates_folder_made_while_it_runs(tmp_path: Path) -> None:
    """A site made by `init` has no templates/: the first override must not need a restart."""
    site = bare_site(tmp_path)
    live = LiveSite(site, "watch", "--debounce", "300").ready()
    try:
        footer = site / "templates/partials/footer.html"
        footer.parent.mkdir(parents=True)
        footer.write_text(FOOTER, encoding="utf-8")
        assert " rebuilt in " in live.rebuilt()
        home = site / "output/index.html"
        assert "Unser eigener Fuß" in home.read_text(encoding="utf-8")
        footer.write_text(FOOTER.replace("eigener", "neuer"), encoding="utf-8")  # now watched
        assert " rebuilt in " in live.rebuilt()
        assert "Unser neuer Fuß" in home.read_text(encoding="utf-8")
    finally:
        assert live.stop() == 0, live.rest()
