"""Every producer of the site's files, listed in one place, and the check that no two clash.

Deciding which files exist is apart from producing their bytes (`litfass.render`).
"""

from __future__ import annotations

import contextlib
import posixpath
from collections import defaultdict
from collections.abc import Sequence

from litfass.config import Config
from litfass.errors import Problem
from litfass.folders import COMPRESSED_SUFFIXES, COMPRESSIBLE, SEARCH_FOLDER
from litfass.i18n import _
from litfass.outputs import (
    Output,
    calendars,
    feeds,
    files,
    htaccess,
    metadata,
    pages,
    redirects,
)
from litfass.outputs.theme import ThemeFile
from litfass.reuse import Reuse
from litfass.site import Site


def declare(site: Site, theme: Sequence[ThemeFile], reuse: Reuse | None = None) -> list[Output]:
    """Every file of the site, in a stable order.

    With the `reuse` of the last rebuild, outputs made from the very same pages and lists are
    the very same objects again (see reuse.py); the outputs are the same either way.
    """
    reuse = reuse or Reuse()
    reuse.begin()
    outputs = [
        *(
            output
            for language in site.config.site_languages
            for output in _in_language(site.translation(language.tag), reuse)
        ),
        *redirects.declare(site),
        *htaccess.declare(site),
        *files.declare(site, theme),
    ]
    # Last: the sitemap lists the pages declared above.
    outputs += metadata.declare(site, outputs, reuse)
    outputs.sort(key=_path)
    reuse.end()
    return outputs


def _in_language(site: Site, reuse: Reuse) -> list[Output]:
    """The pages, feeds and calendars of the site in one language (in its folder), each
    language's kept apart: their lists and items are other objects."""
    if site.home_url != "/":
        reuse = reuse.get(("language", site.config.language), (), Reuse)
        reuse.begin()
    outputs = [
        *pages.declare(site, reuse),
        *feeds.declare(site, reuse),
        *calendars.declare(site, reuse),
    ]
    if site.home_url != "/":
        reuse.end()
    return outputs


def _path(output: Output) -> str:
    return output.path


def path_problems(outputs: Sequence[Output], config: Config) -> list[Problem]:
    """Two outputs for one file, or a file where another output needs a folder.

    Each problem is put where an editor can fix it and names the other side.
    """
    by_path: dict[str, list[Output]] = defaultdict(list)
    for output in outputs:
        by_path[output.path].append(output)
    problems = []
    for path, group in sorted(by_path.items()):
        if len(group) > 1:
            what = _("address {url} is").format(url=_url(path))
            problems.append(_clash(config, group[0], group[1], what))
        parts = path.split("/")
        parent = next(
            ("/".join(parts[:i]) for i in range(1, len(parts)) if "/".join(parts[:i]) in by_path),
            None,
        )
        if parent is not None:
            what = _("address {url} needs /{parent} as a folder, which is").format(
                url=_url(path), parent=parent
            )
            problems.append(_clash(config, group[0], by_path[parent][0], what))
        made = _made_by_the_writer(path, by_path, config)
        if made:
            blamed = _origin(config, group[0])
            problems.append(
                Problem(
                    blamed[0],
                    blamed[1],
                    _("address {url} is also used by {what}").format(url=_url(path), what=made),
                )
            )
    return problems


def _made_by_the_writer(path: str, by_path: dict[str, list[Output]], config: Config) -> str:
    """What the writer adds at `path` after every declared file, if anything.

    An alias there would be overwritten, or, worse, shadow Pagefind's script or the
    compressed copy of a page that nginx serves in its place.
    """
    if config.search and path.split("/", 1)[0] == SEARCH_FOLDER:
        return _("the search index /{folder}/ made by Pagefind").format(folder=SEARCH_FOLDER)
    base, suffix = posixpath.splitext(path)
    compressed = suffix in COMPRESSED_SUFFIXES and base.endswith(COMPRESSIBLE)
    if config.precompress and compressed and base in by_path:
        return _("the compressed copy of /{path} (deploy: precompress)").format(path=base)
    return ""


def _clash(config: Config, one: Output, other: Output, what: str) -> Problem:
    first, second = sorted((_origin(config, one), _origin(config, other)), key=lambda o: o[2])
    path, line = first[:2]
    return Problem(
        path, line, _("{what} also used by {second}").format(what=what, second=second[3])
    )


def _origin(config: Config, output: Output) -> tuple[str, int, int, str]:
    """(file to blame, line, 0 if an editor's content file else 1, how to name it)."""
    page = output.context.get("page")
    if page is not None:
        key = "aliases" if output.template == "redirect.html" else "slug"
        line = page.lines.get(key, 0)
        named = f"{page.source}:{line}" if line else page.source
        return page.source, line, 0, named
    shown = output.context.get("shown")
    if shown:  # an image of content/, cleaned or resized
        return shown, 0, 0, shown
    if output.source is not None:
        with contextlib.suppress(ValueError):
            rel = output.source.relative_to(config.content_path).as_posix()
            shown = f"{config.content_dir}/{rel}"
            return shown, 0, 0, shown
        shown = config.shown(output.source)  # the site's theme file or the default theme's
        return shown, 0, 1, _("the theme's {shown}").format(shown=shown)
    made_by = f"{config.templates_dir}/{output.template}" if output.template else "litfass"
    return (
        made_by,
        0,
        1,
        _("the page {url} made by {made_by}").format(url=_url(output.path), made_by=made_by),
    )


def _url(path: str) -> str:
    return "/" + path.removesuffix("index.html")
