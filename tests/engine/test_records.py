"""Unit tests of the dependency records: what an output reads is noted, and only a change to
something it read makes it stale.

When an equivalence test (`test_incremental.py`) fails, these say which kind of read or which
comparison went wrong.
"""

from __future__ import annotations

import contextlib
import dataclasses
import pickle
from functools import partial
from pathlib import Path

import pytest

from conftest import FIXTURE, NOW, copy_site
from litfass.commands.common import parse_now
from litfass.content.model import Page, pack
from litfass.engine import store
from litfass.engine.oneshot import load_site
from litfass.engine.records import (
    NEVER,
    SITE,
    Digests,
    Ledger,
    TrackedSite,
    describe,
    load_ledger,
    record_of,
    save_ledger,
    tracked_output,
)
from litfass.outputs import Output, Pager
from litfass.site import BuildOptions, Site, reassemble

OPTIONS = BuildOptions(now=parse_now(NOW))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    loaded, _ = load_site(copy_site(FIXTURE, tmp_path_factory.mktemp("records")), OPTIONS)
    assert len(loaded.news) >= 3
    return loaded


def reads_of(site: Site, read) -> set[tuple]:
    """The keys noted while `read(tracked_site)` runs."""
    tracked = TrackedSite(site)
    tracked.reads = set()
    read(tracked)
    return tracked.reads


def edited(site: Site, page: Page, **changes: object) -> Site:
    """The site with one page replaced by an edited copy, as the preview makes it."""
    new = dataclasses.replace(page, **changes)
    swapped = reassemble(site, [(page, new)], OPTIONS, site.content_urls, site.pictures)
    assert swapped is not None
    return swapped


# -- each kind of read is noted under its path ---------------------------------------------


def test_an_attribute_of_the_site_is_noted(site: Site) -> None:
    assert reads_of(site, lambda s: s.now) == {(SITE, ("attr", "now"))}


def test_a_slice_an_index_and_a_length_are_noted_apart(site: Site) -> None:
    news = (SITE, ("attr", "news"))
    assert reads_of(site, lambda s: s.news[0:2]) == {(*news, ("slice", 0, 2, None))}
    assert reads_of(site, lambda s: s.news[1]) == {(*news, ("index", 1))}
    assert reads_of(site, lambda s: len(s.news)) == {(*news, ("len",))}


def test_iterating_over_pages_reads_the_whole_list(site: Site) -> None:
    assert reads_of(site, lambda s: next(iter(s.news))) == {(SITE, ("attr", "news"))}


def test_an_entry_of_a_mapping_is_noted_by_its_key(site: Site) -> None:
    url = site.news[0].url
    found = reads_of(site, lambda s: s.related[url])
    assert found == {(SITE, ("attr", "related"), ("item", url))}


def test_a_method_call_is_noted_with_its_arguments(site: Site) -> None:
    term = site.news[0].tags[0]
    found = reads_of(site, lambda s: s.topic_url(term))
    assert found == {(SITE, ("attr", "topic_url"), ("call", (term,)))}


def test_a_call_with_a_page_cannot_be_looked_up_again_and_is_never_clean(site: Site) -> None:
    found = reads_of(site, lambda s: s.static_page(site.news[0]))  # type: ignore[arg-type]
    assert found == {NEVER}


def test_reads_of_the_context_are_noted_under_its_name(site: Site) -> None:
    pager = Pager(1, 1, tuple(site.news[:2]), "/aktuelles/")
    reads: set[tuple] = set()
    output = tracked_output(Output("x/index.html", "list.html", {"pager": pager}), reads)
    assert output.context["pager"].items[0] is site.news[0]
    assert reads == {(("context", "pager"), ("attr", "items"), ("index", 0))}


def test_a_producer_reads_through_the_tracked_site_it_closes_over(site: Site) -> None:
    tracked = TrackedSite(site)
    produce = partial(lambda s: s.news[0].title.encode(), tracked)
    tracked.reads = set()
    assert produce() == site.news[0].title.encode()
    assert tracked.reads == {(SITE, ("attr", "news"), ("index", 0))}


# -- each read has a readable name ----------------------------------------------------------


def test_a_read_reads_as_a_template_would_write_it(site: Site) -> None:
    news = (SITE, ("attr", "news"))
    assert describe((*news, ("slice", 0, 10, None))) == "site.news[0:10]"
    assert describe((*news, ("len",))) == "len(site.news)"
    assert describe((SITE, ("attr", "related"), ("item", "/a/"))) == "site.related['/a/']"
    pager = (("context", "pager"), ("attr", "items"), ("index", 2), ("attr", "title"))
    assert describe(pager) == "pager.items[2].title"


# -- stale detection -------------------------------------------------------------------------


def ledger_reading(site: Site, path: str, read) -> tuple[Ledger, Output]:
    """A ledger holding one output that read what `read` reads."""
    output = Output(path, "page.html", {"url": "/" + path})
    digests = Digests()
    record = record_of(output, b"head", reads_of(site, read), digests)
    ledger = Ledger()
    ledger.commit({path: record}, {path}, {}, site, digests)
    return ledger, output


def test_an_edited_page_in_the_slice_read_makes_the_output_stale(site: Site) -> None:
    ledger, _ = ledger_reading(site, "home.html", lambda s: s.news[0:2])
    now = edited(site, site.news[0], title="Neu")
    stale, _ = ledger.stale(now, Digests())
    assert stale == {"home.html"}
    assert ledger.why["home.html"] == ("read", "site.news[0:2]")


def test_an_edited_page_outside_the_slice_read_changes_nothing(site: Site) -> None:
    ledger, _ = ledger_reading(site, "home.html", lambda s: s.news[0:2])
    now = edited(site, site.news[2], title="Neu")
    assert now.news is not site.news  # a new list: only what was read of it counts
    stale, updates = ledger.stale(now, Digests())
    assert stale == set()
    assert updates == {}  # the same pages in the slice: the same digest


def test_a_page_read_again_with_the_same_text_is_the_same_value(site: Site) -> None:
    ledger, _ = ledger_reading(site, "home.html", lambda s: s.news[0:2])
    now = edited(site, site.news[0])  # a new object, equal in every field
    assert now.news[0] is not site.news[0]
    assert ledger.stale(now, Digests()) == (set(), {})


def test_a_related_entry_of_another_page_changes_nothing(site: Site) -> None:
    first = site.news[0]
    related = {page.source for page in site.related[first.url]}
    others = [p for p in site.news[1:] if p.source not in related]
    assert others, "the fixture needs a news item not related to the newest"
    ledger, _ = ledger_reading(site, "a.html", lambda s: s.related[first.url])
    now = edited(site, others[0], packed_html=pack("<p>anders</p>"))
    assert ledger.stale(now, Digests())[0] == set()
    again = edited(site, site.related[first.url][0], packed_html=pack("<p>anders</p>"))
    assert ledger.stale(again, Digests())[0] == {"a.html"}


def test_the_same_site_is_never_stale(site: Site) -> None:
    ledger, _ = ledger_reading(site, "home.html", lambda s: (s.news[0:2], len(s.pages), s.now))
    assert ledger.stale(site, Digests()) == (set(), {})


def test_a_read_that_cannot_be_compared_is_always_stale(site: Site) -> None:
    ledger, output = ledger_reading(site, "x.html", lambda s: s.static_page(site.news[0]))
    digests = Digests()
    stale, _ = ledger.stale(site, digests)
    assert stale == {"x.html"}
    assert ledger.clean(output, b"head", digests, stale) is None


def test_clean_keeps_a_record_for_the_same_context_and_head(site: Site) -> None:
    ledger, output = ledger_reading(site, "home.html", lambda s: s.now)
    digests = Digests()
    again = dataclasses.replace(output, context=dict(output.context))
    assert ledger.clean(again, b"head", digests, set()) is not None
    assert ledger.clean(again, b"other head", digests, set()) is None
    assert ledger.why["home.html"] == ("head", "page.html")
    moved = dataclasses.replace(output, context={"url": "/anders/"})
    assert ledger.clean(moved, b"head", digests, set()) is None
    assert ledger.why["home.html"] == ("context", "url")


# -- producers are compared by code and closure; records survive the process ---------------


def produce_title(site: object, index: int) -> bytes:
    return str(index).encode()


def test_a_producer_is_the_same_for_the_same_code_and_closure(site: Site) -> None:
    digests = Digests()
    tracked = TrackedSite(site)
    one = digests.of(partial(produce_title, tracked, 1))
    assert one == Digests().of(partial(produce_title, TrackedSite(site), 1))
    assert one != digests.of(partial(produce_title, tracked, 2))
    assert one != digests.of(lambda: b"")


def test_a_value_of_an_unknown_kind_is_never_the_same() -> None:
    thing = Thing()
    assert Digests().of(thing) != Digests().of(thing)


def test_a_stored_ledger_compares_as_before_in_another_process(site: Site, tmp_path: Path) -> None:
    ledger, output = ledger_reading(site, "home.html", lambda s: (s.news[0:2], len(s.pages)))
    db = store.connect(tmp_path)
    assert db is not None
    with contextlib.closing(db):
        with store.transaction(db):
            save_ledger(db, ledger, everything=True)
        names = {row[0] for row in db.execute("SELECT name FROM reads")}
        assert names == {"site.news[0:2]", "len(site.pages)"}
        # Another process: other objects, equal values; nothing is compared by identity.
        loaded_site = pickle.loads(pickle.dumps(site))
        loaded = load_ledger(db)
        assert loaded.records == {}  # read as they are needed
        assert loaded.stale(loaded_site, Digests()) == (set(), {})
        assert loaded.clean(output, b"head", Digests(), set()) is not None
        now = edited(loaded_site, loaded_site.news[1], title="Neu")
        assert loaded.stale(now, Digests())[0] == {"home.html"}


# -- saved state is dropped when litfass itself changes ------------------------------------


def test_the_engine_id_covers_every_module_and_the_default_theme(monkeypatch) -> None:
    import litfass
    from litfass.engine import state
    from litfass.folders import DEFAULT_THEME

    package = Path(litfass.__file__).parent
    before = state.engine_id()
    stamped: list[str] = []
    real_stat = state.os.stat

    def noting(path, *args, **kwargs):
        stamped.append(str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(state.os, "stat", noting)
    assert state.engine_id() == before
    assert str(package / "site.py") in stamped  # not only the engine's own folder
    assert str(package / "outputs" / "feeds.py") in stamped
    assert str(DEFAULT_THEME / "base.html") in stamped


def test_a_memo_that_takes_no_part_in_comparisons_does_not_make_a_value_differ(site: Site):
    from litfass.outputs.translations import Translations

    strings = {"home": "Startseite", "format_date_long": "d. MMMM y"}
    one = Translations("de", strings, "templates/i18n/de.yaml")
    other = Translations("de", dict(strings), "templates/i18n/de.yaml")
    one.date(site.now)  # fills its memo of formatted dates; `other`'s stays empty
    assert Digests().of((one,)) == Digests().of((other,))
    changed = Translations("de", {**strings, "home": "Start"}, one.path)
    assert Digests().of((one,)) != Digests().of((changed,))


def test_a_saved_reuse_hands_back_values_for_the_very_same_loaded_objects() -> None:
    from litfass.reuse import Reuse

    items = [Thing(), Thing()]
    reuse = Reuse()
    reuse.begin()
    made = reuse.each("pages", items, lambda item: [id(item)])
    kept = reuse.get("list", (items[0],), lambda: ["list"])
    reuse.end()
    loaded_items, loaded = pickle.loads(pickle.dumps((items, reuse)))
    loaded.begin()
    again = loaded.each("pages", loaded_items, lambda item: ["made anew"])
    assert again == made  # found by the loaded objects' ids, not the saved process's
    assert loaded.get("list", (loaded_items[0],), lambda: ["anew"]) == kept
    assert loaded.each("pages", [Thing()], lambda item: ["made anew"]) == [["made anew"]]


class Thing:
    """An object compared by identity, like a page."""


def test_lines_of_text_are_the_same_value_exactly_when_their_text_is() -> None:
    """The sitemap's lines (a tuple of text pairs per page) are digested in one go: every
    change of a character, of the order or of the grouping is still a change."""
    lines = tuple((f"aktuelles/{n}/", f"<url><loc>https://x.de/{n}/</loc>") for n in range(500))
    copy = tuple((path, "".join(line)) for path, line in lines)  # equal, other objects
    assert Digests().of(lines) == Digests().of(copy)
    edited = (*lines[:250], (lines[250][0], lines[250][1] + "<lastmod>"), *lines[251:])
    assert Digests().of(lines) != Digests().of(edited)
    assert Digests().of(lines) != Digests().of(lines[::-1])
    assert Digests().of(lines) != Digests().of(list(lines))
    assert Digests().of(("a', 'b",)) != Digests().of(("a", "b"))
    assert Digests().of((("a", "b"), ("c",))) != Digests().of((("a",), ("b", "c")))
    assert Digests().of(("a", "b")) != Digests().of(("a", 1))  # not all text: element-wise
