"""Every mistake an editor can make gets `path:line: message`, exit 1, output/ untouched.

The corpus lives in tests/bad_input/: `rejected/` and `accepted/` hold content files (their
path below those folders is where they go in content/), `config/` whole config.yaml files,
`templates/` replacements for a theme template. Each case is built alone on a copy of the
fixture site that was built once; the tables below state the exact lines printed.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import lxml.etree
import lxml.html
import pytest

from conftest import NOW, REPO, TESTS, snapshot
from litfass.cli import main

CORPUS = TESTS / "bad_input"
SUMMARY = "; output/ was not changed."
HINT = "write e.g. 2019-11-04 or 04.11.2019, with a time 2019-11-04 10:30"
FRONT_MATTER = "add a line 'title: ...' to the front matter"
ACTIVE = (
    "are active content (they could run script or restyle the site) and are not published; "
    "put the text in a .md file (only a site whose editors are all trusted sets "
    "'markdown: {allow_html: true}')"
)
REMOTE = (
    "every reader's browser would ask that host for it; put the file beside this item, "
    "or add the host to 'remote_images' in config.yaml"
)

# tests/bad_input/rejected/<path> goes to content/<path>; each is [(line, message), ...].
REJECTED: dict[str, list[tuple[int, str]]] = {
    # Files a browser would run as the site's own (issue: leaks, 1)
    "news/flyer.html": [(0, f".html files {ACTIVE}")],
    "news/x.js": [(0, f".js files {ACTIVE}")],
    "news/style.css": [(0, f".css files {ACTIVE}")],
    "news/programm.exe": [
        (
            0,
            "'programm.exe' is not a kind of file the site publishes: images (JPEG, PNG, WebP, "
            "GIF, SVG), PDF and office documents, audio, video, text, CSV and calendars are",
        )
    ],
    # SVGs are rebuilt (tests/content/test_svg.py); these cannot be (issue 22, 1)
    "news/svg-entities.svg": [
        (6, "SVG uses the entity '&b;' in its text; export it again without")
    ],
    "news/svg-html.svg": [(1, "not an SVG drawing: its first element is not <svg>")],
    # Images that are not what they claim, or far too large (issue: leaks, 3)
    "news/foto-text.jpg": [
        (
            0,
            "not a JPEG image (damaged, or another kind of file renamed); save it again as .jpg",
        )
    ],
    # Images from other hosts: every reader's browser would ask them (issue: leaks, 5)
    "news/remote-image.md": [(4, f"'image' on another host (tracker.example): {REMOTE}")],
    "news/remote-body-image.md": [(7, f"image on another host (tracker.example): {REMOTE}")],
    "news/bombe.png": [
        (0, "image is too large to open safely (at most 40 megapixels); make it smaller")
    ],
    # YAML of every kind
    "news/yaml-unclosed-double-quote.md": [
        (2, "invalid YAML: the quote opened on this line is never closed")
    ],
    "news/yaml-unclosed-single-quote.md": [
        (3, "invalid YAML: the quote opened on this line is never closed")
    ],
    # issue 24, 6: a quote left open runs into the next keys; PyYAML stumbles lines later
    "news/yaml-unclosed-quote-runs-on.md": [
        (2, "invalid YAML: the quote opened on this line is never closed")
    ],
    "news/yaml-unclosed-quote-runs-into-a-comment.md": [
        (4, "invalid YAML: the quote opened on this line is never closed")
    ],
    "news/yaml-unclosed-quote-after-a-long-one.md": [  # a quote may go on over lines
        (5, "invalid YAML: the quote opened on this line is never closed")
    ],
    "news/yaml-tab-indent.md": [(5, "invalid YAML: tab character; indent with spaces")],
    "news/yaml-tab-in-mapping.md": [(6, "invalid YAML: tab character; indent with spaces")],
    "news/yaml-bad-indent.md": [
        (6, "invalid YAML: wrong indentation; keys of one level start in the same column")
    ],
    "news/yaml-indented-key.md": [
        (
            3,
            "invalid YAML: unexpected ':'; put a value containing ': ' in quotes "
            '(title: "Fachtag: Wohnen") or check the indentation',
        )
    ],
    "news/yaml-colon-in-value.md": [
        (
            2,
            "invalid YAML: unexpected ':'; put a value containing ': ' in quotes "
            '(title: "Fachtag: Wohnen") or check the indentation',
        )
    ],
    "news/yaml-duplicate-key.md": [(4, "duplicate key 'title' (first given on line 2)")],
    "news/yaml-duplicate-nested-key.md": [(6, "duplicate key 'name' (first given on line 5)")],
    "news/yaml-unclosed-bracket.md": [
        (3, "invalid YAML: the '[' opened on this line is never closed (or a ',' is missing)")
    ],
    "news/yaml-star-value.md": [
        (2, "invalid YAML: a value cannot start with '*'; put the value in quotes")
    ],
    "news/yaml-at-value.md": [
        (4, "invalid YAML: a value cannot start with '@'; put the value in quotes")
    ],
    "news/yaml-python-tag.md": [
        (
            2,
            "invalid YAML: tags like '!!python/object/apply:os.system' are not supported; "
            "remove it",
        )
    ],
    "news/yaml-list-not-mapping.md": [(2, "expected 'key: value' lines, found a list")],
    "news/yaml-plain-text.md": [(2, "expected 'key: value' lines, found a single value")],
    "news/yaml-alias-bomb.md": [(4, "invalid YAML: nested too deeply or far too long")],
    "news/yaml-deep-nesting.md": [(4, "invalid YAML: nested too deeply or far too long")],
    # front matter missing or unclosed; fields missing or of the wrong type
    "news/no-front-matter.md": [
        (1, "no front matter: the file must start with a line '---', then 'title: ...'")
    ],
    "news/front-matter-unclosed.md": [
        (1, "front matter is not closed: add a line '---' after the last key")
    ],
    "news/front-matter-empty.md": [
        (2, "'date' is missing; add e.g. 'date: 2019-11-04'"),
        (2, f"'title' is missing; {FRONT_MATTER}"),
    ],
    "news/missing-title.md": [(2, f"'title' is missing; {FRONT_MATTER}")],
    "news/missing-date.md": [(2, "'date' is missing; add e.g. 'date: 2019-11-04'")],
    "events/missing-start.md": [(2, "'start' is missing; add e.g. 'start: 2019-11-11 09:00'")],
    "magazine/missing-title.md": [(2, f"'title' is missing; {FRONT_MATTER}")],
    "news/title-list.md": [(2, "'title' must be text, not a list")],
    "news/title-mapping.md": [(2, "'title' must be text, not a mapping")],
    "news/tags-mapping.md": [(4, "'tags' must be a list of names, e.g. 'tags: [Wohnen, Pflege]'")],
    "news/region-list.md": [(4, "'region' must be one name, e.g. 'region: Leipzig'")],
    "news/draft-not-bool.md": [(4, "'draft' must be true or false")],
    "news/contact-list.md": [(4, "'contact' needs at least 'name' (and 'phone', 'email')")],
    "pages/menu-not-number.md": [
        (3, "'menu' must be a whole number: the position in the navigation")
    ],
    "events/location-list.md": [(4, "'location' must be a place, or 'name' and 'address'")],
    "events/online-not-bool.md": [(4, "'online' in 'location' must be true or false")],
    # dates: what is ambiguous or impossible
    "news/date-us-slashes.md": [
        (
            3,
            "'date': '11/04/2019' is ambiguous (day or month first?); "
            "write e.g. 2019-11-04 or 04.11.2019 (day first)",
        )
    ],
    "news/date-impossible.md": [(3, f"'date': '31.02.2019' is not a valid date or time; {HINT}")],
    "news/date-impossible-iso.md": [
        (3, f"'date': '2019-02-30' is not a valid date or time; {HINT}")
    ],
    "news/date-words.md": [(3, f"'date': cannot read the date 'nächsten Montag'; {HINT}")],
    "news/date-year-only.md": [(3, f"'date': cannot read the date '2019'; {HINT}")],
    "news/date-month-typo.md": [
        (3, f"'date': cannot read the month in '4. Movember 2019'; {HINT}")
    ],
    "news/date-far-year.md": [
        (3, "'date': the year in '3019-11-04' must be between 1900 and 2200")
    ],
    "news/date-list.md": [(3, f"'date': expected a date, not a list; {HINT}")],
    "events/start-time-range.md": [
        (3, "'start': '4.11.2019 10-16 Uhr' is a range; give the start here and the end in 'end:'")
    ],
    "events/end-before-start.md": [
        (4, "the event ends before it starts: 'end' must not be before 'start'")
    ],
    "events/end-day-before-start.md": [
        (4, "the event ends before it starts: 'end' must not be before 'start'")
    ],
    "events/deadline-unreadable.md": [
        (5, f"'registration_deadline': cannot read the date 'eine Woche vorher'; {HINT}")
    ],
    # two items, or an item and a page of the site, at one address: both named
    "news/slug-clash.md": [
        (
            4,
            "address /aktuelles/pflege/ is also used by "
            "content/news/2021-05-01-pflege.md (from its file name)",
        )
    ],
    "news/alias-clash.md": [
        (
            4,
            "address /alt/fachtag-goerlitz is also used by "
            "content/news/2019-11-04-fachtag-in-goerlitz.md:12",
        )
    ],
    "news/alias-on-news-list.md": [
        (
            4,
            "address /aktuelles/ is also used by the page /aktuelles/ made by templates/news_list.html",
        )
    ],
    "news/alias-on-stylesheet.md": [
        (4, "address /static/style.css is also used by the theme's templates/static/style.css")
    ],
    # issue 14: nor a file litfass makes, or the writer adds after them
    "news/alias-on-robots.md": [
        (4, "address /robots.txt is also used by the page /robots.txt made by litfass")
    ],
    "news/alias-on-feed.md": [
        (
            4,
            "address /aktuelles/feed.xml is also used by the page /aktuelles/feed.xml "
            "made by litfass",
        )
    ],
    "news/alias-on-search-index.md": [
        (
            4,
            "address /pagefind/pagefind.js is also used by the search index /pagefind/ "
            "made by Pagefind",
        )
    ],
    "pages/slug-on-topics.md": [
        (3, "address /themen/ is also used by the page /themen/ made by templates/terms.html")
    ],
    # addresses that would leave output/
    "news/slug-dotdot.md": [
        (4, "slug '../../etc' may only use a-z, 0-9 and '-'; for example 'etc'")
    ],
    "news/slug-absolute.md": [
        (4, "slug '/etc/passwd' may only use a-z, 0-9 and '-'; for example 'etc-passwd'")
    ],
    **{
        f"news/alias-{case}.md": [
            (
                4,
                f"alias '{alias}' must be a path on this site starting with '/', "
                "without '..', '?' or '#'",
            )
        ]
        for case, alias in [
            ("dotdot", "/alt/../../../etc/cron.d/x"),
            ("encoded-dotdot", "/alt/%2e%2e/%2e%2e/x"),
            ("other-site", "https://evil.example/x"),
            ("relative", "alt/fachtag"),
            ("double-slash", "/alt//fachtag"),
        ]
    },
    # links that could run a script or smuggle a header into a mailto:
    "events/registration-javascript.md": [
        (4, "'registration' must be an e-mail address or a web address starting with https://")
    ],
    "events/registration-mailto-injection.md": [
        (4, "'registration' must be an e-mail address or a web address starting with https://")
    ],
    "events/online-url-javascript.md": [
        (4, "an online event needs 'url: https://...' in 'location'")
    ],
    "magazine/pdf-javascript.md": [
        (5, "'pdf' must be a file name or a web address starting with https://")
    ],
    "news/image-data-url.md": [
        (4, "'image' must be a file name or a web address starting with https://")
    ],
    "news/contact-email-injection.md": [
        (4, "'contact.email' is not an e-mail address: 'presse@test.example.org?subject=x'")
    ],
    # files that are not Markdown text
    "news/not-utf8-latin1.md": [
        (5, "not UTF-8 text; save the file as UTF-8 (in Word: 'Unicode (UTF-8)')")
    ],
    "news/not-utf8-cp1252.md": [
        (2, "not UTF-8 text; save the file as UTF-8 (in Word: 'Unicode (UTF-8)')")
    ],
    "news/utf16-from-word.md": [
        (1, "saved as UTF-16; save the file as UTF-8 (in Word: 'Unicode (UTF-8)')")
    ],
    "news/empty.md": [(1, "file is empty; start with '---', 'title: ...', '---'")],
    "news/only-whitespace.md": [(1, "file is empty; start with '---', 'title: ...', '---'")],
    "news/binary-png.md": [(0, "not a text file (binary data); is it really Markdown?")],
    "news/nul-byte.md": [(0, "not a text file (binary data); is it really Markdown?")],
    "stray.md": [(0, "Markdown files belong in one of news/, events/, magazine/, pages/")],
    # issue 14: a misspelt key that decides publication, date or address is no mere warning
    **{
        f"{name}": [
            (
                line,
                f"unknown key '{key}'; did you mean '{meant}'? Write '{meant}': "
                f"a misspelt '{meant}' would be ignored and the item published without it",
            )
        ]
        for name, line, key, meant in [
            ("news/key-entwurf.md", 4, "entwurf", "draft"),
            ("news/key-draft-capital.md", 4, "Draft", "draft"),
            ("news/key-drafft.md", 4, "drafft", "draft"),
            ("news/key-datum.md", 3, "datum", "date"),
            ("news/key-weiterleitungen.md", 4, "weiterleitungen", "aliases"),
            ("events/key-ende.md", 4, "ende", "end"),
        ]
    },
    # issue 14: a comma in an unquoted flow mapping must not cut text off silently
    "events/location-comma.md": [
        (
            4,
            "'location': a comma cut '02826 Görlitz' off the text before it; put the whole "
            'text in quotes: address: "Bahnhofstraße 24, 02826 Görlitz"',
        )
    ],
    "news/contact-comma.md": [
        (
            4,
            "'contact': a comma cut 'Anna' off the text before it; put the whole text in "
            'quotes: name: "Müller, Anna"',
        )
    ],
    "events/location-unknown-key.md": [
        (
            6,  # the line of the nested key
            "unknown key 'adresse' in 'location'; did you mean 'address'? "
            "('location' knows name, address, url, online)",
        )
    ],
    "events/location-empty-address.md": [
        (4, "'location.address' is empty; write its text or remove 'address'")
    ],
}

# tests/bad_input/config/<name> replaces config.yaml.
CONFIG: dict[str, list[tuple[int, str]]] = {
    "yaml-unclosed-quote.yaml": [
        (1, "invalid YAML: the quote opened on this line is never closed")
    ],
    "yaml-tab.yaml": [(6, "invalid YAML: tab character; indent with spaces")],
    "duplicate-key.yaml": [(15, "duplicate key 'title' (first given on line 1)")],
    "not-utf8.yaml": [(2, "not UTF-8 text; save the file as UTF-8 (in Word: 'Unicode (UTF-8)')")],
    "empty.yaml": [(1, "'base_url' is required"), (1, "'title' is required")],
    "list.yaml": [(1, "expected 'key: value' lines, found a list")],
    "missing-title.yaml": [(1, "'title' is required")],
    "base-url-not-web.yaml": [(3, "'base_url' must be a web address like https://www.example.de")],
    "base-url-quote.yaml": [(3, "'base_url' must be a web address like https://www.example.de")],
    "timezone-folder.yaml": [(5, "unknown time zone 'Europe' (e.g. Europe/Berlin)")],
    "language.yaml": [(4, "'language' must be one of de, de-x-ls, en, uk, ar, fa, tr, not 'fr'")],
    "languages.yaml": [
        (14, "'language' is 'en', but 'languages' starts with 'de'"),
        (15, "'languages' names 'en' twice"),
        (15, "'languages': 'fr' is not one of de, de-x-ls, en, uk, ar, fa, tr"),
        (15, "'languages': the direction of 'ar' is 'ltr' or 'rtl'"),
        (15, "'languages': the prefix of 'uk' must be a folder like /en/"),
    ],
    "languages-not-list.yaml": [(14, "'languages' must be a list like [de, en, uk]")],
    "page-size-text.yaml": [(14, "'page_size' must be a whole number of at least 1")],
    "remote-images-url.yaml": [
        (15, "'remote_images' must be a list of host names like bilder.example.org")
    ],
    "allow-html-not-bool.yaml": [(15, "'markdown.allow_html' must be true or false")],
    "navigation-javascript.yaml": [
        (9, "navigation url 'javascript:alert(1)' must be a path like /aktuelles/ or https://...")
    ],
    "logo-javascript.yaml": [(5, "'organisation.logo' must be a path like /static/logo.svg")],
    "urls-dotdot.yaml": [(15, "'urls.news' must be a plain path on this site: '/../../{slug}/'")],
    "urls-no-slug.yaml": [(15, "'urls.events' must contain {slug}")],
    "output-dir-dot.yaml": [(15, "'output_dir' must be a folder inside the site's folder")],
    "output-dir-outside.yaml": [(15, "'output_dir' must be a folder inside the site's folder")],
    "output-dir-is-content.yaml": [
        (15, "'output_dir: content' must not be or contain another folder")
    ],
    # issue 14
    **{
        f"output-dir-in-{folder}.yaml": [
            (
                15,
                f"'output_dir: {folder}/{inner}' must neither contain nor lie inside "
                f"'{folder}': every build replaces the output folder as a whole",
            )
        ]
        for folder, inner in [("templates", "static"), ("content", "public")]
    },
    "output-dir-is-file.yaml": [
        (15, "'output_dir: config.yaml' is a file; name a folder for the built site")
    ],
    "navigation-mailto-bcc.yaml": [
        (
            9,
            "navigation url 'mailto:presse@test.example.org?bcc=sammler@evil.example' "
            "must be a path like /aktuelles/ or https://...",
        )
    ],
    "organisation-comma.yaml": [
        (
            5,
            "'organisation': a comma cut '04109 Leipzig' off the text before it; put the whole "
            'text in quotes: address: "Teststraße 1, 04109 Leipzig"',
        )
    ],
}

# tests/bad_input/templates/<name> replaces a theme template: (replaced file, exact line).
TEMPLATES: dict[str, tuple[str, str]] = {
    "include-missing.html": (
        "page.html",
        "templates/page.html:8: error: template error: "
        "unknown template 'partials/gibt-es-nicht.html'",
    ),
    "undefined-variable.html": (
        "page.html",
        "templates/page.html:8: error: template error: 'litfass.content.model.Page object' has no "
        "attribute 'untertitel' (while rendering /impressum/)",
    ),
    "syntax-error.html": (
        "page.html",
        "templates/page.html:13: error: template error: Encountered unknown tag 'endblock'. "
        "You probably made a nesting mistake. Jinja is expecting this tag, but currently "
        "looking for 'elif' or 'else' or 'endif'. The innermost block that needs to be "
        "closed is 'if'.",
    ),
    "missing-translation.html": (
        "page.html",
        "templates/page.html:8: error: template error: no translation 'gibt_es_nicht' in "
        "templates/i18n/de.yaml (while rendering /impressum/)",
    ),
    "division-by-zero.html": (
        "page.html",
        "templates/page.html:8: error: template error: integer division or modulo by zero "
        "(while rendering /impressum/)",
    ),
    "include-itself.html": (
        "partials/breadcrumb.html",
        "templates/partials/breadcrumb.html:1: error: template error: templates include or "
        "extend each other endlessly (while rendering /abonnieren/)",
    ),
}


@pytest.fixture
def site(built: Path) -> Path:
    return built


def expect_rejected(site: Path, run, lines: list[str]) -> None:
    """The build fails with exactly `lines` and leaves output/ byte for byte as it was."""
    before = snapshot(site / "output")
    result = run("--root", site, "--now", NOW)
    assert result.code == 1
    assert result.err.splitlines() == [
        *lines,
        f"{len(lines)} error{'s' if len(lines) > 1 else ''}{SUMMARY}",
    ]
    assert result.out == ""
    assert snapshot(site / "output") == before
    assert not list(site.glob(".litfass-staging-*"))


def test_every_corpus_file_has_an_expected_message() -> None:
    on_disk = {
        (folder, p.relative_to(CORPUS / folder).as_posix())
        for folder in ("rejected", "accepted", "config", "templates")
        for p in (CORPUS / folder).rglob("*")
        if p.is_file()
    }
    tabled = {
        *(("rejected", name) for name in REJECTED),
        *(("accepted", name) for name in ACCEPTED),
        *(("config", name) for name in CONFIG),
        *(("templates", name) for name in TEMPLATES),
    }
    assert on_disk == tabled


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_rejected_content(site: Path, run, name: str) -> None:
    shutil.copy(CORPUS / "rejected" / name, site / "content" / name)
    shown = f"content/{name}"
    lines = [f"{shown}:{n}: error: {m}" if n else f"{shown}: error: {m}" for n, m in REJECTED[name]]
    expect_rejected(site, run, lines)


@pytest.mark.parametrize("name", sorted(CONFIG))
def test_rejected_config(site: Path, run, name: str) -> None:
    shutil.copy(CORPUS / "config" / name, site / "config.yaml")
    expect_rejected(site, run, [f"config.yaml:{n}: error: {m}" for n, m in CONFIG[name]])


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_rejected_template(site: Path, run, name: str) -> None:
    replaced, line = TEMPLATES[name]
    shutil.copy(CORPUS / "templates" / name, site / "templates" / replaced)
    expect_rejected(site, run, [line])


def test_huge_file(site: Path, run) -> None:
    with open(site / "content/news/riesig.md", "wb") as handle:
        handle.truncate(6 * 1024 * 1024)  # sparse: six megabytes without writing them
    expect_rejected(
        site, run, ["content/news/riesig.md: error: file is too large (6.0 MB; at most 5 MB)"]
    )


def test_named_pipe_does_not_hang_the_build(site: Path, run) -> None:
    os.mkfifo(site / "content/news/pipe.md")
    os.mkfifo(site / "content/dokument.pdf")
    expect_rejected(
        site,
        run,
        [
            "content/dokument.pdf: error: not a regular file (a pipe or device?)",
            "content/news/pipe.md: error: not a regular file (a pipe or device?)",
        ],
    )


def test_symbolic_links_that_cannot_be_published(site: Path, run) -> None:
    news = site / "content/news"
    (news / "schleife-a.md").symlink_to("schleife-b.md")
    (news / "schleife-b.md").symlink_to("schleife-a.md")
    (news / "passwd.md").symlink_to("/etc/passwd")
    (news / "weg.md").symlink_to("gibt-es-nicht.md")
    (site / "content/geheim.txt").symlink_to(site / "config.yaml")
    (site / "content/system").symlink_to("/etc")
    expect_rejected(
        site,
        run,
        [
            "content/geheim.txt: error: symbolic link points outside content/ "
            f"(to '{site / 'config.yaml'}')",
            "content/news/passwd.md: error: symbolic link points outside content/ "
            "(to '/etc/passwd')",
            "content/news/schleife-a.md: error: symbolic link loop (points to 'schleife-b.md')",
            "content/news/schleife-b.md: error: symbolic link loop (points to 'schleife-a.md')",
            "content/news/weg.md: error: symbolic link to 'gibt-es-nicht.md', which does not exist",
            "content/system: error: symbolic link points outside content/ (to '/etc')",
        ],
    )


def test_links_inside_content_are_published_and_folder_links_warned(site: Path, run) -> None:
    (site / "content/news/pflege-kopie.md").symlink_to("2021-05-01-pflege.md")
    (site / "content/nochmal").symlink_to("pages")
    result = run("--root", site, "--now", NOW)
    assert result.code == 0
    assert result.err == (
        "content/nochmal: warning: links to folders are not followed; "
        "move the folder here instead\n"
    )
    assert (site / "output/aktuelles/pflege-kopie/index.html").is_file()
    assert not (site / "output/nochmal").exists()


def test_file_names_that_cannot_be_shown(site: Path, run) -> None:
    news = os.fsencode(site / "content/news")
    with open(news + b"/caf\xe9.md", "wb") as handle:  # Latin-1 name from an old archive
        handle.write(b"---\ntitle: Caf\xc3\xa9\ndate: 2020-01-01\n---\n")
    (site / "content/news/zwei\nzeilen.md").write_text("---\ntitle: X\n---\n", encoding="utf-8")
    expect_rejected(
        site,
        run,
        [
            "content/news/caf\\xe9.md: error: file name is not UTF-8; rename it",
            "content/news/zwei?zeilen.md: error: file name contains a control character",
        ],
    )


def test_attachments_whose_names_differ_only_in_case(site: Path, run) -> None:
    (site / "content/pages/ueber-uns/Team.TXT").write_text("Team", encoding="utf-8")
    expect_rejected(
        site,
        run,
        [
            "content/pages/ueber-uns/team.txt: error: 'content/pages/ueber-uns/team.txt' and "
            "'content/pages/ueber-uns/Team.TXT' differ only in capital letters or in how an "
            "umlaut is stored: on Windows and macOS they are one file; rename one"
        ],
    )


def test_hidden_files_backups_and_litter_are_ignored(site: Path, run) -> None:
    litter = [
        "news/.entwurf.md",
        "news/.#fachtag.md",
        "news/#fachtag.md#",
        "news/fachtag.md~",
        "news/~$bericht.docx",
        "Thumbs.db",
        "desktop.ini",
        ".DS_Store",
        "__MACOSX/news/._fachtag.md",
        ".git/config",
    ]
    for rel in litter:
        path = site / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\0garbage that is no Markdown\0")
    before = snapshot(site / "output")
    result = run("--root", site, "--now", NOW)
    assert result.code == 0, result.err
    assert result.err == ""
    assert snapshot(site / "output") == before


def test_unreadable_file(built_once: Path, tmp_path: Path) -> None:
    """chmod 000 stops everyone but root; as root, the build runs without CAP_DAC_OVERRIDE."""
    site = Path(shutil.copytree(built_once, tmp_path / "site", symlinks=True))
    locked = site / "content/news/gesperrt.md"
    locked.write_text("---\ntitle: Gesperrt\ndate: 2020-01-01\n---\n", encoding="utf-8")
    locked.chmod(0)
    before = snapshot(site / "output")
    command = [sys.executable, str(REPO / "build.py"), "--root", str(site), "--now", NOW]
    try:
        subprocess.run([sys.executable, "-c", ""], preexec_fn=_without_root_file_access, check=True)
    except subprocess.SubprocessError:
        # Root without CAP_SETPCAP: a user namespace where root's files are simply the
        # user's own, read and written by their owner's rights only.
        command = ["unshare", "--map-user=65534", "--map-group=65534", *command]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        preexec_fn=_without_root_file_access if command[0] == sys.executable else None,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr == (
        f"content/news/gesperrt.md: error: cannot read the file: permission denied\n1 error{SUMMARY}\n"
    )
    assert snapshot(site / "output") == before


def _without_root_file_access() -> None:
    """Drop the capabilities that let root read any file (no-op for other users)."""
    if os.geteuid() != 0:
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop, cap_dac_override, cap_dac_read_search = 24, 1, 2
    for capability in (cap_dac_override, cap_dac_read_search):
        if libc.prctl(pr_capbset_drop, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


# tests/bad_input/accepted/<path> goes to content/<path>: page, its <h1>, its <time datetime>.
ACCEPTED: dict[str, tuple[str, str, str]] = {
    "news/bom.md": ("aktuelles/bom", "Mit BOM gespeichert", "2019-11-04T00:00:00+01:00"),
    "news/crlf.md": ("aktuelles/crlf", "Zeilenenden von Windows", "2019-11-04T00:00:00+01:00"),
    "news/cr-only.md": (
        "aktuelles/cr-only",
        "Zeilenenden vom alten Mac",
        "2019-11-04T00:00:00+01:00",
    ),
    "news/bom-crlf.md": ("aktuelles/bom-crlf", "BOM und CRLF", "2019-11-04T00:00:00+01:00"),
    "news/word-paste.md": (
        "aktuelles/word-paste",
        "\u201eFachtag\u201c\u00a0\u2013 Wohnen im Quartier",
        "2019-11-04T00:00:00+01:00",
    ),
    "news/title-number.md": ("aktuelles/title-number", "2019", "2019-11-04T00:00:00+01:00"),
    "news/title-looks-like-other-types.md": (
        "aktuelles/title-looks-like-other-types",
        "1.10",
        "2019-11-04T00:00:00+01:00",
    ),
    "news/date-german.md": (
        "aktuelles/date-german",
        "Deutsches Datum",
        "2019-11-04T00:00:00+01:00",
    ),
    "news/date-german-short.md": (
        "aktuelles/date-german-short",
        "Kurzes deutsches Datum",
        "2019-11-04T10:00:00+01:00",
    ),
    "news/date-words.md": (
        "aktuelles/date-words",
        "Datum in Worten",
        "2019-11-04T10:30:00+01:00",
    ),
    "news/date-iso-offset.md": (
        "aktuelles/date-iso-offset",
        "ISO mit Zeitzone",
        "2019-11-04T10:30:00+01:00",
    ),
    "news/tab-after-colon.md": (
        "aktuelles/tab-after-colon",
        "Tabulator nach dem Doppelpunkt",
        "2019-11-04T00:00:00+01:00",
    ),
    "news/yaml-anchors.md": (
        "aktuelles/yaml-anchors",
        "Anker sind erlaubt",
        "2019-11-04T00:00:00+01:00",
    ),
    "events/german-times.md": (
        "veranstaltungen/german-times",
        "Fachtag mit deutschen Zeiten",
        "2019-11-11T09:00:00+01:00",
    ),
}


@pytest.fixture(scope="module")
def accepted_site(built_once: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every accepted corpus file at once, built."""
    site = Path(shutil.copytree(built_once, tmp_path_factory.mktemp("ok") / "site", symlinks=True))
    for name in ACCEPTED:
        shutil.copy(CORPUS / "accepted" / name, site / "content" / name)
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        assert main(["--root", str(site), "--now", NOW]) == 0
    assert err.getvalue() == ""
    return site


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_accepted_content_renders(accepted_site: Path, name: str) -> None:
    folder, title, when = ACCEPTED[name]
    page = lxml.html.fromstring((accepted_site / "output" / folder / "index.html").read_bytes())
    assert page.cssselect("h1")[0].text_content() == title
    assert page.cssselect("time")[0].get("datetime") == when


def test_pasted_text_keeps_no_control_characters(accepted_site: Path) -> None:
    out = accepted_site / "output"
    article = lxml.html.fromstring((out / "aktuelles/word-paste/index.html").read_bytes())
    body = article.cssselect("div.body")[0].text_content().split()
    assert body == ["Text", "mit", "Zeilenumbruch", "aus", "Word", "und", "Entität."]
    assert (
        article.cssselect("p.summary")[0].text_content()
        == "Die Regional\u00adgeschäftsstelle lädt ein."
    )
    for path in out.rglob("*"):
        if path.suffix in (".html", ".xml"):
            data = path.read_bytes()
            assert not any(byte < 32 and byte not in b"\t\n\r" for byte in data), path
    for feed in ("feed.xml", "atom.xml"):
        lxml.etree.fromstring((out / "aktuelles" / feed).read_bytes())  # well-formed XML


def test_values_are_kept_as_written(accepted_site: Path) -> None:
    page = lxml.html.fromstring(
        (accepted_site / "output/aktuelles/title-looks-like-other-types/index.html").read_bytes()
    )
    assert page.cssselect("p.summary")[0].text_content() == "(0341123456) no"
    anchors = (accepted_site / "output/aktuelles/yaml-anchors/index.html").read_text()
    assert '<meta name="description" content="Anker sind erlaubt">' in anchors


def test_check_reports_an_overwritten_page_like_the_build(site: Path, run) -> None:
    shutil.copy(CORPUS / "rejected/news/alias-on-news-list.md", site / "content/news/x.md")
    result = run("check", "--root", site, "--now", NOW)
    assert result.code == 1
    assert (
        "content/news/x.md:4: error: address /aktuelles/ is also used by the page /aktuelles/ "
        "made by templates/news_list.html"
    ) in result.out.splitlines()  # check lists findings on stdout
