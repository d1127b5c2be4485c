"""An item in several languages, as editors make it: `new --lang` writes the translation beside
its original, and `check` says when one falls behind or lacks an alt text (issue 26)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import NOW, snapshot

ORIGINAL = "content/news/2019-11-04-fachtag-in-goerlitz.md"
ENGLISH = "content/news/2019-11-04-fachtag-in-goerlitz.en.md"


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def body(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("---\n", 2)[2]


@pytest.fixture
def site(fixture_site: Path) -> Path:
    """The fixture site published in German (its main language), English and Ukrainian."""
    with (fixture_site / "config.yaml").open("a", encoding="utf-8") as config:
        config.write("languages: [de, en, uk]\n")
    return fixture_site


def test_new_lang_writes_the_words_to_translate_beside_the_original(site: Path, run) -> None:
    before = (site / ORIGINAL).read_bytes()
    result = run("new", "--lang", "en", ORIGINAL, "--root", site)
    assert result.code == 0, result.err
    assert result.out == f"{site / ENGLISH}\n"  # the path alone, as `new` prints it
    meta = front_matter(site / ENGLISH)
    # The words a translator writes, copied to be translated; a draft until translated.
    assert meta == {"title": "Fachtag in Görlitz: Straßen für alle", "dateline": "Görlitz",
                    "draft": True}  # fmt: skip
    # What the original shares (date, topics, region, contact, aliases) is not copied.
    assert body(site / ENGLISH) == body(site / ORIGINAL)
    assert "# übersetzen" in (site / ENGLISH).read_text(encoding="utf-8")
    assert (site / ORIGINAL).read_bytes() == before


def test_new_lang_translates_an_item_in_its_own_folder(site: Path, run) -> None:
    folder = site / "content/pages/ueber-uns"
    result = run("new", "--lang", "uk", folder, "--root", site)  # the folder stands for index.md
    assert result.code == 0, result.err
    assert sorted(p.name for p in folder.glob("*.md")) == ["index.md", "index.uk.md"]
    meta = front_matter(folder / "index.uk.md")
    assert meta["title"] == front_matter(folder / "index.md")["title"]


@pytest.mark.parametrize(
    ("args", "where", "message"),
    [
        (["fr", ORIGINAL], "--lang",
         "the site is not published in 'fr'; config.yaml's 'languages' lists de, en, uk"),
        (["de", ORIGINAL], "--lang",
         "'de' is the site's main language: the original is written in it"),
        (["en", "content/news/fehlt.md"], "content/news/fehlt.md",
         "no such item: name its .md file"),
        (["en", "config.yaml"], "config.yaml", "not an item: name a .md file below content/"),
    ],
)  # fmt: skip
def test_new_lang_refuses(site: Path, run, args: list[str], where: str, message: str) -> None:
    before = snapshot(site)
    result = run("new", "--lang", *args, "--root", site)
    assert result.code == 1
    assert f"{where}: error: {message}" in result.err
    assert snapshot(site) == before


def test_new_lang_refuses_an_existing_translation_and_a_translation(site: Path, run) -> None:
    assert run("new", "--lang", "en", ORIGINAL, "--root", site).code == 0
    (site / ENGLISH).write_text("---\ntitle: Conference in Görlitz\n---\nMy text.\n", "utf-8")
    before = snapshot(site)
    again = run("new", "--lang", "en", ORIGINAL, "--root", site)
    assert again.code == 1
    assert f"{ENGLISH}: error: already exists; edit it to bring" in again.err
    twice = run("new", "--lang", "uk", ENGLISH, "--root", site)
    assert twice.code == 1
    assert (
        f"{ENGLISH}: error: is a translation itself; name the original, "
        "2019-11-04-fachtag-in-goerlitz.md" in twice.err
    )
    assert snapshot(site) == before


def test_new_lang_on_a_site_in_one_language(fixture_site: Path, run) -> None:
    result = run("new", "--lang", "en", ORIGINAL, "--root", fixture_site)
    assert result.code == 1
    assert "list the languages it is published in in config.yaml first, e.g. " in result.err
    assert "'languages: [de, en]'" in result.err


def test_new_lang_takes_no_title_or_item_options(site: Path, run) -> None:
    result = run("new", "--lang", "en", ORIGINAL, "Titel", "--root", site)
    assert result.code == 2
    assert "with --lang, name only the original's file" in result.err
    assert not (site / ENGLISH).exists()


def test_new_lang_speaks_the_editors_language(site: Path, run, monkeypatch) -> None:
    monkeypatch.setenv("LITFASS_LANG", "de")
    result = run("new", "--lang", "fr", ORIGINAL, "--root", site)
    assert "--lang: Fehler: das Portal erscheint nicht auf 'fr'" in result.err


def test_new_without_lang_still_wants_a_kind_and_title(site: Path, run) -> None:
    unknown = run("new", "nachricht", "Titel", "--root", site)
    assert unknown.code == 2
    assert "'nachricht' is not something `new` writes; choose news, event" in unknown.err
    untitled = run("new", "news", "--root", site, "--now", NOW)
    assert untitled.code == 2
    assert "the title is missing" in untitled.err
