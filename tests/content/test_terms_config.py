"""Fixed lists of topics and regions in config.yaml (issue 15, point 5): a misspelt one is a
warning naming the closest, and each listing page shows its description and image.
"""

from __future__ import annotations

from pathlib import Path

import lxml.html
from PIL import Image

from conftest import NOW
from litfass.config import read_settings
from litfass.content.files import find_files
from litfass.content.model import Term
from litfass.content.reader import read_files

TERMS = """
topics:
  Pflege: {description: "Gute Pflege braucht Zeit.", image: /themen/pflege.png}
  Wohnen: {description: "Bezahlbar wohnen."}
  Ehrenamt:
regions: [Leipzig, Görlitz]
"""


def with_terms(site: Path) -> Path:
    config = site / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + TERMS, encoding="utf-8")
    (site / "content/themen").mkdir()
    Image.new("RGB", (40, 30), (200, 80, 40)).save(site / "content/themen/pflege.png")
    return site


def typo(site: Path, old: str, new: str) -> None:
    path = site / "content/news/2021-05-01-pflege.md"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_a_misspelt_topic_names_the_closest(fixture_site: Path, run) -> None:
    with_terms(fixture_site)
    typo(fixture_site, "tags: [Pflege]", "tags: [Plege]")
    result = run("check", "--root", fixture_site, "--now", NOW)
    expected = (
        "content/news/2021-05-01-pflege.md:4: warning: unknown topic 'Plege'; "
        "did you mean 'Pflege'? (topics in config.yaml)"
    )
    assert expected in result.out + result.err
    built = run("--root", fixture_site, "--now", NOW, "--strict")
    assert built.code == 1  # a warning: --strict refuses to publish /themen/plege/


def test_a_misspelt_region_and_an_unknown_one(fixture_site: Path, run) -> None:
    with_terms(fixture_site)
    typo(fixture_site, "region: Leipzig", "region: Leipzg")
    result = run("check", "--root", fixture_site, "--now", NOW)
    assert "unknown region 'Leipzg'; did you mean 'Leipzig'?" in result.out + result.err
    typo(fixture_site, "region: Leipzg", "region: Bautzen")
    result = run("check", "--root", fixture_site, "--now", NOW)
    assert "unknown region 'Bautzen'; add it to 'regions' in config.yaml" in result.out + result.err


def test_the_spelling_of_the_list_wins(fixture_site: Path, run) -> None:
    with_terms(fixture_site)
    typo(fixture_site, "tags: [Pflege]", "tags: [pflege]")
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 0 and "warning" not in result.out + result.err
    page = (fixture_site / "output/themen/pflege/index.html").read_bytes()
    assert lxml.html.fromstring(page).findtext(".//h1").strip().endswith("Pflege")


def test_the_topic_page_shows_description_and_image(fixture_site: Path, run) -> None:
    with_terms(fixture_site)
    assert run("--root", fixture_site, "--now", NOW, "--quiet").code == 0
    root = lxml.html.fromstring((fixture_site / "output/themen/pflege/index.html").read_bytes())
    assert root.cssselect(".term-description")[0].text == "Gute Pflege braucht Zeit."
    (image,) = root.cssselect("img.term-image")
    assert image.get("src") == "/themen/pflege.png"
    assert (fixture_site / "output/themen/pflege.png").is_file()


def test_without_lists_any_name_is_a_topic(fixture_site: Path, run) -> None:
    typo(fixture_site, "tags: [Pflege]", "tags: [Plege]")
    result = run("--root", fixture_site, "--now", NOW, "--strict")
    assert result.code == 0
    assert (fixture_site / "output/themen/plege/index.html").is_file()


def test_a_broken_list_is_an_error_at_its_line(fixture_site: Path, run) -> None:
    config = fixture_site / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "topics: Pflege\n", encoding="utf-8")
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 1
    assert (
        "config.yaml:15: error: 'topics' must be a list of names, or names each with "
        "description and image" in result.err
    )


def test_pages_with_the_same_topic_hold_one_term(example_site: Path) -> None:
    """A topic or region is one object for all the pages read with it (in one process, and
    so in one chunk a worker sends back): at 40,000 items, a copy a page was 116,000
    objects and some 15 MB of the build's largest process."""
    config, _ = read_settings(example_site).loaded()
    files, _problems = find_files(config)
    pages = [read.page for read in read_files(config, files.markdown, workers=1) if read.page]
    held: dict[Term, list[Term]] = {}
    for page in pages:
        for term in (*page.tags, *([page.region] if page.region else [])):
            held.setdefault(term, []).append(term)
    shared = [terms for terms in held.values() if len(terms) > 1]
    assert len(shared) >= 3  # the example portal's topics and regions recur
    assert all(all(term is terms[0] for term in terms) for terms in shared)
