"""An item in several languages, as editors make it: `new --lang` writes the translation beside
its original, and `check` says when one falls behind or lacks an alt text (issue 26)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from PIL import Image

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


def write(path: Path, text: str, modified: float | None = None) -> None:
    path.write_text(text, encoding="utf-8")
    if modified is not None:
        os.utime(path, (modified, modified))


DAY = 24 * 3600
WHEN = 1_790_000_000  # a moment in 2026, for the files' modification times
TRANSLATION = "---\ntitle: Conference in Görlitz\n{extra}---\nThe federation invites.\n"


def test_check_warns_of_a_translation_older_than_its_original_file(site: Path, run) -> None:
    write(site / ENGLISH, TRANSLATION.format(extra=""), WHEN)
    os.utime(site / ORIGINAL, (WHEN + 3 * DAY + 60, WHEN + 3 * DAY + 60))
    result = run("check", "--root", site, "--now", NOW)
    assert (
        f"{ENGLISH}:2: warning: the original {ORIGINAL} was changed 3 days after this "
        "translation; bring the translation up to date" in result.out
    )
    os.utime(site / ORIGINAL, (WHEN + 30, WHEN + 30))  # saved together: one version
    assert ENGLISH not in run("check", "--root", site, "--now", NOW).out
    os.utime(site / ORIGINAL, (WHEN - DAY, WHEN - DAY))  # translated after the change
    assert ENGLISH not in run("check", "--root", site, "--now", NOW).out


def test_check_compares_updated_where_both_files_say_it(site: Path, run) -> None:
    original = (site / ORIGINAL).read_text(encoding="utf-8")
    write(site / ORIGINAL, original.replace("date: ", 'updated: "2019-11-20 09:00"\ndate: '))
    write(site / ENGLISH, TRANSLATION.format(extra="updated: 2019-11-08\n"), WHEN + DAY)
    result = run("check", "--root", site, "--now", NOW)
    assert (
        f"{ENGLISH}:3: warning: the original {ORIGINAL} is newer than this translation "
        "(2019-11-20 against 2019-11-08), by 12 days; bring the translation up to date, "
        "then set its 'updated:'" in result.out
    )
    # Brought up to date: its `updated:` says so, whatever the files' times.
    write(site / ENGLISH, TRANSLATION.format(extra="updated: 2019-11-21\n"), WHEN - DAY)
    assert ENGLISH not in run("check", "--root", site, "--now", NOW).out


def test_check_warns_of_alt_texts_the_translation_lacks(site: Path, run) -> None:
    folder = site / "content/pages/ueber-uns"
    Image.new("RGB", (64, 48), "teal").save(folder / "team.jpg")
    original = (folder / "index.md").read_text(encoding="utf-8")
    write(folder / "index.md", original.replace("menu: 1\n", "menu: 1\nimage: team.jpg\n"
                                                "image_alt: Das Team vor dem Haus\n"))  # fmt: skip
    ukrainian = "---\ntitle: Про нас\n---\nНаша команда: ![](team.txt)\n"
    write(folder / "index.uk.md", ukrainian, (folder / "index.md").stat().st_mtime)
    result = run("check", "--root", site, "--now", NOW)
    rel = "content/pages/ueber-uns/index.uk.md"
    assert (
        f"{rel}:2: warning: the image has no alt text in this translation; the original says "
        "'Das Team vor dem Haus': add 'image_alt:' in Українська (uk)" in result.out
    )
    assert (
        f"{rel}:4: warning: image 'team.txt' has no alt text in this translation; the "
        "original says 'Gruppenfoto des Teams': write it in Українська (uk)" in result.out
    )
    said = ukrainian.replace("---\nН", "image_alt: Команда\n---\nН").replace("![]", "![Фото]")
    write(folder / "index.uk.md", said, (folder / "index.md").stat().st_mtime)
    assert rel not in run("check", "--root", site, "--now", NOW).out


def test_check_speaks_the_editors_language_not_the_pages(site: Path, run, monkeypatch) -> None:
    monkeypatch.delenv("LITFASS_LANG")  # the site's main language, German, as an editor has it
    write(site / ENGLISH, TRANSLATION.format(extra=""), WHEN)
    os.utime(site / ORIGINAL, (WHEN + 2 * DAY, WHEN + 2 * DAY))
    result = run("check", "--root", site, "--now", NOW)
    assert (
        f"{ENGLISH}:2: Warnung: das Original {ORIGINAL} wurde 2 Tage nach dieser Übersetzung "
        "geändert; bringen Sie die Übersetzung auf den neuesten Stand" in result.out
    )
