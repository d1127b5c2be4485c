"""The browser editor's `config.yml`, made from the front-matter table in `content/schema.py`.

One collection per kind, one form field per key: a key added to the table appears in the
editor without touching this file. `Backend` says where the editor saves: the preview's own
endpoint (`litfass serve`) or a git host for the live site. A site in several languages gets
Decap's i18n: one form with a tab per language, each saved to its own file (`index.en.md`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import yaml

from litfass.config import Config
from litfass.content.files import find_files
from litfass.content.frontmatter import read_source
from litfass.content.model import EVENT, MAGAZINE, NEWS, PAGE
from litfass.content.pages import FOLDERS, read_page
from litfass.content.schema import FIELDS, KINDS, Field, fields_of
from litfass.errors import LitfassError
from litfass.i18n import N_, _, catalog
from litfass.languages import TRANSLATED_KEYS
from litfass.site import is_public

API = "/admin/api/v1"  # where `litfass serve` answers the editor's local backend protocol
STYLE = "/static/style.css"  # the theme's stylesheet under its plain name, for the preview pane
SLUG_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"
DAY, MOMENT = "YYYY-MM-DD", "YYYY-MM-DD HH:mm"  # what litfass.dates reads, as moment.js writes
GIT_HOSTS = ("forgejo", "gitea", "github", "gitlab")
NO_WORKFLOW = ("gitea",)  # Decap's gitea backend saves straight to the branch; forgejo reviews

# The file names `litfass new` makes: news and events start with their day (an event's start);
# every item is a folder of its own so its images sit beside it (`image: foto.jpg`).
NAMES = {
    NEWS: "{{year}}-{{month}}-{{day}}-{{fields.slug}}",
    EVENT: "{{fields.start | date('YYYY-MM-DD')}}-{{fields.slug}}",
    MAGAZINE: "{{fields.slug}}",
    PAGE: "{{fields.slug}}",
}
# English, marked for the catalog, said in the site's language (`_say`).
COLLECTIONS = {
    NEWS: (N_("News"), N_("News item")),
    EVENT: (N_("Events"), N_("Event")),
    MAGAZINE: (N_("Magazine"), N_("Issue")),
    PAGE: (N_("Pages"), N_("Page")),
}
WORDS = {
    "body": N_("Text"),
    "name": N_("Name"),
    "address": N_("Address"),
    "online": N_("Online event"),
    "url": N_("Link to the online event"),
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "alias": N_("Web address"),
    "slug rule": N_("only lower-case letters a-z, digits 0-9 and hyphens"),
}
Say = Callable[[str], str]


@dataclass(frozen=True)
class Backend:
    """Where the editor reads and saves: the preview (`local`) or a git host."""

    name: str = "local"  # local, forgejo, gitea, github or gitlab
    repo: str = ""  # owner/name on the git host
    branch: str = "main"
    base_url: str = ""  # the git host's address, for a self-hosted Gitea/Forgejo or GitLab
    site_url: str = ""  # the live site, for the editor's "view live" links
    app_id: str = ""  # the OAuth application's client id on the git host (login with PKCE)


@dataclass(frozen=True)
class Terms:
    """The topics and regions the editor offers: config.yaml's lists, or those items use."""

    topics: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # of news: config.yaml's two


def _categories(config: Config) -> tuple[str, ...]:
    return tuple(dict.fromkeys((config.default_category, config.press_category)))


def config_yml(
    config: Config,
    backend: Backend = Backend(),
    terms: Terms | None = None,
    fields: tuple[Field, ...] = FIELDS,
    public_at: datetime | None = None,
) -> str:
    """The text of config.yml for the site `config` saving through `backend`; the terms
    offered are those of items public at `public_at` when given (see `known_terms`)."""
    terms = known_terms(config, public_at) if terms is None else terms
    words = "en" if config.language == "en" else "de"
    say = catalog(words).gettext
    document = {
        "locale": words,
        **_backend(backend),
        **_languages(config, backend),
        "media_folder": f"{config.content_dir}/media",  # unused: every collection keeps its own
        # File names arrive as the editor's computer spells them ("Übergabe", not "Ubergabe"):
        # the backend renames each upload by litfass.slugs, the rule `new --image` follows.
        "slug": {"encoding": "unicode", "clean_accents": False, "sanitize_replacement": "-"},
        "collections": [
            _collection(config, kind, say, replace(terms, categories=_categories(config)), fields)
            for kind in KINDS
        ],
    }
    if "i18n" in document:
        document["collections"] = [_translated(c) for c in document["collections"]]
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


def _languages(config: Config, backend: Backend) -> dict[str, Any]:
    """Decap's i18n for a site in several languages, with the preview's backend only.

    Decap names every language's file, the main one's too (`index.de.md`); litfass names the
    original `index.md`. The preview's backend (`cms.py`) translates between the two; a git
    host's API cannot, so there the editor stays with the main language and translations are
    written as files (docs/redaktion.md).
    """
    if not config.translation_tags or backend.name != "local":
        return {}
    locales = [language.tag for language in config.site_languages]
    return {
        "i18n": {
            "structure": "multiple_files",
            "locales": locales,
            "default_locale": config.main_language.tag,
        }
    }


def _translated(collection: dict[str, Any]) -> dict[str, Any]:
    """A collection whose words (TRANSLATED_KEYS and the text) have a tab per language.

    Every other field (date, place, topics, image...) is the original's alone, hidden in
    the other tabs: not `duplicate`, whose copies in each translation would go stale when
    the original is changed as a file, and which the build could not tell from a value a
    translator chose.
    """
    fields = [
        {**field, "i18n": True} if field["name"] in (*TRANSLATED_KEYS, "body") else field
        for field in collection["fields"]
    ]
    return {**collection, "i18n": True, "fields": fields}


def _backend(backend: Backend) -> dict[str, Any]:
    if backend.name == "local":
        return {"backend": {"name": "proxy", "proxy_url": API, "branch": backend.branch}}
    settings: dict[str, Any] = {
        "name": backend.name,
        "repo": backend.repo,
        "branch": backend.branch,
    }
    if backend.app_id:
        settings["app_id"] = backend.app_id
    if backend.base_url:
        host = backend.base_url.rstrip("/")
        settings["base_url"] = host
        settings["api_root"] = host + {"github": "/api/v3", "gitlab": "/api/v4"}.get(
            backend.name, "/api/v1"
        )
    document: dict[str, Any] = {"backend": settings}
    if backend.name not in NO_WORKFLOW:
        # Draft -> In review -> Ready: a branch and pull request per item until it is published.
        document["publish_mode"] = "editorial_workflow"
    if backend.site_url:
        document["site_url"] = backend.site_url
    return document


def _collection(
    config: Config, kind: str, say: Say, terms: Terms, fields: tuple[Field, ...]
) -> dict[str, Any]:
    folder = next(name for name, of in FOLDERS.items() if of == kind)
    label, singular = COLLECTIONS[kind]
    return {
        "name": folder,
        "label": say(label),
        "label_singular": say(singular),
        "folder": f"{config.content_dir}/{folder}",
        "create": True,
        "extension": "md",
        "format": "yaml-frontmatter",
        "slug": NAMES[kind],
        "path": "{{slug}}/index",
        "media_folder": "",  # images beside the item's index.md
        "public_folder": "",  # and named in the front matter without a folder
        "summary": "{{title}}",
        "sortable_fields": ["title", *(["date"] if kind != PAGE else [])],
        "fields": [
            *(_field(field, kind, say, terms) for field in fields_of(kind, fields)),
            {"name": "body", "label": say(WORDS["body"]), "widget": "markdown"},
        ],
    }


def _field(field: Field, kind: str, say: Say, terms: Terms) -> dict[str, Any]:
    described: dict[str, Any] = {
        "name": field.name,
        "label": say(field.label),
        "required": kind in field.required,
    }
    if field.hint:
        described["hint"] = say(field.hint)
    described.update(_widget(field, say, terms))
    if field.name == "draft":
        described["default"] = True  # like `litfass new`: nothing appears by accident
    return described


def _widget(field: Field, say: Say, terms: Terms) -> dict[str, Any]:
    """The editor's widget for a value of the field's type."""
    kind = field.type
    if kind in ("date", "datetime"):
        return {
            "widget": "datetime",
            "format": DAY if kind == "date" else MOMENT,
            "date_format": "DD.MM.YYYY",
            "time_format": False if kind == "date" else "HH:mm",
            "picker_utc": False,
        }
    if kind in ("terms", "term"):
        return _terms(terms.topics if kind == "terms" else terms.regions, kind == "terms")
    if kind == "choice":
        return {"widget": "select", "options": list(field.choices)}
    if kind == "category":
        return {"widget": "select", "options": list(terms.categories)}
    if kind in ("location", "contact"):
        return _object(kind, say)
    simple: dict[str, dict[str, Any]] = {
        "long text": {"widget": "text"},
        "bool": {"widget": "boolean"},
        "number": {"widget": "number", "value_type": "int"},
        "image": {"widget": "image", "choose_url": False},
        "file": {"widget": "file", "choose_url": False},
        "slug": {"widget": "string", "pattern": [SLUG_PATTERN, say(WORDS["slug rule"])]},
        "links": {"widget": "list", "field": _text("alias", say)},
    }
    return simple.get(kind, {"widget": "string"})


def _terms(known: tuple[str, ...], many: bool) -> dict[str, Any]:
    if not known:  # a new site: names are typed, comma-separated
        return {"widget": "list"} if many else {"widget": "string"}
    return {"widget": "select", "multiple": many, "options": list(known)}


def _object(kind: str, say: Say) -> dict[str, Any]:
    names = (
        ("name", "address", "online", "url") if kind == "location" else ("name", "phone", "email")
    )
    parts = [
        {**_text(name, say), "widget": "boolean"} if name == "online" else _text(name, say)
        for name in names
    ]
    return {"widget": "object", "collapsed": False, "fields": parts}


def _text(name: str, say: Say) -> dict[str, Any]:
    return {"name": name, "label": say(WORDS[name]), "widget": "string", "required": False}


def known_terms(config: Config, public_at: datetime | None = None) -> Terms:
    """The topics and regions config.yaml lists; where it lists none, those written in the
    site's items, each once, sorted.

    With `public_at` (the editor for the live site, published in output/admin/), only the
    items public at that moment count: a draft's or scheduled item's topic ("Schließung
    Kita Nord") must not be read there before the item is. The preview's own editor
    (`public_at` None) shows the terms of every item: it works on drafts, on this computer.
    """
    listed = Terms(tuple(t.name for t in config.topics), tuple(t.name for t in config.regions))
    if listed.topics and listed.regions:
        return listed
    used = _used_terms(config, public_at)
    return Terms(listed.topics or used.topics, listed.regions or used.regions)


def _used_terms(config: Config, public_at: datetime | None) -> Terms:
    topics: set[str] = set()
    regions: set[str] = set()
    try:
        files, _ = find_files(config)
    except LitfassError:
        return Terms()
    for path, content_rel in files.markdown:
        try:
            if public_at is None:
                data = read_source(path, content_rel, content_rel).meta.data
            else:
                source, page = read_page(config, path, content_rel)[:2]
                if not is_public(page, public_at):
                    continue
                data = source.meta.data
        except LitfassError:
            continue  # a broken file is `check`'s business (and a draft until it is not)
        topics.update(_names(data.get("tags")))
        regions.update(_names(data.get("region")))
    return Terms(tuple(sorted(topics)), tuple(sorted(regions)))


def _names(value: object) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [" ".join(v.split()) for v in values if isinstance(v, str) and v.strip()]


def check_backend(backend: Backend) -> None:
    """Refuse a git backend that lacks what the editor needs to log in."""
    if backend.name != "local" and backend.name not in GIT_HOSTS:
        message = _("unknown backend '{name}'").format(name=backend.name)
        raise LitfassError.at("--backend", 0, message)
    if backend.name != "local" and "/" not in backend.repo:
        raise LitfassError.at("--repo", 0, _("the repository is needed as owner/name"))
