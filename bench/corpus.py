"""Write one deterministic German corpus as a litfass site, a Pelican site and a Hugo site.

Each item is ~600 words with headings, a list, a table, a quote and links; the same text
goes to all three tools so that they render equal work.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-11-20 12:00"  # every tool builds as of this day; news are dated before it
TAGS = [
    "Wohnen", "Pflege", "Eingliederungshilfe", "Kinder und Jugend", "Migration", "Ehrenamt",
    "Armut", "Gesundheit", "Familie", "Senioren", "Inklusion", "Schuldnerberatung",
    "Sucht", "Frauen", "Bildung", "Digitalisierung", "Fachkräfte", "Kita", "Tafeln", "Queer",
]  # fmt: skip
REGIONS = [
    "Dresden", "Leipzig", "Chemnitz", "Görlitz", "Zwickau", "Bautzen", "Plauen",
    "Freiberg", "Pirna", "Meißen", "Riesa", "Torgau",
]  # fmt: skip
NOUNS = [
    "Träger", "Wohnungswirtschaft", "Beratungsstelle", "Fachtag", "Landesregierung",
    "Mitgliedsorganisation", "Förderung", "Eingliederungshilfe", "Pflegekasse", "Kommune",
    "Ehrenamtliche", "Sozialarbeit", "Finanzierung", "Fachkräftemangel", "Quartier",
    "Teilhabe", "Jugendhilfe", "Beratung", "Angehörige", "Kostenträger", "Verwaltung",
    "Schuldnerberatung", "Familienzentrum", "Begegnungsstätte", "Straßensozialarbeit",
    "Übergangswohnheim", "Fortbildung", "Selbsthilfegruppe", "Haushaltsplan", "Tarifbindung",
]  # fmt: skip
VERBS = [
    "fordert", "unterstützt", "begleitet", "stärkt", "kritisiert", "begrüßt", "plant",
    "erweitert", "berät", "organisiert", "finanziert", "verbessert", "sichert", "würdigt",
]  # fmt: skip
ADJECTIVES = [
    "soziale", "verlässliche", "barrierefreie", "ehrenamtliche", "kommunale", "dringende",
    "langfristige", "gemeinsame", "zusätzliche", "fachliche", "regionale", "große",
    "öffentliche", "bezahlbare", "wohnortnahe", "unabhängige",
]  # fmt: skip
PEOPLE = ["Katrin Vogel", "Susanne Albrecht", "Jörg Müller", "Anja Weiß", "Thomas Größer"]
CATEGORIES = ["Pressemitteilung", "Nachricht", "Nachricht", "Stellungnahme"]
SENTENCES = 1500  # a pool per corpus: every item draws different ones in a different order


@dataclass(frozen=True)
class Item:
    """One news item or event, tool-neutral."""

    kind: str  # news or event
    slug: str
    title: str
    when: datetime
    category: str
    tags: tuple[str, ...]
    region: str
    summary: str
    body: str


def _sentence(rng: random.Random) -> str:
    words = [
        rng.choice(["Die", "Eine", "Jede"]),
        rng.choice(ADJECTIVES),
        rng.choice(NOUNS),
        rng.choice(VERBS),
        rng.choice(["die", "eine", "jede"]),
        rng.choice(ADJECTIVES),
        rng.choice(NOUNS),
    ]
    tail = rng.choice(
        [
            "in der Region",
            "seit dem vergangenen Jahr",
            "mit Nachdruck",
            "für Menschen mit Unterstützungsbedarf",
            "gemeinsam mit dem Land",
            "trotz knapper Mittel",
            "über die Grenzen der Landkreise hinweg",
        ]
    )
    return " ".join(words) + f" {tail}."


class Writer:
    """Draws paragraphs, lists and tables from a fixed pool of sentences."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.pool = [_sentence(self.rng) for _ in range(SENTENCES)]

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.rng.choice(self.pool) for _ in range(sentences))

    def body(self, number: int, links: list[tuple[str, str]]) -> str:
        """About 600 words: text, two headings, a list, a quote, a table, links."""
        rng = self.rng
        (a_title, a_url), (b_title, b_url) = links
        rows = "\n".join(
            f"| {rng.choice(REGIONS)} | {rng.randint(10, 900)} | {rng.choice(ADJECTIVES)} |"
            for _ in range(5)
        )
        items = "\n".join(f"- {self.paragraph(1)}" for _ in range(5))
        return "\n\n".join(
            [
                self.paragraph(8),
                f"„{self.paragraph(2)}“, sagt {rng.choice(PEOPLE)}. Mehr dazu unter "
                f"[{a_title}]({a_url}) und in der Meldung [{b_title}]({b_url}).",
                f"## {rng.choice(ADJECTIVES).capitalize()} {rng.choice(NOUNS)} Nr. {number}",
                self.paragraph(7),
                "Im Mittelpunkt stehen:\n\n" + items,
                f"> {self.paragraph(3)}",
                f"## {rng.choice(NOUNS)} in Zahlen",
                "| Region | Plätze | Einschätzung |\n|---|---:|---|\n" + rows,
                self.paragraph(8),
                f"### {rng.choice(NOUNS)} und {rng.choice(NOUNS)}",
                self.paragraph(9) + f" Fragen beantwortet **{rng.choice(PEOPLE)}**.",
            ]
        )


def items(count: int, seed: int = 4000) -> list[Item]:
    """Three quarters news, one quarter events; dates spread over the years before NOW."""
    writer = Writer(seed)
    rng = writer.rng
    news_count = count * 3 // 4
    start = datetime(2010, 1, 4, 9, 0)
    news_step = (datetime(2026, 11, 1) - start) / max(1, news_count)
    event_step = (datetime(2027, 12, 1) - datetime(2018, 1, 1)) / max(1, count - news_count)
    result = []
    titles: list[tuple[str, str]] = [("Aktuelles", "/aktuelles/"), ("Themen", "/themen/")]
    for number in range(count):
        kind = "news" if number < news_count else "event"
        index = number if kind == "news" else number - news_count
        noun, adjective = rng.choice(NOUNS), rng.choice(ADJECTIVES)
        title = f"{adjective.capitalize()} {noun}: {rng.choice(REGIONS)} {rng.choice(VERBS)} {rng.choice(NOUNS)} ({number + 1})"
        slug = f"{kind}-{number + 1:05d}"
        if kind == "news":
            when = start + news_step * index
        else:
            when = datetime(2018, 1, 1, 10, 0) + event_step * index
        when = when.replace(second=0, microsecond=0)
        links = [rng.choice(titles), rng.choice(titles)]
        folder = "aktuelles" if kind == "news" else "veranstaltungen"
        titles.append((title, f"/{folder}/{slug}/"))
        result.append(
            Item(
                kind=kind,
                slug=slug,
                title=title,
                when=when,
                category=rng.choice(CATEGORIES),
                tags=tuple(sorted(rng.sample(TAGS, rng.randint(1, 3)))),
                region=rng.choice(REGIONS),
                summary=writer.paragraph(2),
                body=writer.body(number + 1, links),
            )
        )
    return result


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _with_corpus_terms(config: str) -> str:
    """The example's config with the corpus's own topics and regions as its fixed lists: the
    example's lists would make a warning (and a closest-name search) of almost every item."""
    data = yaml.safe_load(config)
    data["topics"], data["regions"] = TAGS, REGIONS
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def write_litfass(target: Path, corpus: list[Item], search: bool = True) -> None:
    """The example portal's config and theme with the corpus as content/.

    Without `search` the site has neither a search index nor precompressed .gz/.br copies:
    the files Pelican and Hugo make.
    """
    target.mkdir(parents=True)
    config = (REPO / "config.yaml").read_text(encoding="utf-8")
    if not search:
        config = config.replace("precompress: true", "precompress: false").rstrip("\n")
        config += "\nsearch: false\n"
    (target / "config.yaml").write_text(_with_corpus_terms(config), encoding="utf-8")
    shutil.copytree(REPO / "templates", target / "templates")
    shutil.copytree(REPO / "content" / "pages", target / "content" / "pages")
    for kind in ("news", "events"):
        (target / "content" / kind).mkdir(parents=True)
    for item in corpus:
        tags = ", ".join(item.tags)
        when = item.when.strftime("%Y-%m-%d %H:%M")
        if item.kind == "news":
            meta = f'date: "{when}"\ncategory: {item.category}\n'
            folder = "news"
        else:
            end = (item.when + timedelta(hours=6)).strftime("%Y-%m-%d %H:%M")
            meta = (
                f'start: "{when}"\nend: "{end}"\n'
                f'location: {{name: Volkshaus {item.region}, address: "Markt 1, {item.region}"}}\n'
                "registration: anmeldung@paritaet-beispiel.de\n"
            )
            folder = "events"
        text = (
            f"---\ntitle: {_quoted(item.title)}\n{meta}tags: [{tags}]\nregion: {item.region}\n"
            f"summary: {_quoted(item.summary)}\n---\n{item.body}\n"
        )
        (target / "content" / folder / f"{item.slug}.md").write_text(text, encoding="utf-8")


PELICAN_CONF = """\
AUTHOR = "Paritätischer Beispielverband"
SITENAME = "Paritätischer Beispielverband Sachsen"
SITEURL = ""
PATH = "content"
TIMEZONE = "Europe/Berlin"
DEFAULT_LANG = "de"
DEFAULT_PAGINATION = 10
ARTICLE_URL = "aktuelles/{slug}/"
ARTICLE_SAVE_AS = "aktuelles/{slug}/index.html"
TAG_URL = "themen/{slug}/"
TAG_SAVE_AS = "themen/{slug}/index.html"
CATEGORY_URL = "regionen/{slug}/"
CATEGORY_SAVE_AS = "regionen/{slug}/index.html"
PAGINATION_PATTERNS = ((1, "{url}", "{save_as}"), (2, "{base_name}/seite/{number}/", "{base_name}/seite/{number}/index.html"))
FEED_DOMAIN = "https://www.paritaet-beispiel.de"
FEED_ALL_RSS = "aktuelles/feed.xml"
FEED_MAX_ITEMS = 20
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "tags", "categories"]
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
"""


def write_pelican(target: Path, corpus: list[Item]) -> None:
    """Pelican articles: the region is the category (one per item), tags are tags."""
    (target / "content").mkdir(parents=True)
    (target / "pelicanconf.py").write_text(PELICAN_CONF, encoding="utf-8")
    for item in corpus:
        text = (
            f"Title: {item.title}\nDate: {item.when:%Y-%m-%d %H:%M}\nCategory: {item.region}\n"
            f"Tags: {', '.join(item.tags)}\nSlug: {item.slug}\nSummary: {item.summary}\n\n"
            f"{item.body}\n"
        )
        (target / "content" / f"{item.slug}.md").write_text(text, encoding="utf-8")


HUGO_CONFIG = """\
baseURL = "https://www.paritaet-beispiel.de/"
languageCode = "de"
title = "Paritätischer Beispielverband Sachsen"
disableKinds = ["sitemap", "robotsTXT"]
[pagination]
  pagerSize = 10
  path = "seite"
[taxonomies]
  tag = "themen"
  region = "regionen"
[outputs]
  home = ["HTML", "RSS"]
  section = ["HTML"]
  taxonomy = ["HTML"]
  term = ["HTML"]
[services.rss]
  limit = 20
[permalinks.page]
  aktuelles = "/aktuelles/:slug/"
  veranstaltungen = "/veranstaltungen/:slug/"
"""
HUGO_LAYOUTS = {
    "baseof.html": """\
<!DOCTYPE html>
<html lang="de">
<head><meta charset="utf-8"><title>{{ .Title }} – {{ site.Title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/style.css"></head>
<body>
<header><a href="/">{{ site.Title }}</a>
<nav><ul><li><a href="/aktuelles/">Aktuelles</a></li><li><a href="/veranstaltungen/">Veranstaltungen</a></li><li><a href="/themen/">Themen</a></li></ul></nav></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer><p>Paritätischer Beispielverband Sachsen e. V.</p></footer>
</body>
</html>
""",
    "single.html": """\
{{ define "main" }}<article data-pagefind-body><h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05" }}">{{ .Date.Format "2. January 2006" }}</time></p>
<ul>{{ range .GetTerms "themen" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
<p>{{ .Summary }}</p>
{{ .Content }}</article>{{ end }}
""",
    "list.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
{{ $pager := .Paginate .Pages }}
{{ range $pager.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p><time>{{ .Date.Format "2. January 2006" }}</time></p><p>{{ .Summary }}</p></article>{{ end }}
<nav>{{ with $pager.Prev }}<a href="{{ .URL }}">Zurück</a>{{ end }} Seite {{ $pager.PageNumber }} von {{ $pager.TotalPages }} {{ with $pager.Next }}<a href="{{ .URL }}">Weiter</a>{{ end }}</nav>{{ end }}
""",
    "taxonomy.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>{{ end }}
""",
}


def write_hugo(target: Path, corpus: list[Item]) -> None:
    """A Hugo site with a small theme: articles, paginated lists, two taxonomies, RSS."""
    (target / "layouts" / "_default").mkdir(parents=True)
    (target / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        (target / "layouts" / "_default" / name).write_text(text, encoding="utf-8")
    (target / "layouts" / "index.html").write_text(
        HUGO_LAYOUTS["list.html"].replace(".Paginate .Pages", ".Paginate site.RegularPages"),
        encoding="utf-8",
    )
    for folder in ("aktuelles", "veranstaltungen"):
        (target / "content" / folder).mkdir(parents=True)
    for item in corpus:
        folder = "aktuelles" if item.kind == "news" else "veranstaltungen"
        tags = ", ".join(_quoted(t) for t in item.tags)
        text = (
            f"---\ntitle: {_quoted(item.title)}\ndate: {item.when:%Y-%m-%dT%H:%M:%S}+01:00\n"
            f"slug: {item.slug}\nthemen: [{tags}]\nregionen: [{_quoted(item.region)}]\n"
            f"summary: {_quoted(item.summary)}\n---\n{item.body}\n"
        )
        (target / "content" / folder / f"{item.slug}.md").write_text(text, encoding="utf-8")


def write_all(work: Path, count: int) -> dict[str, Path]:
    """Write the corpus of `count` items for every tool under `work`; return their folders."""
    corpus = items(count)
    folders = {name: work / f"{name}-{count}" for name in ("litfass", "pelican", "hugo")}
    for folder in folders.values():
        shutil.rmtree(folder, ignore_errors=True)
    write_litfass(folders["litfass"], corpus, search=False)
    write_pelican(folders["pelican"], corpus)
    write_hugo(folders["hugo"], corpus)
    return folders


def edit_item(litfass_site: Path, slug: str = "news-00100") -> Path:
    """Change one sentence in one article's body, as an editor fixing a typo would."""
    path = litfass_site / "content" / "news" / f"{slug}.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(" Fragen beantwortet ", " Fragen beantworten gern ", 1), "utf-8")
    return path
