"""Property-based tests: arbitrary input never crashes litfass and never escapes its context.

Unit-level properties run a few hundred examples; full builds run a handful, each with
many hostile items at once, so the suite stays fast.
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import re
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.html
import markdown
import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from markdown.inlinepatterns import LinkInlineProcessor

from conftest import FIXTURE, NOW, copy_site
from litfass.cli import main
from litfass.config import load_config
from litfass.content.frontmatter import read_source
from litfass.content.markup import EXTENSIONS, _renderer, bracket_ends, render_markdown
from litfass.content.pages import read_page
from litfass.dates import parse_when
from litfass.errors import LitfassError
from litfass.slugs import is_slug, slugify
from litfass.values import is_safe_link, is_site_path, one_line
from litfass.yamldoc import load_mapping, plain_mapping, yaml_mapping
from safety import unsafe_spots

UNIT = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CONFIG, _ = load_config(FIXTURE)

# Text an editor or an attacker might type: anything, biased towards YAML and HTML syntax.
SYNTAX = st.sampled_from(
    [
        *"-:#&*!|>'\"%@`{}[],?\t\n\r\x0b\ufeff\u2028<>/\\=;",
        *[
            "---",
            "...",
            "- ",
            ": ",
            "<script>",
            "</script>",
            "javascript:",
            "!!python/",
            "&a",
            "*a",
        ],
    ]
)
TEXTY = st.lists(st.one_of(st.text(max_size=8), SYNTAX), max_size=30).map("".join)
FRONT_MATTER = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXTY,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXTY, inner, max_size=4),
    max_leaves=12,
)
KEYS = st.sampled_from(
    ["title", "date", "start", "end", "tags", "region", "slug", "aliases", "summary", "draft",
     "menu", "location", "contact", "registration", "registration_deadline", "image", "pdf"]
)  # fmt: skip


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One file that every example overwrites (hypothesis runs examples one by one)."""
    return tmp_path_factory.mktemp("probe") / "probe.md"


@UNIT
@given(data=st.binary(max_size=400) | TEXTY.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_any_bytes_are_read_or_refused_with_our_error(probe: Path, data: bytes) -> None:
    for candidate in (b"---\n" + data + b"\n---\n" + data, data):
        probe.write_bytes(candidate)
        with contextlib.suppress(LitfassError):
            read_source(probe, "content/news/probe.md", "news/probe.md")


@UNIT
@given(text=TEXTY)
def test_any_text_as_yaml_is_a_mapping_or_our_error(text: str) -> None:
    try:
        mapping = load_mapping(text, "x.md", first_line=2)
    except LitfassError as exc:
        assert all(problem.line >= 0 for problem in exc.problems)
    else:
        assert all(isinstance(key, str) for key in mapping.data)
        assert all(line >= 2 for line in mapping.lines.values())


@settings(max_examples=2000, deadline=None)
@given(text=st.text(alphabet="[]a(", max_size=40) | TEXTY)
def test_bracket_ends_are_python_markdowns(text: str) -> None:
    assert bracket_ends(text) == LinkInlineProcessor._findBracketEnds(text)


def test_links_with_brackets_render_as_python_markdown_renders_them() -> None:
    body = '[a [b] c](/x) [[d]](/y) [e] [f](/z "t [g]") ![h [i]](/j.png) [k](/l)] [[m\n'
    toc = {"slugify": lambda text, sep: slugify(text), "toc_depth": "2-4"}
    plain = markdown.Markdown(
        extensions=EXTENSIONS, extension_configs={"toc": toc}, output_format="html"
    )
    ours = _renderer()
    try:
        assert ours.convert(body) == plain.convert(body)
    finally:
        ours.reset()
    assert '<a href="/x">a [b] c</a>' in render_markdown(body, allow_html=False)


# Lines that front matter is made of, plain or nearly: the fast path must read each text as
# PyYAML does, or leave it to PyYAML.
WORD = st.sampled_from(["a", "Kita", "Meißen", "yes", "null", "~", "0341", "10:30", "x y", "ä"])
PIECE = st.one_of(WORD, SYNTAX, st.sampled_from([" ", "  ", ", ", "'", '"', "[", "]", "{", "}"]))
SCALAR = WORD | WORD.map(lambda w: f'"{w}"') | st.lists(PIECE, max_size=6).map("".join)
PLAIN_LINE = st.one_of(
    st.tuples(KEYS, SCALAR).map(lambda kv: f"{kv[0]}: {kv[1]}"),
    st.tuples(KEYS, st.lists(SCALAR, max_size=3)).map(lambda kv: f"{kv[0]}: [{', '.join(kv[1])}]"),
    st.tuples(KEYS, KEYS, SCALAR).map(lambda kv: f"{kv[0]}: {{{kv[1]}: {kv[2]}}}"),
    KEYS.map(lambda key: f"{key}:"),
    SCALAR.map(lambda item: f"  - {item}"),
    SCALAR.map(lambda item: f"- {item}"),
    st.sampled_from(["", "# note", "  x", "  a: b"]),
)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(PLAIN_LINE, min_size=1, max_size=8))
def test_plain_front_matter_is_read_as_pyyaml_reads_it(lines: list[str]) -> None:
    text = "\n".join(lines)
    plain = plain_mapping(text, first_line=2)
    if plain is None:
        return
    assert plain == yaml_mapping(text, "x.md", first_line=2)


def test_the_corpus_front_matter_is_read_without_pyyaml() -> None:
    text = (
        'title: "Große Fachtag: Riesa begleitet Begegnungsstätte (4000)"\n'
        'start: "2027-11-27 19:05"\n'
        'location: {name: Volkshaus Meißen, address: "Markt 1, Meißen"}\n'
        "tags: [Ehrenamt, Fachkräfte]\n"
        "aliases:\n  - /alt/\n"
        "region:\n"
    )
    plain = plain_mapping(text, first_line=2)
    assert plain is not None
    assert plain == yaml_mapping(text, "x.md", first_line=2)
    assert plain.line("location.address") == 4
    assert plain.data["region"] is None


@UNIT
@given(meta=st.dictionaries(KEYS | TEXTY, FRONT_MATTER, max_size=8), body=TEXTY)
def test_any_front_matter_is_a_page_or_our_error(probe: Path, meta, body: str) -> None:
    probe.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + body)
    for folder in ("news", "events", "magazine", "pages"):
        try:
            _, page, _ = read_page(CONFIG, probe, f"{folder}/probe.md")
        except LitfassError:
            continue
        assert SLUG.match(page.slug)
        assert all(is_site_path(alias) for alias in page.aliases)
        for link in (page.image, page.pdf, page.cover):
            assert not link or is_safe_link(link)


@UNIT
@given(text=TEXTY)
def test_dates_are_read_or_refused_with_a_message(text: str) -> None:
    try:
        moment, _ = parse_when(text, ZoneInfo("Europe/Berlin"))
    except ValueError as exc:
        assert str(exc)
    else:
        assert moment.tzinfo is not None and 1900 <= moment.year <= 2200


@UNIT
@given(text=st.text())
def test_slugs_are_clean_never_empty_and_stable(text: str) -> None:
    slug = slugify(text)
    assert SLUG.match(slug)
    assert slugify(slug) == slug
    assert is_slug(slug)


@UNIT
@given(path=TEXTY.map(lambda t: "/" + t))
def test_a_site_path_never_leaves_the_site(path: str) -> None:
    if is_site_path(path):
        resolved = posixpath.normpath("/output/" + path.lstrip("/"))
        assert resolved.startswith("/output")


@UNIT
@given(text=TEXTY)
def test_safe_links_never_have_a_script_scheme(text: str) -> None:
    if is_safe_link(text.strip()):
        squeezed = "".join(ch for ch in text if ord(ch) > 32).lower()
        assert not squeezed.startswith(("javascript:", "data:", "vbscript:"))


# Full builds: every example writes many items of arbitrary text at once.
FIELD = st.text(max_size=40) | TEXTY
ITEM = st.fixed_dictionaries(
    {"title": FIELD, "summary": FIELD, "tags": st.lists(FIELD, max_size=3), "location": FIELD},
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking whole builds takes minutes
)
@given(items=st.lists(st.tuples(ITEM, TEXTY | st.text(max_size=200)), min_size=1, max_size=8))
def test_arbitrary_text_builds_and_never_becomes_markup(tmp_path_factory, items) -> None:
    site = copy_site(FIXTURE, tmp_path_factory.mktemp("prop") / "site")
    expected = {}
    for number, (fields, body) in enumerate(items):
        title = "T" + fields["title"]  # never empty, so every item is valid
        tags = [f"t{tag}" for tag in fields["tags"]]
        news = {"title": title, "date": "2020-01-01", "summary": fields["summary"], "tags": tags}
        event = {"title": title, "start": "2027-01-01", "location": "L" + fields["location"]}
        for folder, meta in (("news", news), ("events", event)):
            # A NUL byte makes a file binary, which is refused (see test_bad_input).
            text = "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n"
            text += body.replace("\0", "")
            (site / "content" / folder / f"p{number}.md").write_text(text, encoding="utf-8")
        expected[f"aktuelles/p{number}/index.html"] = one_line(title)
        expected[f"veranstaltungen/p{number}/index.html"] = one_line(title)
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["--root", str(site), "--now", NOW])
    assert code == 0, err.getvalue()
    assert unsafe_spots(site / "output") == []
    for rel, title in expected.items():
        document = lxml.html.fromstring((site / "output" / rel).read_bytes())
        assert document.cssselect("h1")[0].text_content() == title
    shutil.rmtree(site)
