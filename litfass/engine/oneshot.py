"""One build, top to bottom: config, content, pages, site, outputs, output/.

config.yaml -> Config -> content/**/*.md -> [Page] -> Site -> [Output] -> output/
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import hashlib
import posixpath
import re
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import jinja2

from litfass.config import Config, load_config
from litfass.content import images
from litfass.content.frontmatter import Source
from litfass.content.markup import content_links, first_paragraph, render_markdown, resolve_links
from litfass.content.model import Page
from litfass.content.pages import ContentFiles, find_files, read_page
from litfass.content.reader import body_key, cached_bodies, read_files, render_bodies
from litfass.engine import state
from litfass.engine.state import BuildResult, fresh_result
from litfass.errors import LitfassError, Problem
from litfass.folders import PREVIOUS_NAME, cache_folder
from litfass.outputs import Output
from litfass.outputs.declare import declare, path_problems
from litfass.outputs.theme import theme_files
from litfass.render.templates import environment, render_tracked
from litfass.site import BuildOptions, Site, assemble, id_problems, url_problems
from litfass.workers import run_chunks
from litfass.write import search
from litfass.write.compress import precompress
from litfass.write.staging import Staging, WriteStats, build_lock

Progress = Callable[[int, int], None]
__all__ = ["BuildResult", "build", "declare_outputs", "load_site"]


def load_site(
    root: Path, options: BuildOptions, workers: int = 1, use_cache: bool = False
) -> tuple[Site, list[Problem]]:
    """Read and validate everything; raise LitfassError with every error found.

    Bodies are rendered over `workers` processes; with `use_cache` they come from the
    Markdown cache when they can, and new ones are stored there (this writes to the site).
    """
    config, warnings = load_config(root)
    content = read_content(config, warnings, workers, use_cache)
    return assemble(config, content.pages, options, content.urls, content.pictures), warnings


@dataclasses.dataclass(frozen=True)
class Content:
    """Everything read from content/: pages with bodies, URLs, images, body cache keys."""

    pages: list[Page]  # drafts and future items too
    urls: dict[str, str]
    pictures: dict[str, images.Picture]
    keys: dict[str, str]  # page source -> Markdown cache key of its body


def read_content(
    config: Config, warnings: list[Problem], workers: int = 1, use_cache: bool = True
) -> Content:
    """Every page in content/ with its body, every URL and image.

    Files are read and bodies rendered over `workers` processes. Warnings are added to
    `warnings`; errors raise LitfassError with all of them.
    """
    files, found_files = find_files(config)
    problems = [p for p in found_files if p.severity == "error"]
    warnings.extend(p for p in found_files if p.severity == "warning")
    read = read_files(config, files.markdown, workers, use_cache)
    for item in read:
        (warnings if item.page else problems).extend(item.problems)
    read = [r for r in read if r.page is not None and r.source is not None]
    pages = [r.page for r in read if r.page is not None]
    sources = [r.source for r in read if r.source is not None]
    clashes = url_problems(pages)
    problems.extend(clashes)
    # Ids default to addresses: an address clash is already one message, not two.
    problems.extend(
        p for p in id_problems(config, pages) if p.path not in {c.path for c in clashes}
    )
    urls = content_urls(config, files, pages, sources)
    pictures = images.plan(config.root, config.content_dir, files.assets, urls)
    assets = _assets_by_url(urls)
    pages = [
        _with_body(config, s, p, urls, pictures, warnings, r.html, assets)
        for s, p, r in zip(sources, pages, read, strict=True)
    ]
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise LitfassError(errors + warnings)
    keys = {p.source: r.key for p, r in zip(pages, read, strict=True)}
    return Content(pages, urls, pictures, keys)


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
    html: str | None = None,
    assets: list[tuple[str, int, str]] | None = None,
) -> Page:
    """The page with its body: `html` if already rendered (cache), else rendered here.

    `assets` are the non-page files by URL (`_assets_by_url`), to find a bundle's files
    without a pass over all of them for every page.
    """
    if html is None:
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
    bundled: tuple[str, ...] = ()
    if source.content_rel.endswith("/index.md"):
        found = _under(assets if assets is not None else _assets_by_url(urls), page.url)
        bundled = tuple(rel for _, _, rel in sorted(found, key=lambda a: a[1]))
    summary = page.summary or first_paragraph(html)
    return dataclasses.replace(page, body_html=html, summary=summary, assets=bundled, **files)


def _assets_by_url(urls: dict[str, str]) -> list[tuple[str, int, str]]:
    """(URL, position, file) of every file that is not a page, sorted by URL."""
    return sorted(
        (url, position, rel)
        for position, (rel, url) in enumerate(urls.items())
        if not rel.endswith(".md")
    )


def _under(assets: list[tuple[str, int, str]], prefix: str) -> list[tuple[str, int, str]]:
    """The assets whose URL starts with `prefix`."""
    start = bisect.bisect_left(assets, (prefix, -1, ""))
    end = start
    while end < len(assets) and assets[end][0].startswith(prefix):
        end += 1
    return assets[start:end]


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
        rel = written.lstrip("/")
        return written if any((t / rel).is_file() for t in config.theme_paths) else None
    return images.resolve(written, posixpath.dirname(source.content_rel), urls)


def build(
    root: Path,
    options: BuildOptions,
    strict: bool = False,
    progress: Progress | None = None,
    workers: int = 1,
    use_cache: bool = True,
    check_fresh: bool = True,
) -> BuildResult:
    """Build the site in `root` into its output folder, atomically, over `workers` processes.

    With the cache, a build whose inputs did not change stops after checking them (unless
    the caller did that already: `check_fresh`), and one whose only change is the text of
    some bodies re-renders just the pages showing them.
    """
    started = time.perf_counter()
    with build_lock(root):
        result = None
        if use_cache and check_fresh:
            result = fresh_result(root, options.now, options.drafts, options.future, strict)
        if use_cache:
            result = result or _build_edited(root, options, strict, workers, progress)
        result = result or _build_all(root, options, strict, workers, use_cache, progress)
    return dataclasses.replace(result, seconds=time.perf_counter() - started)


def _build_all(
    root: Path,
    options: BuildOptions,
    strict: bool,
    workers: int,
    use_cache: bool,
    progress: Progress | None,
) -> BuildResult:
    before_config = state.scan(root, (), record=True)
    config, warnings = load_config(root)
    inputs = state.scan(root, (config.content_dir, config.templates_dir), record=True)
    inputs.files.update(before_config.files)  # the stamp from before config.yaml was read
    content = read_content(config, warnings, workers, use_cache)
    site = assemble(config, content.pages, options, content.urls, content.pictures)
    _check_strict(strict, warnings)
    theme = theme_files(config)
    compiled = cache_folder(root, "jinja") if use_cache else None
    env, _ = environment(config, theme, compiled)
    outputs = declare(site, theme)
    clashes = path_problems(outputs, config)
    if clashes:
        raise LitfassError(clashes)
    state.forget(root)
    staging = Staging(config.output_path)
    try:
        log = render_all(outputs, env, site, staging, workers, progress)
        _finish(config, staging, log.digests)
        paths = {o.path for o in outputs}
        previous = staging.commit(paths if use_cache else None)
    except BaseException:
        staging.discard()
        raise
    result = _result(site, outputs, staging, warnings, len(outputs))
    if use_cache:
        pages = content.pages
        snapshot = state.Snapshot(pages, content.urls, [o.path for o in outputs], site)
        scheduled = [p.date for p in pages if p.date is not None and p.date > options.now]
        valid_until = None if options.future or not scheduled else min(scheduled)
        _save(config, inputs, options, result, snapshot, content.keys, log, previous, valid_until)
    return result


def _index(config: Config, staging: Staging, digests: dict[str, bytes]) -> None:
    """The search index of the staged site, from the cache when no page changed."""
    if not config.search:
        return
    fingerprint = search.Fingerprint()
    for path in sorted(digests):
        fingerprint.add(path, digests[path])
    search.index(config.root, staging, fingerprint)


def _finish(config: Config, staging: Staging, digests: dict[str, bytes]) -> None:
    """What is made from the staged pages: the search index, then compressed copies."""
    _index(config, staging, digests)
    # After the search index, so that its script and data are compressed too.
    if config.precompress:
        precompress(staging)


def _build_edited(
    root: Path, options: BuildOptions, strict: bool, workers: int, progress: Progress | None
) -> BuildResult | None:
    """Re-render only the outputs that read an edited body; None when more than bodies changed."""
    old = state.load(root)
    if old is None or (old.drafts, old.future) != (options.drafts, options.future):
        return None
    if old.today != options.now.date() or (old.valid_until and options.now >= old.valid_until):
        return None
    inputs = state.scan(root, old.inputs.folders, record=True)
    changed = inputs.changed(old.inputs, root)
    content = old.inputs.folders[0] + "/"
    if not changed or any(not (p.startswith(content) and p.endswith(".md")) for p in changed):
        return None
    if inputs.files.keys() != old.inputs.files.keys():
        return None  # a file came or went: lists and links may change
    if state.output_id(root / old.output) != old.output_id:
        return None
    snapshot = state.load_snapshot(root)
    config, _ = load_config(root)
    if snapshot is None or config.content_dir + "/" != content:
        return None
    if snapshot.site is None:
        return None
    edited = _edited_pages(config, snapshot, old, {p[len(content) :] for p in changed})
    if edited is None:
        return None
    keys, warnings = edited
    _check_strict(strict, warnings)
    # The pages are those of the last build, edited bodies filled in: so are its lists.
    site = dataclasses.replace(snapshot.site, config=config, now=options.now)
    theme = theme_files(config)
    outputs = declare(site, theme)
    if [o.path for o in outputs] != snapshot.outputs:
        return None
    sources = {f"{config.content_dir}/{p[len(content) :]}" for p in changed}
    stale = {o.path for o in outputs if _reads_any(old.body_reads.get(o.path), sources)}
    state.forget(root)
    staging = Staging(config.output_path, reuse=old.previous)
    try:
        kept = {o.path for o in outputs if o.path not in stale and staging.keep(o.path)}
        redo = [o for o in outputs if o.path not in kept]
        loaded = _load_bodies(config, snapshot, old, redo, sources)
        env, _ = environment(config, theme, cache_folder(root, "jinja"))
        log = render_all(redo, env, site, staging, workers, progress)
        if loaded is None or not set().union(*log.reads.values()) <= loaded:
            staging.discard()  # a body we did not load was read: build it all instead
            return None
        log = RenderLog({**old.body_reads, **log.reads}, {**old.digests, **log.digests})
        _finish(config, staging, log.digests)
        paths = set(snapshot.outputs)
        previous = staging.commit(paths, replaced=paths)
    except BaseException:
        staging.discard()
        raise
    result = _result(site, outputs, staging, warnings, len(redo))
    _save(config, inputs, options, result, None, keys, log, previous, old.valid_until)
    return result


def _edited_pages(
    config: Config, snapshot: state.Snapshot, old: state.State, edited: set[str]
) -> tuple[dict[str, str], list[Problem]] | None:
    """Read the edited pages again and put their bodies into the snapshot's pages.

    None unless only their bodies changed. Returns the new body keys and warnings.
    """
    shown = {f"{config.content_dir}/{rel}" for rel in edited}
    warnings = [w for w in old.warnings if w.path not in shown]
    keys = dict(old.body_keys)
    by_source = {p.source: p for p in snapshot.pages if p.source in shown}
    start = len(config.content_dir) + 1
    for source_rel, page in by_source.items():
        rel = source_rel[start:]
        try:
            source, new, found = read_page(config, config.content_path / rel, rel)
        except LitfassError:
            return None  # the full build reports it, with every other problem
        keys[page.source] = body_key(source.body, config.allow_html)
        [html] = render_bodies(config, [source], complete=False, keys=[keys[page.source]])
        pictures = snapshot.site.pictures
        new = _with_body(config, source, new, snapshot.urls, pictures, found, html)
        if _without_body(new) != page or new.extra != page.extra:
            return None
        _fill_body(page, new.body_html)
        warnings.extend(found)
    return (keys, warnings) if len(by_source) == len(shown) else None


def _fill_body(page: Page, html: str) -> None:
    """Give a page read from the snapshot its body in place, as its __init__ would.

    The snapshot's pages belong to this build alone; the site's lists hold the same
    objects, so filling in beats copying the page and every list that holds it.
    """
    object.__setattr__(page, "body_html", html)


def _load_bodies(
    config: Config,
    snapshot: state.Snapshot,
    old: state.State,
    redo: Sequence[Output],
    edited: set[str],
) -> set[str] | None:
    """Fill in the bodies the outputs to re-render read last time; return whose are there.

    Bodies come from the Markdown cache, their links resolved as in the full build.
    """
    wanted = set().union(*(old.body_reads.get(o.path, ()) for o in redo)) - edited
    by_source = {p.source: p for p in snapshot.pages if p.source in wanted}
    bodies = cached_bodies(config.root, [old.body_keys[s] for s in by_source])
    start = len(config.content_dir) + 1
    for source, page in by_source.items():
        html = bodies.get(old.body_keys[source])
        if html is None:
            return None
        _fill_body(page, resolve_links(html, source[start:], snapshot.urls))
    return set(by_source) | edited


def _without_body(page: Page) -> Page:
    return dataclasses.replace(page, body_html="")


def _reads_any(reads: set[str] | None, sources: set[str]) -> bool:
    """Whether an output read one of `sources`' bodies (unknown outputs are re-rendered)."""
    return reads is None or not reads.isdisjoint(sources)


def _check_strict(strict: bool, warnings: list[Problem]) -> None:
    if strict and warnings:
        raise LitfassError([dataclasses.replace(w, severity="error") for w in warnings])


def _result(
    site: Site,
    outputs: Sequence[Output],
    staging: Staging,
    warnings: list[Problem],
    rendered: int,
) -> BuildResult:
    return BuildResult(
        items=len(site.pages),
        pages=sum(o.path.endswith(".html") for o in outputs),
        files=len(outputs),
        written=staging.stats.written,
        unchanged=staging.stats.unchanged,
        warnings=tuple(sorted(warnings)),
        seconds=0.0,
        allow_html=site.config.allow_html,
        rendered=rendered,
    )


def _save(
    config: Config,
    inputs: state.Inputs,
    options: BuildOptions,
    result: BuildResult,
    snapshot: state.Snapshot | None,
    keys: dict[str, str],
    log: RenderLog,
    previous: list[str],
    valid_until: datetime | None,
) -> None:
    """Remember this build; a cache that cannot be written only costs the next build time."""
    remembered = state.State(
        inputs=inputs,
        drafts=options.drafts,
        future=options.future,
        today=options.now.date(),
        valid_until=valid_until,
        output=config.output_dir,
        output_id=state.output_id(config.output_path),
        result=result,
        warnings=list(result.warnings),
        body_keys=keys,
        body_reads=log.reads,
        digests=log.digests,
        previous=previous if config.output_path.parent.joinpath(PREVIOUS_NAME).is_dir() else None,
    )
    with contextlib.suppress(OSError):
        state.save(config.root, remembered, snapshot)


@dataclasses.dataclass(frozen=True)
class RenderLog:
    """What rendering found out: whose bodies each output read, a digest of each page."""

    reads: dict[str, set[str]]  # output path -> sources of the pages whose body it read
    digests: dict[str, bytes]  # path of each HTML output -> digest of its bytes (search)


def render_all(
    outputs: Sequence[Output],
    env: jinja2.Environment,
    site: Site,
    staging: Staging,
    workers: int = 1,
    progress: Progress | None = None,
) -> RenderLog:
    """Render and stage every output over `workers` processes."""
    for name in sorted({o.template for o in outputs if o.template}):
        # Compile once here, before workers are forked; errors are reported when rendering.
        with contextlib.suppress(jinja2.TemplateError):
            env.get_template(name)

    def render(part: range) -> tuple[int, WriteStats, list[str], RenderLog]:
        before, written = staging.stats, len(staging.written)
        staging.stats = WriteStats()  # counted afresh here: a worker's counts die with it
        log = RenderLog({}, {})
        for index in part:
            output = outputs[index]
            data, log.reads[output.path] = render_tracked(output, env, site)
            staging.put(output.path, data)
            if output.path.endswith(".html"):
                log.digests[output.path] = hashlib.blake2b(data, digest_size=20).digest()
        counted, staging.stats = staging.stats, before
        fresh = staging.written[written:]
        del staging.written[written:]
        return len(part), counted, fresh, log

    log = RenderLog({}, {})
    done = 0
    for count, stats, fresh, part in run_chunks(render, len(outputs), workers, ordered=False):
        done += count
        staging.stats.written += stats.written
        staging.stats.unchanged += stats.unchanged
        staging.written.extend(fresh)
        log.reads.update(part.reads)
        log.digests.update(part.digests)
        if progress:
            progress(done, len(outputs))
    return log


def declare_outputs(site: Site) -> list[Output]:
    """Every file a build of `site` would write, without producing any of them."""
    return declare(site, theme_files(site.config))
