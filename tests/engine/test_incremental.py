"""Incremental rebuilds give exactly the site a full build gives, redoing only what changed.

After every kind of edit, output/ is compared byte for byte with a fresh `python build.py`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURE, NOW, full_build, snapshot
from litfass.commands.common import parse_now
from litfass.config import Config, load_config
from litfass.content.model import EVENT, NEWS, EventInfo, Page, Term, pack
from litfass.engine.builder import Builder
from litfass.errors import LitfassError
from litfass.site import BuildOptions, assemble, reassemble

OPTIONS = BuildOptions(now=parse_now(NOW))


def append(rel: str, text: str) -> Callable[[Path], list[Path]]:
    def change(site: Path) -> list[Path]:
        path = site / rel
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
        return [path]

    return change


def replace(rel: str, old: str, new: str) -> Callable[[Path], list[Path]]:
    def change(site: Path) -> list[Path]:
        path = site / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new), encoding="utf-8")
        return [path]

    return change


def rename(old: str, new: str) -> Callable[[Path], list[Path]]:
    def change(site: Path) -> list[Path]:
        (site / old).rename(site / new)
        return [site / old, site / new]

    return change


def saving(rel: str, text: str) -> Callable[[Path], list[Path]]:
    def change(site: Path) -> list[Path]:
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, encoding="utf-8")
        return [site / rel]

    return change


def delete(rel: str) -> Callable[[Path], list[Path]]:
    def change(site: Path) -> list[Path]:
        (site / rel).unlink()
        return [site / rel]

    return change


NEUJAHR = "content/news/2020-01-10-neujahr.md"
EDITS = {
    "body": append(NEUJAHR, "\nMehr Text.\n"),
    "title": replace(NEUJAHR, "title: Neujahrsempfang", "title: Neujahrsfest"),
    "tags": replace(NEUJAHR, "tags: Ehrenamt", "tags: [Ehrenamt, Pflege, Neues Thema]"),
    "date": replace(NEUJAHR, "date: 10.01.2020", "date: 12.03.2022"),
    "new": saving(
        "content/news/2021-02-02-neu.md",
        "---\ntitle: Neu\ndate: 2021-02-02\ntags: Pflege\n---\n[Link](2021-05-01-pflege.md)\n",
    ),
    "link-target-renamed": rename(
        "content/news/2021-05-01-pflege.md", "content/news/2021-05-01-pflege-neu.md"
    ),
    "delete": delete("content/news/2019-11-04-fachtag-in-goerlitz.md"),
    "record": saving(
        "addresses.yaml",
        '"/aktuelles/pflege-alt/": {file: "news/2021-05-01-pflege-neu.md", since: 2021-05-01, '
        'urls: ["/aktuelles/pflege-alt/", "/aktuelles/pflege-neu/"]}\n'
        '"/aktuelles/weg/": {file: "news/weg.md", since: 2020-01-01, urls: ["/aktuelles/weg/"], '
        "gone: 2026-11-01}\n",
    ),
    "press": replace(
        NEUJAHR, "title: Neujahrsfest", "title: Neujahrsfest\ncategory: Pressemitteilung"
    ),
    "event-status": replace(
        "content/events/sommerfest.md",
        "title: Sommerfest 2027",
        "title: Sommerfest 2027\nstatus: abgesagt",
    ),
    "asset-added": saving("content/pages/ueber-uns/plan.txt", "Plan"),
    "svg-added": saving(
        "content/pages/ueber-uns/plan.svg",
        '<svg xmlns="http://www.w3.org/2000/svg"><!-- Entwurf --><rect width="4" height="4"/></svg>',
    ),
    "svg-edited": saving(
        "content/pages/ueber-uns/plan.svg",
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:sodipodi="http://sodipodi.sourceforge.net/'
        'DTD/sodipodi-0.dtd" sodipodi:docname="/home/anna/plan.svg"><circle r="2" onclick="x()"/>'
        "</svg>",
    ),
    "asset-removed": delete("content/pages/ueber-uns/team.txt"),
    "loose-file": saving("content/downloads/intern.txt", "Intern"),
    "draft-links-file": append("content/news/entwurf.md", "\n[Intern](../downloads/intern.txt)\n"),
    "links-to-draft": append(NEUJAHR, "\n[Bald](entwurf.md), [getippt](/aktuelles/entwurf/)\n"),
    "draft-published": replace("content/news/entwurf.md", "draft: true", "draft: false"),
    "draft-withdrawn": replace("content/news/entwurf.md", "draft: false", "draft: true"),
    "document-added": saving("content/pages/ueber-uns/satzung.pdf", "%PDF" + "0" * 5000),
    "document-linked": append("content/pages/ueber-uns/index.md", "\n[Satzung](satzung.pdf)\n"),
    "document-grown": saving("content/pages/ueber-uns/satzung.pdf", "%PDF" + "0" * 2_500_000),
    "static-page-title": replace("content/pages/impressum.md", "title:", "title: Neues"),
    "event": append("content/events/fachtag.md", "\nAnmeldung bald.\n"),
    "template": replace("templates/partials/card.html", "<h3>", '<h3 class="card-title">'),
    "i18n": replace("templates/i18n/de.yaml", 'draft_label: "Entwurf"', 'draft_label: "E"'),
    "static-file": append("templates/static/style.css", "\n.x { color: red; }\n"),
    "config": replace("config.yaml", "page_size: 2", "page_size: 3"),
    "item-folder-left": delete("content/pages/ueber-uns/index.md"),  # its files stay
    "item-folder-back": saving(
        "content/pages/ueber-uns/index.md", "---\ntitle: Über uns\n---\n[Satzung](satzung.pdf)\n"
    ),
    # A site in several languages (issue 26): translations beside their originals.
    "languages": replace("config.yaml", "language: de\n", "languages: [de, en, ar]\n"),
    "translation-added": saving(
        "content/news/2020-01-10-neujahr.en.md", "---\ntitle: New year\n---\nThank you.\n"
    ),
    "translation-edited": replace(
        "content/news/2020-01-10-neujahr.en.md", "title: New year", "title: New year's party"
    ),
    "original-body": append(NEUJAHR, "\nNoch mehr Text.\n"),  # swapped into its language
    "original-edited": replace(NEUJAHR, "tags: [Ehrenamt,", "tags: [Wohnen, Ehrenamt,"),
    "translation-of-a-folder": saving(
        "content/pages/ueber-uns/index.ar.md", "---\ntitle: من نحن\n---\n[Satzung](satzung.pdf)\n"
    ),
    "translation-only": saving(
        "content/events/nur-englisch.en.md",
        "---\ntitle: Only in English\nstart: 2026-12-01 10:00\n---\nText.\n",
    ),
    "original-drafted": replace(NEUJAHR, "title: Neujahrsfest", "title: Neujahrsfest\ndraft: true"),
    "original-published": replace(NEUJAHR, "\ndraft: true", ""),
    "translation-slug": replace(
        "content/news/2020-01-10-neujahr.en.md", "title:", "slug: new-year\ntitle:"
    ),
    "translation-removed": delete("content/news/2020-01-10-neujahr.en.md"),
    "nothing": lambda site: [],
}


# Sixty edits, each beside a full build: minutes on a busy machine (it timed out at 300 s
# in a suite run beside three others), so a longer bound than the suite's.
@pytest.mark.timeout(1200)
def test_every_edit_gives_what_a_full_build_gives(fixture_site: Path, tmp_path: Path, run) -> None:
    builder = Builder(fixture_site, lambda: OPTIONS)
    builder.rebuild()
    assert snapshot(fixture_site / "output") == full_build(fixture_site, tmp_path, run)
    for name, edit in EDITS.items():
        result = builder.rebuild(edit(fixture_site))
        expected = full_build(fixture_site, tmp_path, run)
        wrong = differences(snapshot(fixture_site / "output"), expected)
        # The search index follows once the editor pauses (Pagefind takes seconds).
        assert all(path.startswith("pagefind/") for path in wrong), f"after '{name}': {wrong}"
        assert builder.finish_extras() or not wrong
        wrong = differences(snapshot(fixture_site / "output"), expected)
        assert not wrong, f"after '{name}': {wrong}"
        if name == "nothing":
            assert result.rendered == 0 and result.written == 0


def differences(built: dict[str, bytes], expected: dict[str, bytes]) -> list[str]:
    return sorted(k for k in built.keys() | expected.keys() if built.get(k) != expected.get(k))


def test_only_changed_files_are_rewritten(fixture_site: Path) -> None:
    builder = Builder(fixture_site, lambda: OPTIONS)
    builder.rebuild()
    output = fixture_site / "output"
    before = {p: (p.read_bytes(), p.stat()) for p in output.rglob("*") if p.is_file()}

    result = builder.rebuild(append(NEUJAHR, "\nNoch ein Absatz.\n")(fixture_site))
    changed = 0
    for path, (data, stat) in before.items():
        now = path.stat()
        if path.read_bytes() == data:  # the very same file, not rewritten
            assert (now.st_ino, now.st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns), path
        else:
            changed += 1
    assert changed == result.written > 0
    assert "Noch ein Absatz." in (output / "aktuelles/neujahr/index.html").read_text()


def test_a_template_change_redoes_only_pages_that_use_it(fixture_site: Path) -> None:
    builder = Builder(fixture_site, lambda: OPTIONS)
    everything = len(builder.rebuild().site.pages)
    result = builder.rebuild(
        replace(
            "templates/magazine_issue.html", "{% block content %}", "{% block content %}<!-- -->"
        )(fixture_site)
    )
    assert result.rendered == 1 < everything  # the one magazine issue
    result = builder.rebuild(replace("templates/base.html", "<body>", "<body >")(fixture_site))
    output = fixture_site / "output"
    based = [p for p in output.rglob("*.html") if b"<body >" in p.read_bytes()]
    assert result.rendered == result.written == len(based) < len(builder.ledger.records)


def test_errors_keep_the_last_good_site_and_state(fixture_site: Path) -> None:
    builder = Builder(fixture_site, lambda: OPTIONS)
    builder.rebuild()
    good = snapshot(fixture_site / "output")
    path = fixture_site / NEUJAHR
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("date: 10.01.2020", "date: 31.02.2020"), encoding="utf-8")
    with pytest.raises(LitfassError) as failed:
        builder.rebuild([path])
    assert str(failed.value).startswith(f"{NEUJAHR}:3:")
    assert snapshot(fixture_site / "output") == good
    path.write_text(text.replace("Text zum", "Bericht zum"), encoding="utf-8")
    result = builder.rebuild([path])
    assert result.written > 0
    assert "Bericht zum" in (fixture_site / "output/aktuelles/neujahr/index.html").read_text()


def test_what_a_failed_rebuild_left_undone_is_done_by_the_next(
    fixture_site: Path, tmp_path: Path, run
) -> None:
    """An article deleted while a template is broken: its page goes once the template works."""
    builder = Builder(fixture_site, lambda: OPTIONS)
    builder.rebuild()
    article = "templates/article.html"
    gone = delete("content/news/2019-11-04-fachtag-in-goerlitz.md")(fixture_site)
    broken = replace(article, "{% block content %}", "{% block content %}{{ nope.x }}")
    with pytest.raises(LitfassError):
        builder.rebuild([*gone, *broken(fixture_site)])
    builder.rebuild(replace(article, "{{ nope.x }}", "")(fixture_site))
    builder.finish_extras()
    expected = full_build(fixture_site, tmp_path, run)
    assert not differences(snapshot(fixture_site / "output"), expected)
    assert not (fixture_site / "output/aktuelles/fachtag-in-goerlitz").exists()


# -- related articles: reusing the previous site's lists must give the same lists ----------


def news(number: int, day: int, tags: tuple[str, ...]) -> Page:
    when = datetime(2020, 1, 1, tzinfo=OPTIONS.now.tzinfo) + timedelta(days=day)
    return Page(
        kind=NEWS,
        source=f"content/news/n{number}.md",
        title=f"Meldung {number}",
        slug=f"n{number}",
        url=f"/aktuelles/n{number}/",
        date=when,
        summary="",
        tags=tuple(Term(t, t.lower()) for t in tags),
    )


TAGS = st.lists(st.sampled_from(["A", "B", "C"]), min_size=1, max_size=3, unique=True)


@settings(max_examples=150, deadline=None)
@given(
    days=st.lists(st.tuples(st.integers(0, 400), TAGS), min_size=1, max_size=60),
    edits=st.lists(
        st.tuples(
            st.sampled_from(["change", "drop", "add"]),
            st.integers(0, 59),
            st.integers(0, 400),
            TAGS,
        ),
        max_size=4,
    ),
)
def test_reused_related_lists_equal_fresh_ones(days: list, edits: list) -> None:
    config = load_config(FIXTURE)[0]
    pages = [news(i, day, tuple(tags)) for i, (day, tags) in enumerate(days)]
    before = assemble(config, pages, OPTIONS, {})
    changed = list(pages)
    for number, (action, index, day, tags) in enumerate(edits):
        index %= len(changed)
        if action == "drop" and len(changed) > 1:
            del changed[index]
        elif action == "change":
            changed[index] = dataclasses.replace(
                changed[index], date=news(0, day, ()).date, tags=news(0, 0, tuple(tags)).tags
            )
        else:
            changed.append(news(1000 + number, day, tuple(tags)))
    reused = assemble(config, changed, OPTIONS, {}, previous=before)
    fresh = assemble(config, changed, OPTIONS, {})
    assert reused.related == fresh.related
    assert reused.neighbours == fresh.neighbours


def event(number: int, day: int, tags: tuple[str, ...]) -> Page:
    """An event `day` days after 2026-01-01: some are over by OPTIONS.now, some are to come."""
    start = datetime(2026, 1, 1, 9, tzinfo=OPTIONS.now.tzinfo) + timedelta(days=day)
    info = EventInfo(start=start, end=start + timedelta(hours=7), all_day=False, location=None)
    return dataclasses.replace(
        news(number, day, tags),
        kind=EVENT,
        source=f"content/events/e{number}.md",
        url=f"/veranstaltungen/e{number}/",
        date=None,
        event=info,
    )


EDITED = {
    "body": lambda page, day, tags: dataclasses.replace(page, packed_html=pack("<p>Neu</p>")),
    "title": lambda page, day, tags: dataclasses.replace(page, title=page.title + "!"),
    "tags": lambda page, day, tags: dataclasses.replace(page, tags=news(0, 0, tags).tags),
    "date": lambda page, day, tags: dataclasses.replace(page, date=news(0, day, ()).date),
    "draft": lambda page, day, tags: dataclasses.replace(page, draft=True),
}


@settings(max_examples=200, deadline=None)
@given(
    items=st.lists(
        st.tuples(st.booleans(), st.integers(0, 400), TAGS, st.sampled_from(["", "Nord", "Süd"])),
        min_size=1,
        max_size=40,
    ),
    edits=st.lists(
        st.tuples(st.sampled_from(sorted(EDITED)), st.integers(0, 39), st.integers(0, 400), TAGS),
        min_size=1,
        max_size=4,
    ),
)
def test_a_site_with_pages_swapped_in_is_the_site_assemble_gives(items: list, edits: list) -> None:
    """`reassemble` either gives exactly what `assemble` gives, or declines (None)."""
    config = load_config(FIXTURE)[0]
    pages = [
        dataclasses.replace(
            (event if is_event else news)(i, day, tuple(tags)),
            region=Term(region, region.lower()) if region else None,
        )
        for i, (is_event, day, tags, region) in enumerate(items)
    ]
    before = assemble(config, pages, OPTIONS, {})
    changed, swaps = list(pages), []
    for what, index, day, tags in edits:
        index %= len(changed)
        new = EDITED[what](changed[index], day, tuple(tags))
        swaps.append((changed[index], new))
        changed[index] = new
    fresh = assemble(config, changed, OPTIONS, {})
    swapped = reassemble(before, swaps, OPTIONS, {})
    if {what for what, *_ in edits} <= {"body", "title"}:
        assert swapped is not None  # nothing moved: the quick way must be taken
    if swapped is not None:
        assert_identical(swapped, fresh)


def assert_identical(one: object, other: object, where: str = "site") -> None:
    """The same structure, holding the very same pages (an equal page is not enough)."""
    if isinstance(one, Page):
        assert one is other, where
    elif isinstance(one, (tuple, list)):
        assert type(one) is type(other) and len(one) == len(other), where
        for n, (a, b) in enumerate(zip(one, other, strict=True)):
            assert_identical(a, b, f"{where}[{n}]")
    elif isinstance(one, dict):
        assert list(one) == list(other), where
        for key in one:
            assert_identical(one[key], other[key], f"{where}[{key!r}]")
    elif dataclasses.is_dataclass(one) and not isinstance(one, Config):
        assert type(one) is type(other), where
        for name in (f.name for f in dataclasses.fields(one)):
            assert_identical(getattr(one, name), getattr(other, name), f"{where}.{name}")
    else:
        assert one == other, where


@pytest.mark.parametrize("newer", [True, False])
def test_a_changed_article_updates_related_lists_further_away(newer: bool) -> None:
    """Two shared topics beat nearness: the reader is 6 places away in both topics' lists."""
    tags = dict.fromkeys(range(11, 16), ("A",)) | dict.fromkeys(range(16, 21), ("B",))
    tags |= {10: ("A", "B"), 21: ("A", "B")}
    order = range(22) if newer else range(21, -1, -1)
    pages = [news(i, day, tags.get(i, ("C",))) for day, i in enumerate(order)]
    changed_one, reader = pages[10 if newer else 11], pages[21 if newer else 0]
    config = load_config(FIXTURE)[0]
    before = assemble(config, pages, OPTIONS, {})
    assert changed_one in before.related[reader.url]
    changed = [dataclasses.replace(p, title="Neu") if p is changed_one else p for p in pages]
    reused = assemble(config, changed, OPTIONS, {}, previous=before)
    assert reused.related == assemble(config, changed, OPTIONS, {}).related


def test_a_plain_build_meanwhile_makes_the_preview_start_over(
    fixture_site: Path, tmp_path: Path, run
) -> None:
    builder = Builder(fixture_site, lambda: OPTIONS)
    builder.rebuild()
    assert run("--root", fixture_site, "--now", NOW, "--quiet").code == 0  # swaps output/
    result = builder.rebuild(append(NEUJAHR, "\nNach dem Build.\n")(fixture_site))
    assert result.rendered == len(builder.ledger.records)  # everything, once
    builder.finish_extras()
    assert snapshot(fixture_site / "output") == full_build(fixture_site, tmp_path, run)
    builder.close()
    assert not list(fixture_site.glob(".litfass-staging-*"))  # the spare copy is gone


def test_compressed_files_are_never_stale(fixture_site: Path, tmp_path: Path, run) -> None:
    config = fixture_site / "config.yaml"
    config.write_text(config.read_text() + "deploy:\n  precompress: true\n", encoding="utf-8")
    builder = Builder(fixture_site, lambda: OPTIONS)
    builder.rebuild()
    page = fixture_site / "output/aktuelles/neujahr/index.html"
    assert Path(f"{page}.gz").is_file()
    builder.rebuild(append(NEUJAHR, "\nFrisch.\n")(fixture_site))
    assert "Frisch." in page.read_text() and not Path(f"{page}.gz").exists()  # none stale
    assert builder.finish_extras()
    assert snapshot(fixture_site / "output") == full_build(fixture_site, tmp_path, run)
