"""Links by file, scheduled publishing and old addresses, as editors use them (issue 8)."""

from __future__ import annotations

import shutil
from pathlib import Path

import lxml.html

from conftest import NOW, write

ARTICLE = "content/news/2019-11-04-fachtag-in-goerlitz.md"


def links_of(site: Path, url: str) -> dict[str, str]:
    """Link text -> href in the body of the page at `url`."""
    page = lxml.html.fromstring((site / "output" / url.lstrip("/") / "index.html").read_bytes())
    return {a.text_content(): a.get("href") for a in page.cssselect(".body a")}


def lands(site: Path, href: str) -> bool:
    target = site / "output" / href.split("#")[0].lstrip("/")
    return (target / "index.html").is_file() or target.is_file()


def test_link_to_a_file_becomes_the_items_address(fixture_site: Path, run) -> None:
    assert run("--root", fixture_site, "--now", NOW).code == 0
    links = links_of(fixture_site, "/aktuelles/fachtag-in-goerlitz/")
    assert links["Kalender"] == "/veranstaltungen/fachtag/"
    assert links["Magazin"] == "/magazin/heft-1/#inhalt"
    assert all(lands(fixture_site, href) for href in links.values())


def test_links_follow_when_the_target_gets_a_new_address(fixture_site: Path, run) -> None:
    event = fixture_site / "content/events/fachtag.md"
    event.write_text(
        event.read_text(encoding="utf-8").replace("---\ntitle:", "---\nslug: fachtag-2019\ntitle:"),
        encoding="utf-8",
    )
    assert run("--root", fixture_site, "--now", NOW).code == 0
    href = links_of(fixture_site, "/aktuelles/fachtag-in-goerlitz/")["Kalender"]
    assert href == "/veranstaltungen/fachtag-2019/"
    assert lands(fixture_site, href)


def test_moving_the_linking_file_keeps_links_from_content_root(fixture_site: Path, run) -> None:
    text = "---\ntitle: Rückblick\ndate: 2020-03-01\n---\nSiehe [Fachtag](/events/fachtag.md).\n"
    old = write(fixture_site, "content/news/rueckblick.md", text)
    assert run("--root", fixture_site, "--now", NOW).code == 0
    before = links_of(fixture_site, "/aktuelles/rueckblick/")["Fachtag"]

    new = fixture_site / "content/news/2020/rueckblick/index.md"
    new.parent.mkdir(parents=True)
    shutil.move(old, new)
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 0 and result.err == ""
    assert links_of(fixture_site, "/aktuelles/rueckblick/")["Fachtag"] == before
    assert lands(fixture_site, before)


def test_moving_the_target_is_reported_at_the_linking_line(fixture_site: Path, run) -> None:
    moved = fixture_site / "content/events/2019/fachtag.md"
    moved.parent.mkdir()
    shutil.move(fixture_site / "content/events/fachtag.md", moved)
    result = run("check", "--root", fixture_site, "--now", NOW)
    assert (
        f"{ARTICLE}:15: warning: link to '../events/fachtag.md': no such content file"
        in result.out.splitlines()
    )
    article = fixture_site / ARTICLE
    article.write_text(
        article.read_text(encoding="utf-8").replace("events/fachtag.md", "events/2019/fachtag.md"),
        encoding="utf-8",
    )
    fixed = run("check", "--root", fixture_site, "--now", NOW)
    assert ARTICLE not in fixed.out
    assert run("--root", fixture_site, "--now", NOW).code == 0
    href = links_of(fixture_site, "/aktuelles/fachtag-in-goerlitz/")["Kalender"]
    assert href == "/veranstaltungen/fachtag/"  # the address comes from the name, not the folder


def test_future_date_publishes_on_the_first_build_at_or_after_it(fixture_site: Path, run) -> None:
    page = fixture_site / "output/aktuelles/zukunft/index.html"
    assert run("--root", fixture_site, "--now", "2029-12-31 23:59").code == 0
    assert not page.exists()
    assert "Meldung aus der Zukunft" not in (fixture_site / "output/index.html").read_text()
    assert run("--root", fixture_site, "--now", "2030-01-01 00:00").code == 0
    assert page.is_file()
    assert "Meldung aus der Zukunft" in (fixture_site / "output/index.html").read_text()


def test_drafts_and_future_preview(fixture_site: Path, run) -> None:
    out = fixture_site / "output/aktuelles"
    assert run("--root", fixture_site, "--now", NOW).code == 0
    assert not (out / "entwurf").exists() and not (out / "zukunft").exists()
    assert run("--root", fixture_site, "--now", NOW, "--drafts", "--future").code == 0
    assert (out / "entwurf/index.html").is_file() and (out / "zukunft/index.html").is_file()


def test_old_address_lands_on_the_article(example_site: Path, run) -> None:
    assert run("--root", example_site, "--now", NOW).code == 0
    out = example_site / "output"
    old = "aktuelles/pressemitteilungen/detail/news/soziale-traeger-als-partner-der-wohnungswirtschaft"
    redirect = lxml.html.fromstring((out / old / "index.html").read_bytes())
    article = "/aktuelles/soziale-traeger-als-partner-der-wohnungswirtschaft/"

    refresh = redirect.cssselect('meta[http-equiv="refresh"]')[0].get("content")
    delay, target = (part.strip() for part in refresh.split(";", 1))
    assert (delay, target) == ("0", f"url={article}")
    canonical = redirect.cssselect('link[rel="canonical"]')[0].get("href")
    assert canonical == f"https://www.paritaet-beispiel.de{article}"
    assert [a.get("href") for a in redirect.cssselect("a")] == [article]
    assert redirect.cssselect('meta[name="robots"]')[0].get("content") == "noindex"

    landed = lxml.html.fromstring((out / article.lstrip("/") / "index.html").read_bytes())
    assert (
        landed.cssselect("main h1")[0].text_content()
        == "Soziale Träger als Partner der Wohnungswirtschaft"
    )
