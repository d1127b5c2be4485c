"""Every example in the editors' handbook (docs/redaktion.md) is built here, so it cannot go stale.

- "Datei `path`:" + a markdown block: a file of the example site; it must pass `check --strict`
  and build, unless "Meldung:" follows with the exact lines `check` prints for it (in German,
  the example portal's language).
- "Im Text:" + a markdown block: a body, wrapped into an item of its own.
- "(daneben `x.jpg`)": files the editor puts beside it.
- sh blocks are run in order; cron and ini lines are parsed as commands.
- The table of front-matter keys names every key, and its examples together form a valid file.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
import pytest
import yaml
from PIL import Image

from conftest import NOW, REPO
from litfass.cli import COMMANDS, _parser
from litfass.content.model import EVENT, MAGAZINE, NEWS, PAGE
from litfass.content.pages import KEYS

HANDBOOK = REPO / "docs" / "redaktion.md"
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```$", re.M | re.S)
CAPTION = re.compile(r"(?:Datei `(?P<path>[^`]+)`|Im Text)(?: \(daneben (?P<beside>[^)]+)\))?:")
MESSAGE = re.compile(r"\s*Meldung:\s*```text\n(.*?)^```$", re.M | re.S)
KIND_LETTERS = {"M": NEWS, "V": EVENT, "H": MAGAZINE, "S": PAGE}
COMMAND_NAMES = {module.__name__.rsplit(".", 1)[-1] for module in COMMANDS}
FOLDERS = {NEWS: "news", EVENT: "events", MAGAZINE: "magazine", PAGE: "pages"}


@dataclass
class Example:
    """One code block of the handbook with what surrounds it."""

    lang: str
    code: str
    line: int  # in the handbook, for failure messages
    caption: str
    message: list[str] | None = None
    path: str = ""
    beside: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"docs/redaktion.md:{self.line}"


def examples() -> list[Example]:
    text = HANDBOOK.read_text(encoding="utf-8")
    found, taken = [], set()
    for match in FENCE.finditer(text):
        if match.start() in taken:
            continue
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        example = Example(
            match[1], match[2], text.count("\n", 0, match.start()) + 1, before.strip()
        )
        message = MESSAGE.match(text, match.end())
        if message:
            example.message = message[1].splitlines()
            taken.add(text.index("```text", match.end()))
        caption = CAPTION.fullmatch(example.caption)
        if caption:
            example.path = caption["path"] or ""
            example.beside = re.findall(r"`([^`]+)`", caption["beside"] or "")
        found.append(example)
    return found


EXAMPLES = examples()
FILES = [e for e in EXAMPLES if e.lang == "markdown" and e.path]
SNIPPETS = [e for e in EXAMPLES if e.lang == "markdown" and not e.path]


@pytest.fixture(autouse=True)
def german(monkeypatch: pytest.MonkeyPatch) -> None:
    """The handbook quotes litfass as its readers meet it: in the portal's language, German."""
    monkeypatch.delenv("LITFASS_LANG")


def write_example(site: Path, rel: str, text: str, beside: list[str]) -> None:
    path = site / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    for name in beside:
        target = path.parent / name
        if name.endswith(".pdf"):
            target.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
        else:
            Image.new("RGB", (16, 9), (30, 90, 160)).save(target)


def handbook_site(root: Path, extra: Example | None = None) -> Path:
    """The portal's config and theme, with the handbook's good examples as its content."""
    root.mkdir(parents=True)
    (root / "config.yaml").write_bytes((REPO / "config.yaml").read_bytes())
    (root / "templates").symlink_to(REPO / "templates", target_is_directory=True)
    for example in FILES:
        if example.message is None:
            write_example(root, example.path, example.code, example.beside)
    for number, example in enumerate(SNIPPETS, 1):
        item = f"---\ntitle: Markdown-Beispiel {number}\ndate: 2026-11-01\n---\n{example.code}"
        write_example(root, f"content/news/markdown-{number}/index.md", item, example.beside)
    if extra is not None:
        write_example(root, extra.path, extra.code, extra.beside)
    return root


def test_every_example_says_where_it_goes() -> None:
    assert len(FILES) >= 20 and len(SNIPPETS) >= 5
    for example in EXAMPLES:
        langs = ("markdown", "sh", "text", "cron", "ini", "powershell", "zsh", "yaml")
        assert example.lang in langs, example.where
        if example.lang == "markdown":
            assert CAPTION.fullmatch(example.caption), f"{example.where}: 'Datei `...`:' missing"
    texts = sum(e.lang == "text" for e in EXAMPLES)
    assert texts == 0, "a text block belongs after 'Meldung:'"


def test_good_examples_pass_check_and_build(tmp_path: Path, run) -> None:
    site = handbook_site(tmp_path / "site")
    checked = run("check", "--root", site, "--now", NOW, "--strict")
    assert (checked.code, checked.out) == (0, ""), checked.out
    built = run("--root", site, "--now", NOW, "--drafts")
    assert built.code == 0, built.err
    assert built.err == ""
    headings = {
        lxml.html.fromstring(page.read_bytes()).findtext(".//main//h1")
        for page in (site / "output").rglob("index.html")
    }
    for example in FILES:
        if example.message is None:
            title = yaml.safe_load(example.code.split("---\n")[1])["title"]
            assert title in headings, f"{example.where}: no page shows '{title}'"


def test_markdown_examples_render_as_described(tmp_path: Path, run) -> None:
    site = handbook_site(tmp_path / "site")
    assert run("--root", site, "--now", NOW).code == 0
    bodies = [
        lxml.html.fromstring((site / "output/aktuelles" / f"markdown-{n}/index.html").read_bytes())
        for n in range(1, len(SNIPPETS) + 1)
    ]
    found = lambda selector: [e for body in bodies for e in body.cssselect(".body " + selector)]  # noqa: E731
    assert [e.get("alt") for e in found("img")] == [
        "Blick in den vollen Saal des Volkshauses Leipzig beim Fachtag"
    ]
    assert found("table th")[0].text_content() == "Uhrzeit"
    assert "Katrin Vogel" in found("blockquote")[0].text_content()
    assert [h.text_content() for h in found("h2")] == ["Unsere Forderungen"]
    links = {a.text_content(): a.get("href") for a in found("a")}
    assert links["Fachtag am 12. März"] == "/veranstaltungen/fachtag-wohnen-fuer-alle/"
    assert links["presse@paritaet-beispiel.de"].startswith("mailto:")


@pytest.mark.parametrize(
    "example",
    [e for e in FILES if e.message is not None],
    ids=lambda e: e.path.rsplit("/", 1)[-1],
)
def test_each_message_is_what_check_prints(tmp_path: Path, run, example: Example) -> None:
    site = handbook_site(tmp_path / "site", extra=example)
    result = run("check", "--root", site, "--now", NOW)
    printed = [
        line
        for line in (result.out + result.err).splitlines()
        if line.startswith((f"{example.path}:", f"{example.path} "))
    ]
    assert printed == example.message, example.where
    errors = any(": Fehler: " in line for line in example.message)
    assert result.code == (1 if errors else 0)


def test_commands_in_the_handbook_run(tmp_path: Path, run, monkeypatch) -> None:
    monkeypatch.setenv("LITFASS_NOW", NOW)
    site = handbook_site(tmp_path / "site")
    webspace = tmp_path / "webspace"  # `publish` goes into a folder standing in for it
    with (site / "config.yaml").open("a", encoding="utf-8") as config:
        config.write(f"\npublish:\n  destination: {webspace}\n")
        if "\nlanguages:" not in (REPO / "config.yaml").read_text(encoding="utf-8"):
            config.write("languages: [de, en, uk, ar, de-x-ls]\n")  # for `new --lang`
    ran = 0
    for example in (e for e in EXAMPLES if e.lang == "sh"):
        for line in example.code.splitlines():
            args = shlex.split(line)
            assert args[:2] == ["python", "build.py"], f"{example.where}: {line}"
            if args[2:3] == ["serve"]:
                continue  # runs until stopped; test_scheduling_and_preview_commands_parse checks it
            result = run(*args[2:], "--root", site)
            ran += 1
            if example.message is None:
                assert result.code == 0, f"{example.where}: {line}\n{result.err}"
            else:
                assert result.code == 1
                for expected in example.message:
                    assert expected in result.err.splitlines(), f"{example.where}: {line}"
    assert ran >= 10
    assert (site / "content/news/2026-11-20-fachtag-in-goerlitz.md").is_file()  # as the text says
    assert (site / "content/news/2026-11-20-fachtag-in-goerlitz.en.md").is_file()  # its translation
    assert (webspace / "index.html").is_file()  # "Mit einem Befehl" published the site


def test_scheduling_and_preview_commands_parse() -> None:
    """The cron line, the systemd unit and `serve` name options that exist."""
    lines = [
        line[line.index("build.py") :]
        for example in EXAMPLES
        if example.lang in ("cron", "ini", "sh", "powershell", "zsh")
        for line in example.code.splitlines()
        if "build.py" in line
    ]
    assert any(line.startswith("build.py serve") for line in lines)
    for line in lines:
        args = shlex.split(line)[1:]
        if not args or args[0].startswith("-"):
            args.insert(0, "build")
        if args[0] not in COMMAND_NAMES:
            assert args[0] == "serve", line
            continue  # the preview server is issue 5's; its options are checked once it is merged
        _parser().parse_args(args)


INSTALL_STEPS = {
    "powershell": [r"py -m venv .venv", r".venv\Scripts\python -m pip install ."],
    "zsh": ["python3 -m venv .venv", ".venv/bin/python -m pip install ."],
}


def test_the_set_up_for_windows_and_macos_uses_the_right_paths() -> None:
    """Issue 15, point 11: one venv, pip from it, build.py run by the venv's Python."""
    for lang, steps in INSTALL_STEPS.items():
        lines = [line for e in EXAMPLES if e.lang == lang for line in e.code.splitlines()]
        assert lines[:2] == steps, lang
        python = steps[1].split(" -m ")[0]
        assert all(line.startswith(f"{python} build.py ") for line in lines[2:]), lang
        assert any(" serve" in line for line in lines[2:]), lang


def test_config_snippets_are_valid_settings(tmp_path: Path) -> None:
    from litfass.config import load_config

    snippets = [e for e in EXAMPLES if e.lang == "yaml"]
    assert snippets
    for example in snippets:
        config = "title: Beispiel\nbase_url: https://www.example.de\n" + example.code
        (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
        _, warnings = load_config(tmp_path)
        assert warnings == [], example.where


def key_table() -> list[tuple[str, str, list[str]]]:
    text = HANDBOOK.read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| `([^`]+)` \| ([MVHS ]+) \|", text, re.M)
    return [(key, line, [KIND_LETTERS[k] for k in kinds.split()]) for key, line, kinds in rows]


def test_key_table_names_every_key_of_every_kind() -> None:
    rows = key_table()
    for kind, known in KEYS.items():
        assert {key for key, _, kinds in rows if kind in kinds} == known, kind
    for key, line, _ in rows:
        assert line.startswith(f"{key}: "), key


@pytest.mark.parametrize("kind", [NEWS, EVENT, MAGAZINE, PAGE])
def test_key_examples_together_make_a_valid_file(tmp_path: Path, run, kind: str) -> None:
    rows = [(key, line) for key, line, kinds in key_table() if kind in kinds]
    text = "---\n" + "\n".join(line for _, line in rows) + "\n---\nText.\n"
    files = [yaml.safe_load(line)[key] for key, line in rows if key in ("image", "cover", "pdf")]
    site = tmp_path / "site"
    site.mkdir()
    (site / "config.yaml").write_bytes((REPO / "config.yaml").read_bytes())
    (site / "templates").symlink_to(REPO / "templates", target_is_directory=True)
    write_example(site, f"content/{FOLDERS[kind]}/beispiel/index.md", text, files)
    result = run("check", "--root", site, "--now", NOW, "--strict")
    assert (result.code, result.out) == (0, "")
    assert run("--root", site, "--now", NOW, "--drafts", "--future").code == 0


QUOTE = re.compile(r"„([^“\n]+)“|`([^`\n]+)`")
SEVERITY = re.compile(r"^(?:Fehler|Warnung|Hinweis|error|warning|note): ")
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\(\w+\)[sdr]|%[sdr]")


def catalog_texts() -> tuple[list[str], list[str]]:
    """The English and the German messages of the catalog, each placeholder written as '…'."""
    from babel.messages.pofile import read_po

    with (REPO / "litfass/locale/de/LC_MESSAGES/litfass.po").open("rb") as handle:
        catalog = read_po(handle, locale="de")
    english, german = [], []
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        english += [PLACEHOLDER.sub("…", text) for text in ids]
        german += [PLACEHOLDER.sub("…", text) for text in strings if text]
    return english, german


def quoted(text: str) -> re.Pattern[str]:
    """A quote of a message as a pattern: its '…' stands for whatever litfass filled in."""
    return re.compile(".*".join(re.escape(part.strip()) for part in text.split("…")))


def test_every_message_the_handbook_quotes_is_what_litfass_prints_in_german() -> None:
    english, german = catalog_texts()
    text = HANDBOOK.read_text(encoding="utf-8")
    checked = []
    for match in QUOTE.finditer(text):
        quote = SEVERITY.sub("", match[1] or match[2]).strip()
        pattern = quoted(quote)
        line = text.count("\n", 0, match.start()) + 1
        in_german = any(pattern.match(message) for message in german)
        if len(quote) >= 15 and " " in quote and any(pattern.match(m) for m in english):
            assert in_german, f"docs/redaktion.md:{line}: quotes the English {quote!r}"
        if SEVERITY.match(match[1] or match[2]):  # "Warnung: …": a message litfass prints
            assert in_german, f"docs/redaktion.md:{line}: litfass never prints {quote!r}"
            checked.append(quote)
    assert "Entwurf beim Bauen ausgelassen: …" in checked
