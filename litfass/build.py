"""One build, top to bottom: config, content, pages, site, outputs, output/.

config.yaml -> Config -> content/**/*.md -> [Page] -> Site -> [Output] -> output/
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from litfass import images, search
from litfass.assets import theme_files
from litfass.compress import precompress
from litfass.config import Config, load_config
from litfass.content import ContentFiles, find_files, read_page
from litfass.errors import LitfassError, Problem
from litfass.frontmatter import Source
from litfass.markup import content_links, first_paragraph, render_markdown, resolve_links
from litfass.metadata import id_problems
from litfass.model import Page
from litfass.outputs import Output, declare, path_problems
from litfass.render import environment, render_output
from litfass.site import BuildOptions, Site, assemble, url_problems
from litfass.write import Staging, build_lock

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BuildResult:
    """What a build did, for the one-line summary."""

    items: int
    pages: int
    files: int
    written: int
    unchanged: int
    warnings: tuple[Problem, ...]
    seconds: float
    allow_html: bool


def load_site(root: Path, options: BuildOptions) -> tuple[Site, list[Problem]]:
    """Read and validate everything; raise LitfassError with every error found."""
    config, warnings = load_config(root)
    files, found_files = find_files(config)
    problems = [p for p in found_files if p.severity == "error"]
    warnings.extend(p for p in found_files if p.severity == "warning")
    sources, pages = [], []
    for path, rel in files.markdown:
        try:
            source, page, found = read_page(config, path, rel)
        except LitfassError as exc:
            problems.extend(exc.problems)
            continue
        sources.append(source)
        pages.append(page)
        warnings.extend(found)
    clashes = url_problems(pages)
    problems.extend(clashes)
    # Ids default to addresses: an address clash is already one message, not two.
    problems.extend(
        p for p in id_problems(config, pages) if p.path not in {c.path for c in clashes}
    )
    urls = content_urls(config, files, pages, sources)
    pictures = images.plan(config.root, config.content_dir, files.assets, urls)
    pages = [
        _with_body(config, s, p, urls, pictures, warnings)
        for s, p in zip(sources, pages, strict=True)
    ]
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise LitfassError(errors + warnings)
    return assemble(config, pages, options, urls, pictures), warnings


def content_urls(
    config: Config, files: ContentFiles, pages: list[Page], sources: list[Source]
) -> dict[str, str]:
    """URL of every content file: pages for .md files, copies for everything else.

    A file inside the folder of an `index.md` is copied next to that item's page.
    """
    urls = {s.content_rel: p.url for s, p in zip(sources, pages, strict=True)}
    bundles = {
        posixpath.dirname(s.content_rel) + "/": p.url
        for s, p in zip(sources, pages, strict=True)
        if s.content_rel.endswith("/index.md")
    }
    for _, rel in files.assets:
        folder = _bundle_of(rel, bundles)
        urls[rel] = bundles[folder] + rel[len(folder) :] if folder else "/" + rel
    return urls


def _bundle_of(rel: str, bundles: dict[str, str]) -> str | None:
    folder = posixpath.dirname(rel) + "/"
    while folder not in bundles and folder != "/":
        folder = posixpath.dirname(folder.rstrip("/")) + "/"
    return folder if folder in bundles else None


def _with_body(
    config: Config,
    source: Source,
    page: Page,
    urls: dict[str, str],
    pictures: dict[str, images.Picture],
    warnings: list[Problem],
) -> Page:
    html = render_markdown(source.body, config.allow_html)
    for written, target in content_links(html, source.content_rel):
        if target not in urls:
            warnings.append(
                Problem(
                    source.rel,
                    _body_line(source, written),
                    f"link to '{written}': no such content file",
                    "warning",
                )
            )
    html = resolve_links(html, source.content_rel, urls)
    html, files = _with_images(config, source, page, html, urls, pictures, warnings)
    assets = (
        tuple(rel for rel in urls if not rel.endswith(".md") and urls[rel].startswith(page.url))
        if source.content_rel.endswith("/index.md")
        else ()
    )
    summary = page.summary or first_paragraph(html)
    return dataclasses.replace(page, body_html=html, summary=summary, assets=assets, **files)


def _body_line(source: Source, written: str) -> int:
    """File line of the first mention of `written` in the body."""
    return source.body_line + source.body[: max(0, source.body.find(written))].count("\n")


def _with_images(
    config: Config,
    source: Source,
    page: Page,
    html: str,
    urls: dict[str, str],
    pictures: dict[str, images.Picture],
    warnings: list[Problem],
) -> tuple[str, dict[str, str]]:
    """Responsive images in the body; front-matter files as site URLs; missing alt texts."""
    html, no_alt = images.responsive_body(
        html, posixpath.dirname(source.content_rel), urls, pictures
    )
    for src in no_alt:
        line = _image_line(source, src)
        message = (
            f"image '{src}' has no alt text: say what it shows, e.g. ![Teilnehmende im Saal]({src})"
        )
        warnings.append(Problem(source.rel, line, message, "warning"))
    files = {}
    for key in ("image", "cover", "pdf"):
        files[key] = _front_matter_file(config, source, getattr(page, key), urls)
        if files[key] is None:
            message = f"'{key}': file '{getattr(page, key)}' not found; put it beside this file"
            warnings.append(Problem(source.rel, source.meta.line(key), message, "warning"))
            files[key] = ""
    if page.image and not page.image_alt:
        message = "'image' has no 'image_alt': add 'image_alt: what the picture shows'"
        warnings.append(Problem(source.rel, source.meta.line("image"), message, "warning"))
    return html, files


def _image_line(source: Source, src: str) -> int:
    """File line of a Markdown image with empty alt text, else of the first mention of `src`."""
    found = re.search(r"!\[\s*\]\(\s*<?" + re.escape(src), source.body)
    if found is None:
        return _body_line(source, src)
    return source.body_line + source.body[: found.start()].count("\n")


def _front_matter_file(
    config: Config, source: Source, written: str, urls: dict[str, str]
) -> str | None:
    """The site URL of a file named in front matter: beside the item, from the top of content/
    with '/', a theme file under /static/, or on another host. None when there is no such file."""
    if not written or "://" in written:
        return written
    if written.startswith("/static/"):
        return written if (config.templates_path / written.lstrip("/")).is_file() else None
    return images.resolve(written, posixpath.dirname(source.content_rel), urls)


def build(
    root: Path, options: BuildOptions, strict: bool = False, progress: Progress | None = None
) -> BuildResult:
    """Build the site in `root` into its output folder, atomically."""
    started = time.perf_counter()
    site, warnings = load_site(root, options)
    if strict and warnings:
        raise LitfassError([dataclasses.replace(w, severity="error") for w in warnings])
    config = site.config
    theme = theme_files(config)
    env, _ = environment(config, theme)
    outputs = declare(site, theme)
    clashes = path_problems(outputs, config)
    if clashes:
        raise LitfassError(clashes)
    with build_lock(root):
        staging = Staging(config.output_path)
        fingerprint = search.Fingerprint()
        try:
            for done, output in enumerate(outputs, 1):
                data = render_output(output, env, site)
                staging.put(output.path, data)
                fingerprint.add(output.path, data)
                if progress:
                    progress(done, len(outputs))
            search.index(config.root, staging, fingerprint)
            # After the search index, so that its script and data are compressed too.
            if config.precompress:
                precompress(staging)
            staging.commit()
        except BaseException:
            staging.discard()
            raise
    return BuildResult(
        items=len(site.pages),
        pages=sum(o.path.endswith(".html") for o in outputs),
        files=len(outputs),
        written=staging.stats.written,
        unchanged=staging.stats.unchanged,
        warnings=tuple(sorted(warnings)),
        seconds=time.perf_counter() - started,
        allow_html=config.allow_html,
    )


def declare_outputs(site: Site) -> list[Output]:
    """Every file a build of `site` would write, without producing any of them."""
    return declare(site, theme_files(site.config))
