"""SVGs are published rebuilt from an allowlist (issue 22, 1): hostile ones run and load
nothing in Chromium opened from a plain server without any header, real ones look the same,
nothing of their authors' metadata is published, and what cannot be made safe is refused.
"""

from __future__ import annotations

import base64
import functools
import http.client
import io
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import lxml.etree
import pytest
import tinycss2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from livesite import LiveSite
from PIL import Image, ImageChops
from playwright.sync_api import Browser

from conftest import FIXTURE, NOW, REPO, TESTS, build, copy_site
from litfass.commands.common import parse_now
from litfass.content import svg
from litfass.engine.builder import Builder
from litfass.preview.server import SANDBOXED, SANDBOXED_KINDS
from litfass.site import BuildOptions

FIXTURES = TESTS / "fixtures" / "svg"
HOSTILE = sorted(path.name for path in (FIXTURES / "hostile").glob("*.svg"))
REAL = {
    "logo.svg": REPO / "templates/static/logo.svg",  # the theme's own
    **{name: FIXTURES / name for name in ("inkscape-icon.svg", "illustrator-logo.svg")},
    "matplotlib-chart.svg": FIXTURES / "matplotlib-chart.svg",  # matplotlib 3.11.2's own output
}
NOTHING_LEFT = (
    "nothing of the drawing is left once what could run script or load from elsewhere is "
    "removed; export it again as a plain drawing"
)
REFUSED = {
    "not-well-formed.svg": (
        3,
        "not a valid SVG file: Opening and ending tag mismatch: rect line 2 and svg, "
        "line 3, column 7",
    ),
    "html.svg": (1, "not an SVG drawing: its first element is not <svg>"),
    "no-namespace.svg": (1, 'not an SVG drawing: <svg> lacks xmlns="http://www.w3.org/2000/svg"'),
    "entity-in-text.svg": (6, "SVG uses the entity '&b;' in its text; export it again without"),
    "external-entity.svg": (
        3,
        "SVG uses the entity '&secret;' in its text; export it again without",
    ),
    "entity-bomb.svg": (11, "not a valid SVG file: Maximum entity amplification factor exceeded"),
    "foreign-object-only.svg": (1, NOTHING_LEFT),
    "image-from-elsewhere-only.svg": (1, NOTHING_LEFT),
}
GERMAN = {
    "not-well-formed.svg": "keine gültige SVG-Datei",
    "html.svg": "keine SVG-Zeichnung: ihr erstes Element ist nicht <svg>",
    "no-namespace.svg": "keine SVG-Zeichnung: <svg> fehlt xmlns=",
    "entity-in-text.svg": "SVG verwendet im Text die Entität '&b;'",
    "foreign-object-only.svg": "Von der Zeichnung bleibt nichts übrig",
}
SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
# The elements a rebuilt drawing may hold; the test's own list, kept apart from the code's.
STATIC = {
    "svg", "g", "defs", "symbol", "use", "switch", "title", "desc", "style", "image", "path",
    "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan", "textPath",
    "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker",
    "filter", "feGaussianBlur", "feOffset", "feBlend", "feFlood", "feComposite", "feMerge",
    "feMergeNode", "feColorMatrix",
}  # fmt: skip


def gps_jpeg() -> bytes:
    """A photo whose EXIF says where it was taken."""
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 0.0), 3: "E", 4: (13.0, 24.0, 0.0)}
    exif[0x010F] = "Quokka Cam"
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 80, 40)).save(buffer, "jpeg", exif=exif)
    return buffer.getvalue()


def embedded_photo_svg() -> bytes:
    photo = base64.b64encode(gps_jpeg()).decode("ascii")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'viewBox="0 0 8 8"><image width="8" height="8" xlink:href="data:image/jpeg;base64,'
        f'{photo}"/></svg>'
    ).encode()


@pytest.fixture(scope="module")
def svg_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture site with every hostile and real drawing in content/downloads/, built."""
    site = copy_site(FIXTURE, tmp_path_factory.mktemp("svg"))
    drawings = site / "content/downloads"
    drawings.mkdir()
    for name in HOSTILE:
        shutil.copy(FIXTURES / "hostile" / name, drawings / name)
    for name, source in REAL.items():
        shutil.copy(source, drawings / name)
    (drawings / "embedded-photo.svg").write_bytes(embedded_photo_svg())
    return build(site).output


@pytest.fixture(scope="module")
def served(svg_output: Path) -> Iterator[str]:
    """output/ from a plain static server: no Content-Security-Policy, no sandbox; with the
    originals of the real drawings beside it, and an XSLT an attacker placed on the host."""
    originals = svg_output / "originals"
    originals.mkdir()
    for name, source in REAL.items():
        shutil.copy(source, originals / name)
    (svg_output / "evil.xsl").write_text(
        '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        '<xsl:template match="/"><svg xmlns="http://www.w3.org/2000/svg"><script>'
        'document.title = "ran"; fetch("http://evil.example/xslt")</script></svg>'
        "</xsl:template></xsl:stylesheet>",
        encoding="utf-8",
    )

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=svg_output))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def active_parts(data: bytes) -> list[str]:
    """Whatever in a published drawing could run, load from elsewhere, or is no drawing."""
    found = [
        f"markup {marker!r}"
        for marker in (b"<?xml-", b"<!DOCTYPE", b"<!--", b"<!ENTITY")
        if marker in data
    ]
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = lxml.etree.fromstring(data, parser)
    outside = [*root.itersiblings(preceding=True), *root.itersiblings()]
    found += [f"before or after <svg>: {node!r}" for node in outside]
    for node in root.iter():
        if not isinstance(node.tag, str):
            found.append(f"node {node!r}")
            continue
        name = node.tag.removeprefix(SVG_NS)
        if name not in STATIC:
            found.append(f"element {node.tag}")
        for key, value in node.attrib.items():
            found += attribute_parts(name, key, value)
        if name == "style":
            found += css_parts(tinycss2.parse_stylesheet(node.text or ""))
    return found


def attribute_parts(element: str, key: str, value: str) -> list[str]:
    local = key.rsplit("}", 1)[-1]
    if local.lower().startswith("on"):
        return [f"handler {key}"]
    if key.startswith("{") and key not in (XLINK_HREF, XML_SPACE):
        return [f"attribute {key}"]
    if local == "href":
        photo = element == "image" and re.match(r"data:image/(png|jpeg);base64,", value)
        return [] if value.startswith("#") or photo else [f"href {value[:60]}"]
    return css_parts(tinycss2.parse_component_value_list(value))


def css_parts(tokens: list, depth: int = 0) -> list[str]:
    """At-rules, url()s that are not `#fragment`s and broken ones, anywhere in CSS."""
    if depth > 50:
        return ["nesting deeper than any drawing's style"]
    found = []
    for token in tokens:
        if token.type == "error":
            found.append(f"broken CSS {token.message}")
        if token.type == "at-rule":
            found.append(f"@{token.at_keyword}")
        if token.type == "at-keyword":
            found.append(f"@{token.value}")
        if token.type == "url" and not token.value.startswith("#"):
            found.append(f"url {token.value}")
        if token.type == "function" and token.lower_name == "url":
            text = tinycss2.serialize(token.arguments).strip(" '\"")
            if not text.startswith("#"):
                found.append(f"url {text}")
        for inner in ("content", "prelude", "arguments"):
            found += css_parts(getattr(token, inner, None) or [], depth + 1)
    return found


def test_the_checker_sees_what_each_hostile_drawing_holds() -> None:
    # The check below would find each attack in the editor's file: it is no empty check.
    for name in HOSTILE:
        assert active_parts((FIXTURES / "hostile" / name).read_bytes()), name


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_drawing_is_published_with_nothing_active(svg_output: Path, name: str) -> None:
    published = (svg_output / "downloads" / name).read_bytes()
    assert active_parts(published) == []
    assert published == svg.clean((FIXTURES / "hostile" / name).read_bytes())
    # Only the drawing is left of it: it still shows its rectangle.
    assert next(lxml.etree.fromstring(published).iter(f"{SVG_NS}rect"), None) is not None


@pytest.mark.browser
@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_drawing_runs_and_loads_nothing_without_any_header(
    served: str, chromium: Browser, name: str
) -> None:
    url = f"{served}/downloads/{name}"
    context = chromium.new_context(viewport={"width": 200, "height": 200})
    requests: list[str] = []
    dialogs: list[str] = []
    try:
        page = context.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        answer = page.goto(url, wait_until="load")
        assert answer is not None and answer.status == 200
        assert answer.headers.get("content-security-policy") is None  # no sandbox helps here
        page.mouse.click(5, 5)  # a link or a click handler would act now
        page.wait_for_load_state("networkidle")
        assert page.url == url
        assert page.evaluate("document.documentElement.localName") == "svg"
        assert "ran" not in page.evaluate("document.title")
    finally:
        context.close()
    assert dialogs == []
    assert [request for request in requests if not request.startswith(served + "/")] == []
    assert [request for request in requests if "evil" in request] == []  # the XSLT on the host


def screenshot(chromium: Browser, url: str) -> Image.Image:
    context = chromium.new_context(viewport={"width": 640, "height": 360})
    try:
        page = context.new_page()
        answer = page.goto(url, wait_until="load")
        assert answer is not None and answer.status == 200
        page.wait_for_load_state("networkidle")
        return Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("name", sorted(REAL))
def test_a_real_drawing_looks_the_same_after_it_is_rebuilt(
    svg_output: Path, served: str, chromium: Browser, name: str
) -> None:
    published = (svg_output / "downloads" / name).read_bytes()
    before = screenshot(chromium, f"{served}/originals/{name}")
    after = screenshot(chromium, f"{served}/downloads/{name}")
    blank = Image.new("RGB", before.size, (255, 255, 255))
    assert ImageChops.difference(before, blank).getbbox() is not None  # it draws something
    assert ImageChops.difference(before, after).getbbox() is None
    assert active_parts(published) == []


def test_no_author_metadata_is_published(svg_output: Path) -> None:
    inkscape = (svg_output / "downloads/inkscape-icon.svg").read_bytes()
    for leak in (b"/home/", b"anna", b"Anna", b"sodipodi", b"inkscape", b"Klaus", b"rdf"):
        assert leak not in inkscape, leak
    illustrator = (svg_output / "downloads/illustrator-logo.svg").read_bytes()
    for leak in (b"GPS", b"52,31", b"xmpmeta", b"Illustrator", b"adobe", b"pgf", b"xmp.did"):
        assert leak not in illustrator, leak
    chart = (svg_output / "downloads/matplotlib-chart.svg").read_bytes()
    assert b"rdf:RDF" not in chart and b"Matplotlib v" not in chart
    for data in (inkscape, illustrator, chart):
        assert b"<!--" not in data and b"<!DOCTYPE" not in data and b"<metadata" not in data
    # A photo drawn into an SVG is encoded again, without its EXIF (camera, GPS).
    published = lxml.etree.fromstring((svg_output / "downloads/embedded-photo.svg").read_bytes())
    href = next(published.iter(f"{SVG_NS}image")).get("href")
    photo = Image.open(io.BytesIO(base64.b64decode(href.split(",", 1)[1])))
    assert photo.format == "JPEG" and photo.size == (8, 8)
    assert not photo.getexif() and b"Quokka" not in base64.b64decode(href.split(",", 1)[1])


def test_what_cannot_be_made_safe_is_refused_with_file_and_line(
    tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = copy_site(FIXTURE, tmp_path / "site")
    drawings = site / "content/downloads"
    drawings.mkdir()
    for name in REFUSED:
        shutil.copy(FIXTURES / "refused" / name, drawings / name)
    padding = b"<!--" + b"x" * svg.MAX_SVG + b"-->"  # refused unread
    (drawings / "huge.svg").write_bytes(
        b'<svg xmlns="http://www.w3.org/2000/svg">' + padding + b"</svg>"
    )
    result = run("--root", site, "--now", NOW)
    assert result.code == 1 and not (site / "output").exists()
    assert "content/downloads/huge.svg: error: SVG file is too large (at most 5 MB)" in result.err
    for name, (line, message) in REFUSED.items():
        assert f"content/downloads/{name}:{line}: error: {message}" in result.err, name
    assert "Traceback" not in result.err
    monkeypatch.setenv("LITFASS_LANG", "de")
    result = run("--root", site, "--now", NOW)
    assert result.code == 1
    for name, message in GERMAN.items():
        assert re.search(
            rf"content/downloads/{re.escape(name)}:\d+: Fehler: .*{re.escape(message)}", result.err
        ), name


def test_an_edited_drawing_is_rebuilt_again(fixture_site: Path) -> None:
    drawing = fixture_site / "content/downloads/plan.svg"
    drawing.parent.mkdir()
    drawing.write_bytes(
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>'
    )
    builder = Builder(fixture_site, lambda: BuildOptions(now=parse_now(NOW)))
    builder.rebuild()
    edited = (FIXTURES / "inkscape-icon.svg").read_bytes()
    drawing.write_bytes(edited)
    builder.rebuild([drawing])
    published = (fixture_site / "output/downloads/plan.svg").read_bytes()
    assert published == svg.clean(edited) and b"sodipodi" not in published
    drawing.write_bytes((FIXTURES / "hostile/xhtml-inside.svg").read_bytes())
    builder.rebuild([drawing])
    published = (fixture_site / "output/downloads/plan.svg").read_bytes()
    assert b"evil.example" not in published and active_parts(published) == []


# Pieces of drawings, allowed and hostile, for hypothesis to put together.
TAGS = st.sampled_from(
    ["g", "rect", "text", "use", "a", "style", "script", "set", "animate", "foreignObject",
     "image", "feImage", "filter", "h:img", "h:meta", "svg:script", "x:thing", "switch",
     "linearGradient", "pattern", "iframe", "handler", "discard"]
)  # fmt: skip
NAMES = st.sampled_from(
    ["fill", "style", "href", "xlink:href", "onload", "ONCLICK", "onbegin", "attributeName",
     "to", "values", "x", "d", "filter", "mask", "cursor", "xml:base", "h:style", "src",
     "class", "id", "transform", "requiredExtensions", "begin"]
)  # fmt: skip
VALUES = st.sampled_from(
    ["#a", " #a ", "url(#a)", "javascript:document.title='ran'", "url(http://evil.example/x)",
     "u\\72l(//evil.example/x)", "ur\\l('//evil.example/x')", "URL( ' //evil.example ' )",
     "fill:red;mask:url(http://evil.example/m)", "@import 'http://evil.example/i.css'",
     "@\\69mport 'x'", "data:image/svg+xml,<svg onload=alert(1)>", "xlink:href", "href",
     "red", "expression(alert(1))", "image-set('http://evil.example/a.png' 1x)", "var(--x)",
     "rect { fill: url(//evil.example/y) }", "0 0 10 10", "&#x2028;javascript:alert(1)",
     "rgb(" * 40, "(" * 40, "url(url(http://evil.example/z"]
)  # fmt: skip
NAMESPACES = (
    'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:h="http://www.w3.org/1999/xhtml" xmlns:svg="http://www.w3.org/2000/svg" '
    'xmlns:x="urn:x"'
)


@st.composite
def drawings(draw: st.DrawFn, depth: int = 3) -> str:
    """A well-formed SVG of random elements, attributes and text, allowed and hostile."""

    def element(level: int) -> str:
        tag = draw(TAGS)
        pairs = draw(st.dictionaries(NAMES, VALUES, max_size=4))
        attributes = "".join(f" {name}={quoteattr(value)}" for name, value in pairs.items())
        inner = "".join(
            element(level - 1) if level and draw(st.booleans()) else escape(draw(VALUES))
            for _ in range(draw(st.integers(0, 3)))
        )
        return f"<{tag}{attributes}>{inner}</{tag}>"

    pi = draw(st.sampled_from(["", '<?xml-stylesheet type="text/xsl" href="/evil.xsl"?>']))
    body = "".join(element(depth) for _ in range(draw(st.integers(1, 4))))
    return f'{pi}<svg {NAMESPACES}><rect width="1" height="1"/>{body}</svg>'


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawings())
def test_whatever_the_drawing_holds_nothing_active_is_left(drawing: str) -> None:
    published = svg.clean(drawing.encode())
    assert active_parts(published) == []
    assert svg.clean(published) == published


def test_the_output_is_the_same_for_the_same_drawing() -> None:
    for path in (*REAL.values(), *(FIXTURES / "hostile").glob("*.svg")):
        once = svg.clean(path.read_bytes())
        assert svg.clean(path.read_bytes()) == once
        assert svg.clean(once) == once  # a rebuilt drawing is its own rebuild


def nginx_sandboxed() -> tuple[str, set[str]]:
    """The sandbox policy of deploy/nginx.conf and the extensions of the files it covers."""
    conf = (REPO / "deploy/nginx.conf").read_text(encoding="utf-8")
    policy = re.search(r'set \$sandboxed "([^"]+)";', conf)
    assert policy
    kinds: set[str] = set()
    for block in re.split(r"\n\s*location ", conf)[1:]:
        if "set $csp $sandboxed;" not in block:
            continue
        pattern = re.match(r"~\*? \\\.(?:\(\?:([a-z0-9|?]+)\)|([a-z0-9]+))\$ \{", block)
        assert pattern, block
        for word in (pattern[1] or pattern[2]).split("|"):
            bare = word.replace("?", "")
            kinds |= {f".{bare}", f".{bare[:-1]}"} if word.endswith("?") else {f".{bare}"}
    return policy[1], kinds


def test_the_preview_sends_nginx_s_sandbox_for_drawings_and_attachments(fixture_site: Path) -> None:
    policy, kinds = nginx_sandboxed()
    assert policy == SANDBOXED and kinds == SANDBOXED_KINDS and ".svg" in kinds
    downloads = fixture_site / "content/downloads"
    downloads.mkdir()
    (downloads / "plan.svg").write_bytes((FIXTURES / "inkscape-icon.svg").read_bytes())
    (downloads / "liste.csv").write_text("Ort;Datum\n", encoding="utf-8")
    (downloads / "satzung.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    live = LiveSite(fixture_site, "serve").ready()
    try:
        for path, sandboxed in (
            ("/downloads/plan.svg", True),
            ("/downloads/liste.csv", True),
            ("/downloads/satzung.pdf", False),  # Chrome shows no PDF under a sandbox
            ("/", False),
        ):
            connection = http.client.HTTPConnection("127.0.0.1", live.port, timeout=30)
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
            finally:
                connection.close()
            assert response.status == 200, path
            header = response.getheader("Content-Security-Policy")
            assert (header == policy) if sandboxed else (header is None or "sandbox" not in header)
    finally:
        assert live.stop() == 0, live.rest()
