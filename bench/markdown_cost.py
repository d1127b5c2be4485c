"""What each Markdown extension costs per article, over the benchmark's corpus, on one core.

    python bench/markdown_cost.py [--items 4000] [--work /dev/shm/litfass-bench]

Python-Markdown alone, then with each of litfass's extensions (`markup.EXTENSIONS`) added on
its own, then litfass's whole `render_markdown` (every extension, nh3 cleaning): the time per
article of each, and what it adds to plain Markdown.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import corpus
import markdown

BENCH = Path(__file__).resolve().parent
EXTRA = ["abbr", "attr_list", "def_list", "fenced_code", "footnotes", "md_in_html", "tables"]
sys.path.insert(0, str(BENCH.parent))

from litfass.content import markup  # noqa: E402  (the repository's, not an installed one)


def per_article(render, bodies: list[str]) -> float:
    """Milliseconds per body, the fastest of three passes."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for body in bodies:
            render(body)
        best = min(best, time.process_time() - started)
    return best / len(bodies) * 1000


def with_extensions(extensions: list[str]):
    md = markdown.Markdown(extensions=extensions, output_format="html")

    def render(body: str) -> str:
        try:
            return md.convert(body)
        finally:
            md.reset()

    return render


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=4000)
    parser.add_argument("--sample", type=int, default=500, help="bodies timed (default 500)")
    args = parser.parse_args()
    bodies = [item.body for item in corpus.items(args.items)][: args.sample]
    plain = per_article(with_extensions([]), bodies)
    rows = [("Python-Markdown, no extension", plain)]
    for extension in markup.EXTENSIONS:
        rows.append((f"+ {extension}", per_article(with_extensions([extension]), bodies)))
        if extension == "extra":  # a bundle: what each of its parts costs
            for part in EXTRA:
                rows.append((f"+ extra's {part}", per_article(with_extensions([part]), bodies)))
    rows.append(
        (
            f"all: {', '.join(markup.EXTENSIONS)}",
            per_article(with_extensions(markup.EXTENSIONS), bodies),
        )
    )
    rows.append(
        (
            "litfass render_markdown (+ nh3)",
            per_article(lambda b: markup.render_markdown(b, False), bodies),
        )
    )
    print("| renderer | ms per article | × plain |")
    print("|---|---:|---:|")
    for name, cost in rows:
        print(f"| {name} | {cost:.2f} | {cost / plain:.2f} |")


if __name__ == "__main__":
    main()
