"""`import wordpress` with exports as WordPress and WordPress.com write them (issue: moving in
for real): every WXR version and namespace spelling, the block editor's markup, pages,
attachments, password-protected, private and trashed posts; each import followed by a build.

tests/fixtures/import/wordpress-com.xml is shaped like a WordPress.com export: `https://`
namespaces, <wp:base_site_url> naming wordpress.com itself, uploads on files.wordpress.com.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import lxml.html
import pytest
import yaml
from test_import import UPLOADS, Imported, front, import_into

from conftest import FIXTURE, NOW, TESTS, build, copy_site, invoke, snapshot
from litfass.importers.items import Item
from litfass.importers.writer import ContentWriter

COM = TESTS / "fixtures" / "import" / "wordpress-com.xml"
BLOG = "https://paritaetbeispiel.wordpress.com"
POST = "content/news/2021-05-10-ehrenamt-staerkt-nachbarschaft/index.md"
PASSWORD_POST = "content/news/2021-06-01-protokoll-mitgliederversammlung.md"
PRIVATE_POST = "content/news/2021-06-02-notizen-fuer-den-vorstand.md"


def variant(tmp_path: Path, version: str, scheme: str) -> Path:
    """The fixture export as another WXR version and namespace spelling wrote it.

    WXR 1.0 (WordPress 3.0) has no <wp:base_site_url> nor <wp:base_blog_url>: the
    channel's <link> names the site.
    """
    text = COM.read_text(encoding="utf-8")
    text = text.replace(
        "https://wordpress.org/export/1.2/", f"{scheme}://wordpress.org/export/{version}/"
    )
    text = text.replace("<wp:wxr_version>1.2<", f"<wp:wxr_version>{version}<")
    if version == "1.0":
        text = "\n".join(line for line in text.split("\n") if "<wp:base_" not in line)
    path = tmp_path / f"export-{version}-{scheme}.xml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_every_wxr_version_and_namespace_spelling_imports_and_builds(
    tmp_path: Path, version: str, scheme: str
) -> None:
    site = copy_site(FIXTURE, tmp_path / "site")
    done = import_into(site, "wordpress", variant(tmp_path, version, scheme), "--uploads", UPLOADS)
    assert done.code == 0, done.out + done.err
    assert "imported 7 items: 4 news, 3 pages" in done.err
    assert "files copied: 4, files missing: 0" in done.err
    meta, body = front(site, POST)
    assert meta["summary"] == "Über 40 Ehrenamtliche helfen in der Nachbarschaft."  # excerpt:
    assert "](/2021/" not in body and f"{BLOG}" not in body  # links into the blog: paths
    build(site, "--quiet")
    assert (site / "output/aktuelles/ehrenamt-staerkt-nachbarschaft/index.html").is_file()


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    """The WordPress.com export imported into a site that allows HTML in Markdown, and built."""
    site = copy_site(FIXTURE, tmp_path_factory.mktemp("com") / "site")
    config = site / "config.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "markdown: {allow_html: true}\n", "utf-8"
    )
    done = import_into(site, "wordpress", COM, "--uploads", UPLOADS)
    assert done.code == 0, done.out + done.err
    build(site, "--quiet")
    return done


def test_block_editor_markup_becomes_markdown_with_its_files(imported: Imported) -> None:
    meta, body = front(imported.site, POST)
    assert "<!--" not in body and "wp:" not in body
    assert (meta["image"], meta["image_alt"]) == (
        "fachtag.jpg",
        "Ehrenamtliche beim Treffen im Volkshaus",
    )
    assert "## So helfen Sie mit" in body
    assert "- Einkaufshilfe für Ältere\n- Lesepatenschaften in der Kita" in body
    assert "> Man bekommt so viel zurück." in body
    # The gallery's images, WordPress.com's `?w=768` and WordPress's `-300x200` sizes as the
    # full-size files, copied once each.
    assert "![Ehrenamtliche beim Treffen im Volkshaus](fachtag.jpg)" in body
    assert "![Das Haus der Begegnung](haus.jpg)" in body
    assert "<https://www.youtube.com/watch?v=aqz-KE-bpKQ>" in body  # the embed, as a link
    assert "[Anmeldebogen](einladung.pdf)" in body  # the file block
    assert "[Jetzt mitmachen](/mitmachen/)" in body  # a button
    folder = (imported.site / POST).parent
    assert sorted(p.name for p in folder.iterdir()) == [
        "einladung.pdf",
        "fachtag.jpg",
        "haus.jpg",
        "index.md",
    ]
    assert (folder / "fachtag.jpg").read_bytes() == (UPLOADS / "2019/11/fachtag.jpg").read_bytes()
    page = lxml.html.fromstring(
        (imported.site / "output/aktuelles/ehrenamt-staerkt-nachbarschaft/index.html").read_bytes()
    )
    assert page.cssselect("main h2")[0].text_content().strip() == "So helfen Sie mit"
    names = " ".join(img.get("src", "").rsplit("/", 1)[-1] for img in page.cssselect("main img"))
    assert "fachtag-" in names and "haus-" in names  # resized by the build, as its own


def test_pages_keep_their_parents_and_the_aliases_are_one_address_each(
    imported: Imported,
) -> None:
    # The site has a page /ueber-uns/ of its own: the import's takes the next free name.
    meta, _ = front(imported.site, "content/pages/ueber-uns-2/index.md")
    assert meta["title"] == "Über uns" and meta["menu"] == 1
    assert (imported.site / "content/pages/ueber-uns-2/team.md").is_file()
    # Its permalink /rss-2/ and its guid /rss-2 are one address to the build: written once.
    meta, _ = front(imported.site, "content/pages/feeds-abonnieren.md")
    assert meta["aliases"] == ["/rss-2/", "/?p=112", "/?page_id=112"]
    output = imported.site / "output"
    redirect = lxml.html.fromstring((output / "rss-2/index.html").read_bytes())
    assert redirect.cssselect('link[rel="canonical"]')[0].get("href").endswith("/feeds-abonnieren/")


def test_password_protected_private_and_trashed_posts_never_become_public(
    imported: Imported,
) -> None:
    for rel in (PASSWORD_POST, PRIVATE_POST):
        meta, _ = front(imported.site, rel)
        assert meta["draft"] is True, rel
    report = imported.out.split(f"{PASSWORD_POST}: was ", 1)[1]
    assert report.startswith(
        f"{BLOG}/2021/06/01/protokoll-mitgliederversammlung/\n"
        "  password-protected in WordPress: imported as a draft, the password left behind\n"
    )
    assert f"{PRIVATE_POST}: was {BLOG}/?p=103\n  private in WordPress: imported as a draft\n" in (
        imported.out
    )
    assert "password-protected or private, imported as drafts: 2" in imported.err
    # The trashed post is left out and listed with its old address.
    assert (
        f"{BLOG}/?p=104: not imported: 'Alter Aufruf mit falscher Telefonnummer' is in "
        "WordPress's trash\n" in imported.out
    )
    assert "in WordPress's trash, not imported: 1" in imported.err
    content = snapshot(imported.site / "content")
    assert not any(b"mitglieder2021" in data for data in content.values())  # the password
    assert not any(b"Alter Aufruf" in data for data in content.values())
    published = b"".join(
        p.read_bytes() for p in (imported.site / "output").rglob("*") if p.is_file()
    )
    for secret in ("Protokoll der Mitgliederversammlung", "Notizen für den Vorstand",
                   "Haushaltsplanung", "Beschlüsse im Wortlaut", "Alter Aufruf"):  # fmt: skip
        assert secret.encode() not in published, secret


def test_escaped_markup_and_plain_javascript_stay_text_where_html_is_allowed(
    imported: Imported,
) -> None:
    output = imported.site / "output"
    for path in output.rglob("*.html"):
        for element in lxml.html.fromstring(path.read_bytes()).iter():
            if not isinstance(element.tag, str):
                continue
            for name, value in element.attrib.items():
                assert not name.lower().startswith("on"), (path, name)
                if name in ("href", "src", "action", "formaction", "srcset"):
                    assert "javascript:" not in value.lower().replace(" ", ""), (path, value)
    page = lxml.html.fromstring(
        (output / "aktuelles/ehrenamt-staerkt-nachbarschaft/index.html").read_bytes()
    )
    text = page.cssselect("main")[0].text_content()
    # What readers saw as text is text still.
    assert "<img src=x onerror=alert(1)>" in text
    assert "[hier klicken](javascript:alert(2))" in text
    assert not page.cssselect("main img[onerror]") and "ein Link" in text


def test_an_export_in_which_nothing_is_recognised_is_an_error_in_german(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LITFASS_LANG", "de")
    site = copy_site(FIXTURE, tmp_path / "site")
    export = tmp_path / "export.xml"
    export.write_text(
        COM.read_text(encoding="utf-8").replace(
            "https://wordpress.org/export/1.2/", "https://example.org/wxr/"
        ),
        "utf-8",
    )
    before = snapshot(site)
    done = import_into(site, "wordpress", export)
    assert done.code == 1
    assert done.err.startswith(
        f"{export}: Fehler: keine WordPress-Exportdatei: keiner ihrer 12 Einträge hat Felder "
        "im Namensraum von WordPress (http oder https://wordpress.org/export/1.0/ bis 1.2/); "
        "gefundene Namensräume: http://purl.org/dc/elements/1.1/, "
        "http://purl.org/rss/1.0/modules/content/, https://example.org/wxr/, "
        "https://example.org/wxr/excerpt/\n"
    ), done.err
    assert snapshot(site) == before


def test_an_item_deleted_on_the_site_is_not_imported_again(tmp_path: Path) -> None:
    site = copy_site(FIXTURE, tmp_path / "site")
    assert import_into(site, "wordpress", COM, "--uploads", UPLOADS).code == 0
    # Built as of today: the build records every public address in addresses.yaml.
    assert invoke("--root", site, "--quiet").code == 0
    shutil.rmtree((site / POST).parent)  # an editor deletes the item …
    assert invoke("--root", site, "--quiet").code == 0  # … and the build marks it gone
    record = yaml.safe_load((site / "addresses.yaml").read_text(encoding="utf-8"))
    assert record["/aktuelles/ehrenamt-staerkt-nachbarschaft/"]["gone"]
    before = snapshot(site / "content")
    again = import_into(site, "wordpress", COM, "--uploads", UPLOADS)
    assert again.code == 0, again.out + again.err
    assert snapshot(site / "content") == before
    assert (
        f"{BLOG}/2021/05/10/ehrenamt-staerkt-nachbarschaft/: not imported again: its address "
        "/aktuelles/ehrenamt-staerkt-nachbarschaft/ was deleted on this site "
        "(--restore-deleted brings it back)\n" in again.out
    )
    assert "deleted on this site, not imported again: 1" in again.err
    # Brought back on purpose, it is public again under its address.
    restored = import_into(site, "wordpress", COM, "--uploads", UPLOADS, "--restore-deleted")
    assert restored.code == 0, restored.out + restored.err
    assert "imported 1 items: 1 news, 0 pages" in restored.err
    assert (site / POST).is_file()
    assert invoke("--root", site, "--quiet").code == 0
    assert (site / "output/aktuelles/ehrenamt-staerkt-nachbarschaft/index.html").is_file()


def test_a_site_that_does_not_build_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    site = copy_site(FIXTURE, tmp_path / "site")
    broken = site / "content/news/kaputt.md"
    broken.write_text("---\ntitle: Kaputt\ndate: 2026-13-45\n---\nText.\n", "utf-8")
    before = snapshot(site)
    done = import_into(site, "wordpress", COM, "--uploads", UPLOADS)
    assert done.code == 1
    assert "content/news/kaputt.md:3: error: " in done.err
    assert "content: error: the site does not build as it is: fix the errors above" in done.err
    assert snapshot(site) == before


def test_an_import_after_which_the_site_would_not_build_is_taken_back(tmp_path: Path) -> None:
    site = copy_site(FIXTURE, tmp_path / "site")
    export = tmp_path / "export.xml"
    # An old address below a file the new site publishes: its redirect page would need
    # /robots.txt as a folder. Only the build's own check sees that.
    export.write_text(
        COM.read_text(encoding="utf-8").replace(
            f"<link>{BLOG}/2021/05/10/ehrenamt-staerkt-nachbarschaft/</link>",
            f"<link>{BLOG}/robots.txt/ehrenamt/</link>",
        ),
        "utf-8",
    )
    before = snapshot(site)
    done = import_into(site, "wordpress", export, "--uploads", UPLOADS)
    assert done.code == 1, done.out + done.err
    assert "robots.txt" in done.err
    assert "the site would not build with the import: nothing was imported" in done.err
    assert snapshot(site) == before
    build(site, "--quiet")


def test_a_page_named_like_an_address_of_the_site_gets_the_next_free_one(
    tmp_path: Path,
) -> None:
    site = copy_site(FIXTURE, tmp_path / "site")
    export = tmp_path / "export.xml"
    export.write_text(
        COM.read_text(encoding="utf-8").replace(
            "<wp:post_name><![CDATA[feeds-abonnieren]]>", "<wp:post_name><![CDATA[aktuelles]]>"
        ),
        "utf-8",
    )
    done = import_into(site, "wordpress", export, "--uploads", UPLOADS)
    assert done.code == 0, done.out + done.err
    assert (site / "content/pages/aktuelles-2.md").is_file()
    build(site, "--quiet")


def test_aliases_are_kept_once_as_the_build_compares_them(fixture_site: Path) -> None:
    from litfass.commands.common import parse_now
    from litfass.config import load_config

    config, _ = load_config(fixture_site)
    writer = ContentWriter(config, parse_now(NOW, config.timezone))
    item = Item(
        kind="page",
        title="Alt",
        old_url="https://alt.example.org/Alt-Seite/",
        body="Text.\n",
        slug="alt-seite-neu",
        aliases=("/Alt-Seite/", "/alt-seite", "/alt-seite/", "/?p=3", "/aktuelles/"),
    )
    outcome = writer.write(item)
    assert outcome.aliases == ("/Alt-Seite/", "/?p=3")  # /aktuelles/ is the site's own
    assert invoke("--root", fixture_site, "--now", NOW, "--quiet").code == 0
