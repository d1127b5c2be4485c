"""Read and validate config.yaml into a typed, frozen `Config`.

Read once, passed explicitly; never mutated and never the template context.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from litfass import hrefs
from litfass.destination import Destination, parse_destination
from litfass.digests import Stamp, stamp_or_missing
from litfass.digests import stamp as stamp_of
from litfass.errors import LitfassError, Problem, unreadable
from litfass.folders import CACHE_DIR, CONFIG_NAME, DEFAULT_THEME, cache_folder
from litfass.i18n import _
from litfass.languages import EASY_GERMAN, Language
from litfass.languages import LANGUAGES as WRITTEN
from litfass.values import (
    as_bool,
    as_int,
    decode,
    is_email,
    is_safe_link,
    is_site_path,
    is_web_url,
    mapping_problems,
    one_line,
)
from litfass.yamldoc import YamlMapping, load_mapping

LANGUAGES = tuple(WRITTEN)  # de, de-x-ls (Leichte Sprache), en, uk, ar, fa, tr
DEFAULT_TIMEZONE = "Europe/Berlin"  # the site's zone where config.yaml names none
_HOST = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:[0-9]{1,5})?")


@dataclass(frozen=True)
class Organisation:
    """The association behind the portal, for the Impressum, footer and metadata."""

    name: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    logo: str = ""


@dataclass(frozen=True)
class UrlScheme:
    """Where each kind of page lives; `{slug}` and `{year}` are filled in."""

    news: str = "/aktuelles/{slug}/"
    news_index: str = "/aktuelles/"
    events: str = "/veranstaltungen/{slug}/"
    events_index: str = "/veranstaltungen/"
    events_topic: str = "/veranstaltungen/thema/{slug}/"  # the calendar filtered by topic
    events_region: str = "/veranstaltungen/region/{slug}/"
    topics: str = "/themen/{slug}/"
    topics_index: str = "/themen/"
    regions: str = "/regionen/{slug}/"
    regions_index: str = "/regionen/"
    magazine: str = "/magazin/{slug}/"
    magazine_index: str = "/magazin/"
    pages: str = "/{slug}/"
    years: str = "/aktuelles/archiv/{year}/"
    feeds_index: str = "/abonnieren/"
    press_index: str = "/presse/"  # press releases only, with their feed, for journalists
    search_index: str = "/suche/"


@dataclass(frozen=True)
class TermInfo:
    """A topic or region the site names in config.yaml, with what its page shows."""

    name: str
    description: str = ""
    image: str = ""  # a site path (/themen/pflege.jpg: content/themen/pflege.jpg) or https://


@dataclass(frozen=True)
class NavItem:
    title: str
    url: str


@dataclass(frozen=True)
class SiteLanguage:
    """One language the site is published in: an entry of config.yaml's `languages:`."""

    written: Language  # tag, Babel locale, Open Graph locale
    name: str  # as the language switcher shows it, in the language itself
    prefix: str  # where its pages live: "/" for the main language, "/en/", "/leichte-sprache/"
    direction: str = "ltr"  # "rtl": the theme mirrors its layout
    # The site's title, tagline and menu in this language; empty: the main language's
    # (the menu's addresses then with this language's prefix).
    title: str = ""
    tagline: str = ""
    navigation: tuple[NavItem, ...] | None = None

    @property
    def tag(self) -> str:
        return self.written.tag

    def url(self, path: str) -> str:
        """A main-language site path (/aktuelles/x/) in this language (/en/aktuelles/x/)."""
        return self.prefix[:-1] + path


def main_language(tag: str) -> SiteLanguage:
    """A one-language site's language, as config.yaml's `language:` names it."""
    written = WRITTEN[tag]
    return SiteLanguage(written, written.name, "/", written.direction)


@dataclass(frozen=True)
class Config:
    """Everything config.yaml says, validated, with defaults filled in."""

    root: Path
    title: str
    base_url: str
    tagline: str = ""
    language: str = "de"
    timezone: str = DEFAULT_TIMEZONE
    organisation: Organisation = field(default_factory=Organisation)
    urls: UrlScheme = field(default_factory=UrlScheme)
    page_size: int = 10
    default_category: str = "Nachricht"
    press_category: str = "Pressemitteilung"
    navigation: tuple[NavItem, ...] = ()
    feed_items: int = 20
    feed_full_content: bool = True
    allow_html: bool = False
    precompress: bool = False  # deploy.precompress: .gz/.br beside text files for the web server
    search: bool = True  # a search page and its Pagefind index
    remote_images: tuple[str, ...] = ()  # hosts whose images pages may show (privacy)
    content_dir: str = "content"
    templates_dir: str = "templates"
    output_dir: str = "output"
    # The fixed lists of topics and regions, if the site keeps them (else any name is one).
    topics: tuple[TermInfo, ...] = ()
    regions: tuple[TermInfo, ...] = ()
    # publish.destination: where `publish` puts the site unless told otherwise (no password)
    publish_destination: Destination | None = None
    # config.yaml's `languages:`, the main language first; empty: the site has one language.
    languages: tuple[SiteLanguage, ...] = ()

    @property
    def written_in(self) -> Language:
        """The site's language: its name, Babel locale and writing direction."""
        return WRITTEN[self.language]

    @property
    def site_languages(self) -> tuple[SiteLanguage, ...]:
        """Every language the site is published in, the main language first."""
        return self.languages or (main_language(self.language),)

    @property
    def main_language(self) -> SiteLanguage:
        return self.site_languages[0]

    @property
    def translation_tags(self) -> tuple[str, ...]:
        """The languages an item's file may be a translation into (`name.en.md`)."""
        return tuple(language.tag for language in self.site_languages[1:])

    @property
    def list_addresses(self) -> frozenset[str]:
        """Each language's home page and every list's first page: addresses of no item,
        which the address record never answers as gone (a language's folder may be where a
        deleted page was: /leichte-sprache/)."""
        lists = ["/", *(v for k, v in vars(self.urls).items() if k.endswith("_index"))]
        return frozenset(language.url(url) for language in self.site_languages for url in lists)

    def site_language(self, tag: str) -> SiteLanguage:
        return next(language for language in self.site_languages if language.tag == tag)

    def language_of(self, path: str) -> str:
        """The language of a file of output/ (`en/aktuelles/x/index.html`: "en"), by its
        folder; the main language's for every other file."""
        for language in self.site_languages[1:]:
            if path.startswith(language.prefix[1:]):
                return language.tag
        return self.site_languages[0].tag

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def content_path(self) -> Path:
        return self.root / self.content_dir

    @property
    def templates_path(self) -> Path:
        return self.root / self.templates_dir

    @property
    def theme_paths(self) -> tuple[Path, ...]:
        """Where theme files are looked up, first match wins: the site's templates/, then
        the default theme (the same folder once when the site uses it as its templates/)."""
        if self.templates_path.resolve() == DEFAULT_THEME.resolve():
            return (self.templates_path,)
        return (self.templates_path, DEFAULT_THEME)

    @property
    def output_path(self) -> Path:
        return self.root / self.output_dir

    def shown(self, path: Path) -> str:
        """A file's name in messages: from the site's folder, or in full outside it."""
        for base, file in (
            (self.root.absolute(), path.absolute()),
            (self.root.resolve(), path.resolve()),  # the site's folder or the file is a link
        ):
            if file.is_relative_to(base):
                return file.relative_to(base).as_posix()
        return str(path)

    def remote_image_host(self, written: str) -> str | None:
        """The host readers' browsers would ask for an image written as `written`, when it
        is another host than the site's and `remote_images` does not name it; else None.

        Read as a browser reads it (`hrefs.py`): `//host/x.gif`, `https:\\\\host/x.gif` and
        `/\\host/x.gif` all ask `host`, whatever a check for `://` would think.
        """
        url = hrefs.parsed(written, self.base_url + "/")
        if url is None or hrefs.remote_host(written, self.base_url + "/") is None:
            return None
        host = url.hostname.lower()
        if host in self.remote_images or url.host.lower() in self.remote_images:
            return None
        return host

    def term_info(self, kind: str, name: str) -> TermInfo | None:
        """The description and image config.yaml gives a topic or region, if any."""
        terms = self.topics if kind == "topic" else self.regions
        return next((t for t in terms if t.name.casefold() == name.casefold()), None)

    @property
    def base_path(self) -> str:
        """The site's folder on its host, from base_url: '/' or '/portal/'."""
        return urlsplit(self.base_url).path.rstrip("/") + "/"

    def href(self, url: str) -> str:
        """A site path ('/aktuelles/x/', as content and templates write it) as the host has
        it: below base_url's folder ('/portal/aktuelles/x/'). Every other address as is."""
        if url.startswith("/") and not url.startswith("//"):
            return self.base_path[:-1] + url
        return url

    def absolute(self, url: str) -> str:
        """Make a site-relative URL absolute with the base URL."""
        if "://" in url or url.startswith("mailto:"):
            return url
        return self.base_url + url


_TOP_KEYS = {
    "title", "tagline", "base_url", "language", "timezone", "organisation", "urls",
    "page_size", "default_category", "press_category", "navigation", "feeds", "markdown",
    "deploy", "content_dir", "templates_dir", "output_dir", "search", "remote_images",
    "topics", "regions", "publish", "languages",
}  # fmt: skip
_LANGUAGE_KEYS = {"language", "name", "prefix", "direction", "title", "tagline", "navigation"}
# Where a language's pages live unless config.yaml says: Leichte Sprache's readers look for
# the words, not a private-use tag.
_DEFAULT_PREFIXES = {EASY_GERMAN: "/leichte-sprache/"}
_PREFIX = re.compile(r"/[a-z0-9]+(-[a-z0-9]+)*/")
_TERM_KEYS = ("description", "image")


@dataclass(frozen=True)
class ConfigFile:
    """config.yaml as read, once per command: its YAML, or why it has none."""

    root: Path
    doc: YamlMapping | None
    errors: tuple[Problem, ...] = ()
    # Taken before the bytes were read: a save after it counts as a change for the next
    # build, never as seen.
    stamp: Stamp | None = None
    # `language` as written, known before the rest is validated: the messages about the
    # rest are said in it (found by plain YAML where the file breaks litfass's rules).
    language: str | None = None


@dataclass(frozen=True)
class Settings:
    """config.yaml read and validated once: the Config and its warnings, or every error.

    The command line reads it before anything else (its language is the messages'
    language) and hands it to the command; a command that needs the site raises its errors.
    """

    root: Path
    config: Config | None
    warnings: tuple[Problem, ...] = ()
    errors: tuple[Problem, ...] = ()
    stamp: Stamp | None = None

    def loaded(self) -> tuple[Config, list[Problem]]:
        """The config and its warnings; raise with every error if there is none."""
        if self.config is None:
            raise LitfassError(list(self.errors))
        return self.config, list(self.warnings)

    def unchanged(self) -> bool:
        """Whether config.yaml is still the file that was read (by its stamp). Settings made
        from a Config (the import's check of the site it writes into) are taken as they are;
        a file that could not be read is read again."""
        if self.stamp is None:
            return self.config is not None
        return self.stamp == stamp_or_missing(self.root / CONFIG_NAME)

    @property
    def tz(self) -> ZoneInfo:
        """The site's time zone (the default one while config.yaml is broken)."""
        return self.config.tz if self.config is not None else ZoneInfo(DEFAULT_TIMEZONE)


def read_config_file(root: Path, name: str = CONFIG_NAME) -> ConfigFile:
    """Read and parse `root/name` once; a missing or broken file is kept as its errors."""
    path = root / name
    try:
        stat = path.stat()
        data = path.read_bytes()
    except FileNotFoundError:
        message = _("no config.yaml here; run litfass in the site's folder")
        return ConfigFile(root, None, (Problem(name, 0, message),))
    except IsADirectoryError:
        message = _("is a folder; config.yaml must be a file")
        return ConfigFile(root, None, (Problem(name, 0, message),))
    except OSError as exc:
        return ConfigFile(root, None, (Problem(name, 0, unreadable(exc)),))
    stamp = stamp_of(path, stat)
    try:
        doc = load_mapping(decode(data, name), name)
    except LitfassError as exc:
        return ConfigFile(root, None, tuple(exc.problems), stamp, _plain_language(data))
    return ConfigFile(root, doc, (), stamp, _language(doc.data))


def _plain_language(data: bytes) -> str | None:
    """`language` as plain YAML reads it (a duplicate key: the last), if it can."""
    import yaml

    try:
        found = yaml.safe_load(data.decode("utf-8-sig"))
    except (ValueError, yaml.YAMLError):
        return None
    return _language(found) if isinstance(found, dict) else None


def _language(data: dict[str, Any]) -> str | None:
    """The main language: `language`, else the first of `languages`."""
    value = data.get("language")
    listed = data.get("languages")
    if value is None and isinstance(listed, list) and listed:
        first = listed[0]
        value = first.get("language") if isinstance(first, dict) else first
    return value.strip() if isinstance(value, str) and value.strip() else None


def validate(file: ConfigFile, name: str = CONFIG_NAME) -> Settings:
    """The settings of a file read by `read_config_file`: every problem collected."""
    if file.doc is None:
        return Settings(file.root, None, errors=file.errors, stamp=file.stamp)
    try:
        config, warnings = _Validator(name, file.doc, file.root).config()
    except LitfassError as exc:
        return Settings(file.root, None, errors=tuple(exc.problems), stamp=file.stamp)
    return Settings(file.root, config, tuple(warnings), stamp=file.stamp)


def read_settings(root: Path) -> Settings:
    """config.yaml read and validated: for the command line, and for the preview when the
    editor changed it."""
    return validate(read_config_file(root))


def load_config(root: Path, name: str = CONFIG_NAME) -> tuple[Config, list[Problem]]:
    """Read `root/name`; return the config and its warnings, or raise with every error."""
    return validate(read_config_file(root, name), name).loaded()


class _Validator:
    """Collects every problem in config.yaml before reporting."""

    def __init__(self, name: str, doc: YamlMapping, root: Path) -> None:
        self.name, self.doc, self.root = name, doc, root
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def config(self) -> tuple[Config, list[Problem]]:
        self._unknown_keys(self.doc.data, _TOP_KEYS)
        feeds = self._section("feeds", {"items", "content"})
        markdown = self._section("markdown", {"allow_html"})
        deploy = self._section("deploy", {"precompress"})
        publish = self._section("publish", {"destination"})
        values: dict[str, Any] = {
            "root": self.root,
            "title": self._text("title", required=True),
            "base_url": self._base_url(),
            "tagline": self._text("tagline"),
            "language": self._choice("language", LANGUAGES, "de"),
            "languages": self._languages(),
            "timezone": self._timezone(),
            "organisation": self._organisation(),
            "urls": self._urls(),
            "page_size": self._positive(self.doc.data, "page_size", 10),
            "default_category": self._text("default_category") or "Nachricht",
            "press_category": self._text("press_category") or "Pressemitteilung",
            "navigation": self._navigation(),
            "feed_items": self._positive(feeds, "items", 20, "feeds"),
            "feed_full_content": self._feed_content(feeds),
            "allow_html": self._bool(markdown, "allow_html", "markdown"),
            "precompress": self._bool(deploy, "precompress", "deploy"),
            "search": self._switch("search", default=True),
            "remote_images": self._hosts("remote_images"),
            "topics": self._terms("topics"),
            "regions": self._terms("regions"),
            "publish_destination": self._destination(publish),
        }
        values.update(self._folders())
        if values["languages"]:
            values["language"] = self._main_language(values["language"], values["languages"])
        if self.errors:
            raise LitfassError(self.errors + self.warnings)
        return Config(**values), self.warnings

    def _error(self, key: str, message: str) -> None:
        self.errors.append(Problem(self.name, self.doc.line(key), message))

    def _unknown_keys(self, data: dict[str, Any], known: set[str], section: str = "") -> None:
        for key in data:
            if key in known:
                continue
            import difflib  # here: every command reads config.yaml, few have a typo in it

            near = difflib.get_close_matches(str(key), sorted(known), n=1)
            hint = _("; did you mean '{near}'?").format(near=near[0]) if near else ""
            if section:
                said = _("unknown key in '{section}' '{key}'{hint}")
            else:
                said = _("unknown key '{key}'{hint}")
            message = said.format(section=section, key=key, hint=hint)
            line = self.doc.line(section or str(key))
            self.warnings.append(Problem(self.name, line, message, "warning"))

    def _text(self, key: str, required: bool = False) -> str:
        value = self.doc.data.get(key)
        if value is None or value == "":
            if required:
                self._error(key, _("'{key}' is required").format(key=key))
            return ""
        if not isinstance(value, str):
            self._error(key, _("'{key}' must be text").format(key=key))
            return ""
        return one_line(value)

    def _base_url(self) -> str:
        url = self._text("base_url", required=True).rstrip("/")
        if url and (not is_web_url(url) or any(ch in url for ch in "?#\"'<> ")):
            self._error(
                "base_url",
                _("'base_url' must be a web address like https://www.example.de"),
            )
        elif not re.fullmatch(r"[A-Za-z0-9._~/-]*", urlsplit(url).path):
            # The folder is written into every page and into .htaccess as it is.
            self._error(
                "base_url",
                _("the folder in 'base_url' may have only letters a-z, digits, '-', '_' and '.'"),
            )
        return url

    def _folders(self) -> dict[str, str]:
        """content/, templates/ and output/: distinct plain folders inside the site's folder.

        output/ is swapped and deleted as a whole, so it may never be or hold anything else.
        """
        folders = {"content_dir": "content", "templates_dir": "templates", "output_dir": "output"}
        for key in folders:
            if key in self.doc.data:
                value = self._text(key).strip("/")
                parts = value.split("/")
                if not value or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
                    self._error(
                        key, _("'{key}' must be a folder inside the site's folder").format(key=key)
                    )
                    continue
                folders[key] = value
        names = list(folders.values())
        for key, value in folders.items():
            clash = [n for n in names if n != value and (n + "/").startswith(value + "/")]
            if key in self.doc.data and (names.count(value) > 1 or clash):
                self._error(
                    key,
                    _("'{key}: {value}' must not be or contain another folder").format(
                        key=key, value=value
                    ),
                )
        if not self.errors:
            self._output_apart(folders)
        return folders

    def _output_apart(self, folders: dict[str, str]) -> None:
        """output/ neither holds nor lies inside an input folder or the cache, links followed.

        A build replaces output/ as a whole: inside templates/ it would delete the theme,
        inside content/ it would be read back as content.
        """
        root = self.root.resolve()
        output = (root / folders["output_dir"]).resolve()
        line_key = "output_dir"
        if output == root or root.is_relative_to(output):
            message = _("'output_dir: {value}' must be a folder inside the site's folder")
            self._error(line_key, message.format(value=folders["output_dir"]))
            return
        if output.exists() and not output.is_dir():
            message = _("'output_dir: {value}' is a file; name a folder for the built site")
            self._error(line_key, message.format(value=folders["output_dir"]))
            return
        inputs = {
            "content_dir": (root / folders["content_dir"]).resolve(),
            "templates_dir": (root / folders["templates_dir"]).resolve(),
            CACHE_DIR: cache_folder(root).resolve(),
        }
        for name, folder in inputs.items():
            if output.is_relative_to(folder) or folder.is_relative_to(output):
                shown = folders.get(name, name)
                message = _(
                    "'output_dir: {value}' must neither contain nor lie inside '{other}': "
                    "every build replaces the output folder as a whole"
                )
                self._error(line_key, message.format(value=folders["output_dir"], other=shown))

    def _choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self._text(key) or default
        if value not in choices:
            self._error(
                key,
                _("'{key}' must be one of {choices}, not '{value}'").format(
                    key=key, choices=", ".join(choices), value=value
                ),
            )
        return value

    def _timezone(self) -> str:
        value = self._text("timezone") or DEFAULT_TIMEZONE
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # "Europe" is a folder
            self._error(
                "timezone",
                _("unknown time zone '{value}' (e.g. Europe/Berlin)").format(value=value),
            )
            return DEFAULT_TIMEZONE
        return value

    def _section(self, key: str, known: set[str]) -> dict[str, Any]:
        value = self.doc.data.get(key) or {}
        if not isinstance(value, dict):
            self._error(key, _("'{key}' must be a mapping of 'key: value' lines").format(key=key))
            return {}
        self._unknown_keys(value, known, key)
        return value

    def _dataclass(self, key: str, cls: type) -> Any:
        """A mapping of text such as `organisation`: a key it does not know is an error,
        as a comma in an unquoted address would otherwise lose text silently."""
        known = tuple(f.name for f in dataclasses.fields(cls))
        section = self.doc.data.get(key) or {}
        if not isinstance(section, dict):
            self._error(key, f"'{key}' must be a mapping of 'key: value' lines")
            return cls()
        for inner, message in mapping_problems(key, section, known):
            self._error(f"{key}.{inner}", message)
        values = {}
        for name, value in section.items():
            if name not in known or value is None:
                continue
            if not isinstance(value, str):
                self._error(key, _("'{key}.{name}' must be text").format(key=key, name=name))
                continue
            values[name] = one_line(value)
        return cls(**values)

    def _organisation(self) -> Organisation:
        org = self._dataclass("organisation", Organisation)
        if org.logo and not is_safe_link(org.logo):
            self._error(
                "organisation", _("'organisation.logo' must be a path like /static/logo.svg")
            )
        if org.email and not is_email(org.email):
            self._error(
                "organisation",
                _("'organisation.email' is not an e-mail address: '{email}'").format(
                    email=org.email
                ),
            )
        return org

    def _urls(self) -> UrlScheme:
        urls = self._dataclass("urls", UrlScheme)
        for name, value in vars(urls).items():
            if not value.startswith("/") or not value.endswith("/"):
                self._error(
                    "urls",
                    _("'urls.{name}' must start and end with '/': '{value}'").format(
                        name=name, value=value
                    ),
                )
            elif not is_site_path(value.replace("{slug}", "x").replace("{year}", "2019")):
                self._error(
                    "urls",
                    _("'urls.{name}' must be a plain path on this site: '{value}'").format(
                        name=name, value=value
                    ),
                )
            placeholder = "{year}" if name == "years" else "{slug}"
            if not name.endswith("_index") and placeholder not in value:
                self._error(
                    "urls",
                    _("'urls.{name}' must contain {placeholder}").format(
                        name=name, placeholder=placeholder
                    ),
                )
        return urls

    def _positive(self, data: dict[str, Any], key: str, default: int, section: str = "") -> int:
        value = as_int(data.get(key, default))
        if value is None or value < 1:
            name = f"{section}.{key}" if section else key
            self._error(
                section or key, _("'{name}' must be a whole number of at least 1").format(name=name)
            )
            return default
        return value

    def _switch(self, key: str, default: bool) -> bool:
        value = as_bool(self.doc.data.get(key, default))
        if value is None:
            self._error(key, _("'{key}' must be true or false").format(key=key))
            return default
        return value

    def _bool(self, data: dict[str, Any], key: str, section: str) -> bool:
        value = as_bool(data.get(key, False))
        if value is None:
            self._error(
                section,
                _("'{section}.{key}' must be true or false").format(section=section, key=key),
            )
            return False
        return value

    def _destination(self, publish: dict[str, Any]) -> Destination | None:
        """publish.destination: a web space's address without a password, or a folder."""
        value = publish.get("destination")
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            self._error("publish", _("'publish.destination' must be text"))
            return None
        try:
            return parse_destination(value, self.root)
        except ValueError as exc:
            self._error("publish", _("'publish.destination': {reason}").format(reason=exc))
            return None

    def _feed_content(self, feeds: dict[str, Any]) -> bool:
        value = feeds.get("content", "full")
        if value not in ("full", "summary"):
            self._error("feeds", _("'feeds.content' must be 'full' or 'summary'"))
        return value != "summary"

    def _hosts(self, key: str) -> tuple[str, ...]:
        """Host names, e.g. of image servers readers' browsers may be sent to."""
        value = self.doc.data.get(key) or []
        if isinstance(value, str):
            value = [value]
        hosts = (
            [h.strip().lower() for h in value if isinstance(h, str)]
            if isinstance(value, list)
            else []
        )
        if (
            not isinstance(value, list)
            or len(hosts) != len(value)
            or not all(_HOST.fullmatch(h) for h in hosts)
        ):
            self._error(
                key,
                _("'{key}' must be a list of host names like bilder.example.org").format(key=key),
            )
            return ()
        return tuple(hosts)

    def _terms(self, key: str) -> tuple[TermInfo, ...]:
        """`topics:` as a list of names, or names each with a description and an image."""
        value = self.doc.data.get(key)
        if value is None or value == "":
            return ()
        if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
            value = dict.fromkeys(value)
        if not isinstance(value, dict):
            message = _("'{key}' must be a list of names, or names each with description and image")
            self._error(key, message.format(key=key))
            return ()
        terms = []
        for name, about in value.items():
            about = about or {}
            if not isinstance(about, dict) or not all(isinstance(v, str) for v in about.values()):
                message = _("'{key}.{name}' must be 'description: ...' and 'image: ...' lines")
                self._error(key, message.format(key=key, name=name))
                continue
            self._unknown_keys(about, set(_TERM_KEYS), key)
            image = one_line(about.get("image") or "")
            if image and not is_safe_link(image):
                message = _("'{key}.{name}.image' must be a path like /themen/pflege.jpg")
                self._error(key, message.format(key=key, name=name))
                image = ""
            description = one_line(about.get("description") or "")
            terms.append(TermInfo(one_line(str(name)), description, image))
        return tuple(terms)

    def _languages(self) -> tuple[SiteLanguage, ...]:
        """`languages:`, a list of tags or of entries with language, name, prefix and
        direction; the first is the main language, at the site's root."""
        value = self.doc.data.get("languages")
        if value is None or value == "" or value == []:
            return ()
        if not isinstance(value, list):
            self._error("languages", _("'languages' must be a list like [de, en, uk]"))
            return ()
        languages: list[SiteLanguage] = []
        for entry in value:
            language = self._site_language(entry, main=not languages)
            if language is None:
                continue
            if any(language.tag == seen.tag for seen in languages):
                message = _("'languages' names '{language}' twice").format(language=language.tag)
                self._error("languages", message)
            elif any(language.prefix == seen.prefix for seen in languages):
                message = _("'languages': two languages have the prefix '{prefix}'")
                self._error("languages", message.format(prefix=language.prefix))
            else:
                languages.append(language)
        return tuple(languages)

    def _site_language(self, entry: object, main: bool) -> SiteLanguage | None:
        about = {"language": entry} if isinstance(entry, str) else entry
        if not isinstance(about, dict) or not isinstance(about.get("language"), str):
            self._error(
                "languages",
                _("each entry of 'languages' is a tag like 'en' or has 'language: en'"),
            )
            return None
        self._unknown_keys(about, _LANGUAGE_KEYS, "languages")
        tag = about["language"].strip()
        if tag not in WRITTEN:
            message = _("'languages': '{value}' is not one of {choices}")
            self._error("languages", message.format(value=tag, choices=", ".join(LANGUAGES)))
            return None
        written = WRITTEN[tag]
        name = about.get("name")
        name = one_line(name) if isinstance(name, str) and name.strip() else written.name
        direction = about.get("direction", written.direction)
        if direction not in ("ltr", "rtl"):
            message = _("'languages': the direction of '{language}' is 'ltr' or 'rtl'")
            self._error("languages", message.format(language=tag))
            direction = written.direction
        prefix = self._prefix(tag, about.get("prefix"), main)
        title, tagline = (self._entry_text(about, key, tag) for key in ("title", "tagline"))
        navigation = self._navigation(about["navigation"]) if "navigation" in about else None
        return SiteLanguage(written, name, prefix, direction, title, tagline, navigation)

    def _entry_text(self, about: dict[str, Any], key: str, tag: str) -> str:
        value = about.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            message = _("'languages': the {key} of '{language}' must be text")
            self._error("languages", message.format(key=key, language=tag))
            return ""
        return one_line(value)

    def _prefix(self, tag: str, value: object, main: bool) -> str:
        if main:
            if value not in (None, "", "/"):
                message = _("'languages': the first language is the main one, at '/'")
                self._error("languages", message)
            return "/"
        prefix = value if isinstance(value, str) else _DEFAULT_PREFIXES.get(tag, f"/{tag}/")
        prefix = "/" + prefix.strip().strip("/") + "/"
        if not _PREFIX.fullmatch(prefix):
            message = _("'languages': the prefix of '{language}' must be a folder like /en/")
            self._error("languages", message.format(language=tag))
        return prefix

    def _main_language(self, language: str, languages: tuple[SiteLanguage, ...]) -> str:
        """`language:` and `languages:` agree: the first of the list is the main language."""
        if "language" in self.doc.data and language != languages[0].tag:
            message = _("'language' is '{language}', but 'languages' starts with '{first}'")
            self._error("language", message.format(language=language, first=languages[0].tag))
        return languages[0].tag

    def _navigation(self, value: object = None) -> tuple[NavItem, ...]:
        """`navigation:`, or a language's own (`value`)."""
        if value is None:
            value = self.doc.data.get("navigation") or []
        items = []
        if not isinstance(value, list):
            self._error(
                "navigation",
                _("'navigation' must be a list of entries with title and url"),
            )
            return ()
        for entry in value:
            if not isinstance(entry, dict) or not all(
                isinstance(entry.get(k), str) and entry[k].strip() for k in ("title", "url")
            ):
                self._error("navigation", _("each navigation entry needs 'title' and 'url'"))
                continue
            url = entry["url"].strip()
            if not _is_nav_link(url):
                self._error(
                    "navigation",
                    _(
                        "navigation url '{url}' must be a path like /aktuelles/ or https://..."
                    ).format(url=url),
                )
                continue
            items.append(NavItem(one_line(entry["title"]), url))
        return tuple(items)


def _is_nav_link(url: str) -> bool:
    """A path, a web address or `mailto:` with a plain address, as in every other link field:
    `mailto:a@b.de?bcc=...` would send copies of readers' mails elsewhere."""
    if url.lower().startswith("mailto:"):
        return is_email(url[len("mailto:") :])
    return is_safe_link(url)
