"""Produce the bytes of each Output: Jinja templates, feeds, copied files.

Template errors name the template file and line, as content errors do.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import traceback
from collections.abc import Callable, Iterable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from litfass.config import Config
from litfass.content.images import picture_html
from litfass.content.model import Page
from litfass.errors import LitfassError, unreadable
from litfass.i18n import _
from litfass.outputs import Output, calendars, feeds, metadata
from litfass.outputs.metadata import PageContext
from litfass.outputs.theme import AssetUrls, ThemeFile, theme_files
from litfass.outputs.translations import Translations, load_translations
from litfass.render.basepath import below_base
from litfass.site import Site


def environment(
    config: Config,
    theme: tuple[ThemeFile, ...] | None = None,
    compiled: Path | None = None,
) -> tuple[jinja2.Environment, Translations]:
    """The Jinja environment of the theme, strict about undefined names.

    Each template comes from the site's templates/ if it has one of that name, else from the
    default theme. With a `compiled` folder, compiled templates are kept there (checked
    against their source), so a small rebuild does not compile the theme again.
    """
    t = load_translations(config)
    cache = None
    if compiled is not None:
        compiled.mkdir(parents=True, exist_ok=True)
        cache = jinja2.FileSystemBytecodeCache(str(compiled))
    env = jinja2.Environment(
        bytecode_cache=cache,
        # No stat of the template's file at every get_template: an include inside a loop
        # would stat it once per card. A changed template makes the builder a new environment.
        auto_reload=False,
        loader=jinja2.FileSystemLoader(config.theme_paths),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["t"] = t
    env.globals["tn"] = t.plural
    env.globals["asset"] = AssetUrls(theme_files(config) if theme is None else theme)
    # A site in several languages: each language's pages get their table as `t` (see
    # `render_output`); the filters write dates with the table of the page being rendered.
    tables = {language.tag: t for language in config.site_languages[:1]}
    for language in config.site_languages[1:]:
        tables[language.tag] = load_translations(dataclasses.replace(config, language=language.tag))
    env.extend(translation_tables=tables)
    env.filters["date"] = _in_table(Translations.date)
    env.filters["time"] = _in_table(Translations.time)
    env.filters["when"] = _in_table(Translations.when)
    env.filters["iso"] = lambda value: value.isoformat()
    env.filters["absolute"] = config.absolute
    env.filters["json_script"] = json_script
    env.filters["by_month"] = by_month
    env.filters["webcal"] = partial(calendars.webcal, config)
    env.globals["calendar_url"] = calendars.calendar_url
    env.globals["feed_url"] = feeds.feed_url
    env.globals["social_meta"] = about_page(metadata.social_meta)
    env.globals["structured_data"] = about_page(metadata.structured_data)
    env.globals["feed_links"] = about_page(feeds.autodiscovery)
    env.globals["alternates"] = about_page(metadata.alternates)
    env.globals["picture"] = picture
    return env, t


def _in_table(method: Callable[..., str]) -> Callable[..., str]:
    """A filter that formats with the translation table of the page being rendered."""

    @jinja2.pass_context
    def call(context: jinja2.runtime.Context, *args: Any) -> str:
        return method(context["t"], *args)

    return call


def about_page(function: Callable[..., Any]) -> Callable[..., Any]:
    """A template global that reads which page is being rendered from the template context."""

    @jinja2.pass_context
    def call(context: jinja2.runtime.Context) -> Any:
        here = PageContext(
            url=context["url"],
            page=context.get("page"),
            listing=context.get("listing"),
            kind=context.get("kind") or "",
        )
        return function(context["site"], here, t=context["t"])

    return call


@jinja2.pass_context
def picture(
    context: jinja2.runtime.Context,
    url: str,
    alt: str,
    sizes: str,
    lazy: bool = True,
    css_class: str = "",
) -> Markup:
    """Responsive markup for a content image; a plain <img> for one without variants."""
    found = context["site"].pictures.get(url)
    if found is not None:
        return picture_html(found, alt, sizes, lazy, css_class)
    return Markup('<img src="{}" alt="{}"{}{}>').format(
        url,
        alt,
        Markup(' class="{}"').format(css_class) if css_class else "",
        Markup(' loading="lazy"') if lazy else "",
    )


def by_month(pages: Iterable[Page]) -> list[tuple[date, list[Page]]]:
    """Consecutive events grouped by the month they start in, order kept."""
    return [
        (month, list(group))
        for month, group in itertools.groupby(
            pages, key=lambda p: p.sort_date.date().replace(day=1)
        )
    ]


def json_script(value: object) -> Markup:
    """JSON safe inside <script>: no '</script>' or '<!--' can end the element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def render_output(output: Output, env: jinja2.Environment, site: Site) -> bytes | Path:
    """The bytes of one file of the site, or the file to copy as it is (the writer copies
    it in chunks: an attachment may be a 400 MB video)."""
    if output.produce is not None:
        return output.produce()
    if output.source is not None:
        return _copied(output.source, site.config)
    try:
        template = env.get_template(output.template)
    except jinja2.TemplateNotFound as exc:
        if exc.name != output.template:  # an {% extends %} or {% include %} inside it
            unknown = _("unknown template '{name}'").format(name=exc.name)
            raise _located(site.config, exc, unknown) from None
        shown = f"{site.config.templates_dir}/{output.template}"
        raise LitfassError.at(
            shown, 0, _("template not found (needed for {url})").format(url=_url(output))
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise _template_error(site.config, exc.filename, exc.lineno, exc.message or "") from None
    language = site.config.language_of(output.path)
    if language != site.config.language:
        t = env.translation_tables[language]  # type: ignore[attr-defined]
        site = site.translation(language)
        values = {"site": site, "t": t, "tn": t.plural, **output.context}
    else:
        values = {"site": site, **output.context}
    try:
        page = template.render(values)
    except jinja2.TemplateSyntaxError as exc:  # in a template it includes
        raise _template_error(site.config, exc.filename, exc.lineno, exc.message or "") from None
    except jinja2.TemplateNotFound as exc:
        unknown = _("unknown template '{name}'").format(name=exc.name)
        raise _located(site.config, exc, unknown) from None
    except RecursionError as exc:
        message = _("templates include or extend each other endlessly")
        raise _located(
            site.config,
            exc,
            _("{message} (while rendering {url})").format(message=message, url=_url(output)),
        ) from None
    except Exception as exc:  # any error in a theme's code is the theme's, with its line
        said = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        message = str(said) or type(exc).__name__
        raise _located(
            site.config,
            exc,
            _("{message} (while rendering {url})").format(message=message, url=_url(output)),
        ) from None
    if site.config.base_path != "/" and output.path.endswith(".html"):
        page = below_base(page, site.config.href)
    return page.encode("utf-8")


def _url(output: Output) -> str:
    return "/" + output.path.removesuffix("index.html")


def _copied(source: Path, config: Config) -> Path:
    """A file to copy into the site, once it is known to be readable."""
    try:
        shown = source.relative_to(config.root).as_posix()
    except ValueError:
        shown = str(source)
    try:
        with source.open("rb"):
            return source
    except OSError as exc:
        raise LitfassError.at(shown, 0, unreadable(exc)) from None


def _located(config: Config, exc: Exception, message: str) -> LitfassError:
    """Find the innermost template frame of a runtime error (Jinja keeps template lines)."""
    folders = [folder.resolve() for folder in config.theme_paths]
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename)
        if path.suffix in (".html", ".xml", ".txt") and any(
            path.resolve().is_relative_to(folder) for folder in folders
        ):
            return _template_error(config, str(path), frame.lineno or 0, message)
    return LitfassError.at(config.templates_dir, 0, message)


def _template_error(config: Config, filename: str | None, line: int, message: str) -> LitfassError:
    # A default theme's file is named in full: the site has no copy of it to point at.
    shown = config.shown(Path(filename)) if filename else config.templates_dir
    return LitfassError.at(shown, line, _("template error: {message}").format(message=message))
