"""`python build.py new ...` as an editor runs it: a draft that builds once published (issue 8)."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
import yaml

from conftest import NOW
from litfass.cli import COMMANDS, main


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def publish(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count("draft: true") == 1
    path.write_text(text.replace("draft: true", "draft: false"), encoding="utf-8")


def heading(site: Path, url: str) -> str:
    page = site / "output" / url.lstrip("/") / "index.html"
    return lxml.html.fromstring(page.read_bytes()).cssselect("main h1")[0].text_content()


@pytest.mark.parametrize(
    ("args", "rel", "url"),
    [
        (
            ["news", "Fachtag in Görlitz: Straßen für Ältere"],
            "content/news/2026-11-20-fachtag-in-goerlitz-strassen-fuer-aeltere.md",
            "/aktuelles/fachtag-in-goerlitz-strassen-fuer-aeltere/",
        ),
        (
            ["event", "Workshop Inklusion", "--start", "2027-03-12T10:00", "--end",
             "2027-03-12T16:00", "--location", "Volkshaus Görlitz"],
            "content/events/2027-03-12-workshop-inklusion.md",
            "/veranstaltungen/workshop-inklusion/",
        ),
        (
            ["magazine", "anspiel 1/2027: Gut alt werden"],
            "content/magazine/anspiel-1-2027-gut-alt-werden.md",
            "/magazin/anspiel-1-2027-gut-alt-werden/",
        ),
        (["page", "Über den Verband"], "content/pages/ueber-den-verband.md", "/ueber-den-verband/"),
    ],
)  # fmt: skip
def test_new_item_builds_as_is_once_published(
    fixture_site: Path, run, args: list[str], rel: str, url: str
) -> None:
    result = run("new", *args, "--root", fixture_site, "--now", NOW)
    assert result.code == 0, result.err
    path = fixture_site / rel
    assert result.out == f"{path}\n"  # the path, and nothing else, for `$EDITOR $(...)`
    meta = front_matter(path)
    assert meta["title"] == args[1]
    assert meta["draft"] is True

    assert run("--root", fixture_site, "--now", NOW).code == 0
    assert not (fixture_site / "output" / url.lstrip("/")).exists()  # a draft stays hidden

    publish(path)
    built = run("--root", fixture_site, "--now", NOW)
    assert built.code == 0, built.err
    assert built.err == ""
    assert heading(fixture_site, url) == args[1]
    check = run("check", "--root", fixture_site, "--now", NOW)
    assert check.code == 0
    assert rel not in check.out  # nothing to complain about in the new file


def test_news_is_dated_today_by_the_build_clock(fixture_site: Path, run, monkeypatch) -> None:
    monkeypatch.setenv("LITFASS_NOW", "2027-01-05 09:30")
    result = run("new", "news", "Neujahrsempfang 2027", "--root", fixture_site)
    assert result.code == 0, result.err
    path = Path(result.out.strip())
    assert path.name == "2027-01-05-neujahrsempfang-2027.md"
    meta = front_matter(path)
    assert meta["date"] == "2027-01-05 09:30"
    assert meta["slug"] == "neujahrsempfang-2027"
    assert meta["category"] == "Nachricht"


def test_event_fields_are_filled_from_the_options(fixture_site: Path, run) -> None:
    result = run(
        "new", "event", "Aktionstag Ehrenamt", "--start", "15.05.2027", "--root", fixture_site
    )
    assert result.code == 0, result.err
    path = fixture_site / "content/events/2027-05-15-aktionstag-ehrenamt.md"
    meta = front_matter(path)
    assert meta["start"] == "2027-05-15"  # a date alone: an all-day event
    assert "end" not in meta and "location" not in meta  # offered as comments
    assert "# location: {name: Volkshaus Leipzig" in path.read_text(encoding="utf-8")


def test_event_needs_a_start(fixture_site: Path, run) -> None:
    before = sorted((fixture_site / "content/events").iterdir())
    result = run("new", "event", "Fachtag", "--root", fixture_site)
    assert result.code == 1
    assert "--start: error: an event needs its start, e.g. --start 2027-03-12T10:00" in result.err
    assert sorted((fixture_site / "content/events").iterdir()) == before


def test_event_start_is_checked(fixture_site: Path, run) -> None:
    result = run("new", "event", "Fachtag", "--start", "12/03/2027", "--root", fixture_site)
    assert result.code == 1
    assert "--start: error: '12/03/2027' is ambiguous" in result.err


def test_new_never_overwrites(fixture_site: Path, run) -> None:
    args = ("new", "page", "Leichte Sprache", "--root", fixture_site, "--now", NOW)
    assert run(*args).code == 0
    path = fixture_site / "content/pages/leichte-sprache.md"
    path.write_text("---\ntitle: Leichte Sprache\n---\nMein Text.\n", encoding="utf-8")
    again = run(*args)
    assert again.code == 1
    assert again.out == ""
    assert (
        "content/pages/leichte-sprache.md: error: already exists; "
        "`new` never overwrites a file: edit it instead" in again.err
    )
    assert path.read_text(encoding="utf-8").endswith("Mein Text.\n")


def test_new_refuses_an_address_another_item_has(fixture_site: Path, run) -> None:
    result = run("new", "news", "Fachtag in Görlitz", "--root", fixture_site, "--now", NOW)
    assert result.code == 1
    assert (
        "content/news/2019-11-04-fachtag-in-goerlitz.md: error: already has the address "
        "/aktuelles/fachtag-in-goerlitz/; give the new item another title or --slug, "
        "e.g. --slug fachtag-in-goerlitz-2026" in result.err
    )
    assert not (fixture_site / "content/news/2026-11-20-fachtag-in-goerlitz.md").exists()
    other = run(
        "new", "news", "Fachtag in Görlitz", "--slug", "fachtag-in-goerlitz-2026",
        "--root", fixture_site, "--now", NOW,
    )  # fmt: skip
    assert other.code == 0, other.err
    assert front_matter(Path(other.out.strip()))["slug"] == "fachtag-in-goerlitz-2026"


def test_event_options_are_for_events_only(fixture_site: Path, run) -> None:
    result = run("new", "news", "X", "--start", "2027-01-01", "--root", fixture_site)
    assert result.code == 2
    assert "for events only" in result.err


def test_titles_with_quotes_survive(fixture_site: Path, run) -> None:
    title = 'Kampagne "Wohnen ist Menschenrecht": Start # 1'
    result = run("new", "news", title, "--root", fixture_site, "--now", NOW)
    assert result.code == 0, result.err
    assert front_matter(Path(result.out.strip()))["title"] == title


def command_names() -> list[str]:
    """Every subcommand as an editor types it (the module `importing` registers `import`)."""
    import argparse

    commands = argparse.ArgumentParser().add_subparsers()
    for module in COMMANDS:
        module.register(commands)
    return sorted(commands.choices)


@pytest.mark.parametrize("command", command_names())
def test_every_command_has_help_with_portal_examples(command: str, capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    assert "examples:" in text
    assert "python build.py" in text


def test_new_help_shows_a_german_portal_example(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["new", "--help"])
    assert 'python build.py new news "Fachtag in Görlitz"' in capsys.readouterr().out


@pytest.mark.parametrize("summary", [None, '""'])
def test_without_a_summary_the_first_paragraph_is_shown_once(
    fixture_site: Path, run, summary: str | None
) -> None:
    """Issue 15, point 4: the list shows the first paragraph; the page shows it once."""
    line = f"summary: {summary}\n" if summary else ""
    (fixture_site / "content/news/2026-11-19-ohne.md").write_text(
        f"---\ntitle: Ohne Vorspann\ndate: 2026-11-19\ndateline: Leipzig\n{line}---\n"
        "Der erste Absatz steht nur einmal da.\n\nDer zweite auch.\n",
        encoding="utf-8",
    )
    assert run("--root", fixture_site, "--now", NOW, "--quiet").code == 0
    page = (fixture_site / "output/aktuelles/ohne/index.html").read_text(encoding="utf-8")
    main = lxml.html.fromstring(page).cssselect("main")[0].text_content()
    assert main.count("Der erste Absatz steht nur einmal da.") == 1
    assert "(Leipzig)" in main  # the dateline stays
    listing = (fixture_site / "output/aktuelles/index.html").read_text(encoding="utf-8")
    assert "Der erste Absatz steht nur einmal da." in listing  # the card's teaser


@pytest.mark.parametrize("kind", ["news", "magazine", "page"])
def test_new_writes_no_empty_summary(fixture_site: Path, run, kind: str) -> None:
    result = run("new", kind, "Ohne Vorspann", "--root", fixture_site, "--now", NOW)
    assert result.code == 0
    meta = front_matter(Path(result.out.strip()))
    assert "summary" not in meta
    assert "# summary:" in Path(result.out.strip()).read_text(encoding="utf-8")  # as a hint


def test_new_with_an_image_makes_a_folder_that_builds_with_it(
    fixture_site: Path, tmp_path: Path, run
) -> None:
    """Issue 15, point 8: the picture lands in the item's folder and on its page."""
    from PIL import Image

    photo = tmp_path / "Sommerfest Foto.JPG"
    Image.new("RGB", (64, 48), (30, 120, 200)).save(photo, "JPEG")
    result = run(
        "new", "news", "Sommerfest in Leipzig", "--image", photo, "--root", fixture_site,
        "--now", NOW,
    )  # fmt: skip
    assert result.code == 0, result.err
    path = fixture_site / "content/news/2026-11-20-sommerfest-in-leipzig/index.md"
    assert result.out == f"{path}\n"
    assert (path.parent / "sommerfest-foto.jpg").read_bytes() == photo.read_bytes()
    meta = front_matter(path)
    assert meta["image"] == "sommerfest-foto.jpg" and meta["image_alt"] == ""
    # The empty alt text is the one thing `check` asks for.
    check = run("check", "--root", fixture_site, "--now", NOW, "--drafts")
    assert "'image' has no 'image_alt'" in check.out + check.err

    text = path.read_text(encoding="utf-8").replace('image_alt: ""', "image_alt: Festgäste")
    path.write_text(text.replace("draft: true", "draft: false"), encoding="utf-8")
    assert run("--root", fixture_site, "--now", NOW, "--quiet").code == 0
    page = fixture_site / "output/aktuelles/sommerfest-in-leipzig/index.html"
    images = lxml.html.fromstring(page.read_bytes()).cssselect("main img")
    assert any(img.get("alt") == "Festgäste" for img in images)


@pytest.mark.parametrize("kind", ["news", "magazine", "page"])
def test_new_folder_makes_the_bundle(fixture_site: Path, run, kind: str) -> None:
    result = run("new", kind, "Mit Ordner", "--folder", "--root", fixture_site, "--now", NOW)
    assert result.code == 0, result.err
    path = Path(result.out.strip())
    assert path.name == "index.md" and path.parent.name.endswith("mit-ordner")
    if kind == "magazine":
        assert "Titelbild im Ordner des Hefts" in path.read_text(encoding="utf-8")
    again = run("new", kind, "Mit Ordner", "--root", fixture_site, "--now", NOW)
    assert again.code == 1  # a file beside the folder would claim the same address


def test_new_image_that_does_not_exist(fixture_site: Path, run) -> None:
    result = run(
        "new", "news", "Ohne Bild", "--image", "fehlt.jpg", "--root", fixture_site, "--now", NOW
    )
    assert result.code == 1
    assert "--image: error: no such image file: fehlt.jpg" in result.err
