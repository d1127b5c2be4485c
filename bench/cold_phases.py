"""Where a cold build's time goes, step by step, on one core: a profile that is a table.

    python bench/cold_phases.py [--items 1000] [--work /dev/shm/litfass-phases] [--base-url URL]

Builds the benchmark's corpus (no search index, no compressed copies) once in this process
with one worker, timing the steps that the issue measured apart: Markdown bodies, front
matter, each template, the feeds and calendars, a site in a folder's rewrite (with
`--base-url https://host/folder`), and the rest (reading, assembling, records, writing).
CPU seconds of this process, so a busy machine disturbs the split less than the wall clock.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import corpus

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from litfass.commands.common import parse_now  # noqa: E402  (the repository's litfass)
from litfass.content import markup, pages, reader  # noqa: E402
from litfass.content.model import BuildOptions  # noqa: E402
from litfass.engine import builder, oneshot  # noqa: E402
from litfass.render import basepath, templates  # noqa: E402

SPENT: collections.Counter[str] = collections.Counter()
COUNT: collections.Counter[str] = collections.Counter()


def timed(name: Callable[..., str], function: Callable[..., Any]) -> Callable[..., Any]:
    """`function`, adding its CPU time to the step `name(*args)` names."""

    def run(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            step = name(*args)
            SPENT[step] += time.process_time() - started
            COUNT[step] += 1

    return run


def step_of(output: Any, *_: Any) -> str:
    if output.template:
        return f"template {output.template}"
    if output.produce is not None:
        return "producer ." + output.path.rsplit(".", 1)[-1]
    return "copied file"


def instrument() -> None:
    """Wrap the functions of each step where the engine calls them (module attributes)."""
    render_markdown = timed(lambda *_: "Markdown bodies", markup.render_markdown)
    reader.render_markdown = render_markdown
    reader.read_page = timed(lambda *_: "front matter", pages.read_page)
    builder.render_output = timed(step_of, templates.render_output)
    # Inside render_output: its time is also counted in the template's row.
    templates.below_base = timed(lambda *_: "  of which: folder rewrite", basepath.below_base)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--work", type=Path, default=Path("/dev/shm/litfass-phases"))
    parser.add_argument("--base-url", help="e.g. https://verein.example/portal: a site in a folder")
    args = parser.parse_args()
    site = args.work / "site"
    shutil.rmtree(args.work, ignore_errors=True)
    corpus.write_litfass(site, corpus.items(args.items), search=False)
    if args.base_url:
        config = site / "config.yaml"
        lines = config.read_text("utf-8").splitlines()
        lines = [f"base_url: {args.base_url}" if x.startswith("base_url:") else x for x in lines]
        config.write_text("\n".join(lines) + "\n", "utf-8")
    instrument()
    options = BuildOptions(now=parse_now(corpus.NOW), drafts=False, future=False)
    started = time.process_time()
    oneshot.build(site, options, workers=1, use_cache=False)
    total = time.process_time() - started
    print(f"cold build of {args.items} items, one worker: {total:.2f} s CPU")
    rest = total - sum(v for k, v in SPENT.items() if not k.startswith(" "))
    for step, seconds in [*SPENT.most_common(), ("the rest", rest)]:
        share = f"{seconds / total:6.1%}"
        each = f"{seconds / COUNT[step] * 1000:7.2f} ms each" if COUNT[step] else ""
        print(f"  {step:34} {seconds:6.2f} s {share}  {COUNT[step] or '':>6} {each}")


if __name__ == "__main__":
    main()
