"""Rendered bodies are kept packed between rebuilds (`model.pack`) and read back unchanged."""

from __future__ import annotations

from pathlib import Path

from conftest import NOW
from litfass.commands.common import parse_now
from litfass.config import read_settings
from litfass.content.frontmatter import read_source
from litfass.content.markup import render_markdown
from litfass.content.model import BuildOptions, pack, unpack
from litfass.engine.builder import Builder


def test_a_packed_body_reads_back_the_same_text() -> None:
    text = "<p>„Grüße“ aus Görlitz – 10 € für 🎈 und \u00a0Straße</p>\n" * 50
    assert unpack(pack(text)) == text
    assert unpack(pack("")) == ""
    assert pack(text) != pack(text.replace("Görlitz", "Gorlitz"))


def test_items_and_pages_hold_their_bodies_packed_only(fixture_site: Path) -> None:
    settings = read_settings(fixture_site)
    options = BuildOptions(now=parse_now(NOW, settings.tz))
    builder = Builder(fixture_site, lambda: options, settings=settings)
    builder.load()
    assert builder.sources is not None
    items = [item for item in builder.sources.items.values() if item.final is not None]
    assert items
    config, _ = settings.loaded()
    for item in items:
        assert item.source is not None
        text = read_source(fixture_site / item.source.rel, item.source.rel, item.source.content_rel)
        assert item.html() == render_markdown(text.body, config.allow_html)
        plain = [v for v in vars(item).values() if isinstance(v, str) and "<p>" in v]
        assert plain == []  # the rendered body is not kept as text beside its packed form
        assert unpack(item.final.packed_html) == item.final.body_html
    assert any("<a href=" in item.final.body_html for item in items if item.final)
