"""What reaches output/ from content/: nothing of unpublished items, only safe kinds of files,
images without their camera metadata, valid addresses for any file name (issue: leaks).
"""

from __future__ import annotations

import filecmp
import gzip
import io
import json
import re
import struct
import tracemalloc
import unicodedata
import warnings
import zlib
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import feedparser
import lxml.html
from PIL import Image, IptcImagePlugin

from conftest import NOW, snapshot, write
from litfass.content import svg
from litfass.content.model import BuildOptions
from litfass.engine.builder import Builder
from litfass.slugs import slugify

MARKER = b"quokka"  # in every name and text of the unpublished items below, nowhere else
PDF = b"%PDF-1.4\n% quokka press kit\n%%EOF\n"


def jpeg(width: int, height: int, exif: Image.Exif | None = None, **options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(
        buffer, "jpeg", exif=exif or Image.Exif(), **options
    )
    return buffer.getvalue()


def everything_in(output: Path) -> list[tuple[str, bytes]]:
    """Every file's path and bytes, gzip (compressed copies, the search index) unpacked."""
    found = []
    for path in sorted(output.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            found.append((path.relative_to(output).as_posix(), data))
    return found


def unpublished_items(site: Path) -> None:
    """A draft bundle with a press kit and a photo, a scheduled news item and a scheduled
    event with a PDF each, and a loose file only a draft links to; a published item links to
    a loose file a draft uses."""
    write(
        site,
        "content/news/2021-07-01-quokka-entwurf/index.md",
        "---\ntitle: Quokka vertraulich\ndate: 2021-07-01\ndraft: true\n"
        "image: quokka-foto.jpg\nimage_alt: Quokka\npdf: pressemappe-quokka.pdf\n---\n"
        "Quokka intern. ![Quokka im Saal](quokka-saal.jpg)\n",
    )
    write(site, "content/news/2021-07-01-quokka-entwurf/pressemappe-quokka.pdf", PDF)
    write(site, "content/news/2021-07-01-quokka-entwurf/quokka-foto.jpg", jpeg(1000, 600))
    write(site, "content/news/2021-07-01-quokka-entwurf/quokka-saal.jpg", jpeg(900, 600))
    write(
        site,
        "content/news/2030-02-01-quokka-sperrfrist/index.md",
        "---\ntitle: Quokka Sperrfrist\ndate: 2030-02-01\npdf: quokka-sperrfrist.pdf\n---\n"
        "Quokka ab Februar.\n",
    )
    write(site, "content/news/2030-02-01-quokka-sperrfrist/quokka-sperrfrist.pdf", PDF)
    write(
        site,
        "content/events/quokka-termin/index.md",
        "---\ntitle: Quokka Termin\ndate: 2030-03-01\nstart: 2030-04-01 10:00\n"
        "location:\n  name: Quokka-Saal\n---\n[Einladung](quokka-einladung.pdf)\n",
    )
    write(site, "content/events/quokka-termin/quokka-einladung.pdf", PDF)
    write(site, "content/downloads/quokka-nur-entwurf.pdf", PDF)
    write(site, "content/downloads/gemeinsam.pdf", b"%PDF-1.4\n%%EOF\n")
    write(
        site,
        "content/news/2021-07-02-quokka-lose.md",
        "---\ntitle: Quokka lose\ndate: 2021-07-02\ndraft: true\n---\n"
        "[Quokka](../downloads/quokka-nur-entwurf.pdf) und [PDF](../downloads/gemeinsam.pdf)\n",
    )
    write(
        site,
        "content/news/2021-07-03-oeffentlich.md",
        "---\ntitle: Öffentlich\ndate: 2021-07-03\n---\n[PDF](../downloads/gemeinsam.pdf)\n",
    )


def test_unpublished_items_leave_no_trace_in_output(fixture_site: Path, run) -> None:
    config = fixture_site / "config.yaml"
    config.write_text(config.read_text("utf-8") + "deploy:\n  precompress: true\n", "utf-8")
    unpublished_items(fixture_site)
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 0, result.err
    output = fixture_site / "output"
    files = everything_in(output)
    assert any(path.startswith("pagefind/") for path, _ in files)  # the index is searched too
    assert any(path == "sitemap.xml" for path, _ in files)
    traces = [path for path, data in files if MARKER in path.encode() or MARKER in data.lower()]
    assert traces == []
    assert (output / "downloads/gemeinsam.pdf").is_file()  # a published item uses it


def test_drafts_publish_their_files_when_drafts_are_built(fixture_site: Path, run) -> None:
    unpublished_items(fixture_site)
    result = run("--root", fixture_site, "--now", NOW, "--drafts")
    assert result.code == 0, result.err
    folder = fixture_site / "output/aktuelles/quokka-entwurf"
    assert (folder / "pressemappe-quokka.pdf").read_bytes() == PDF
    assert (folder / "quokka-foto-480w.webp").is_file()
    assert (fixture_site / "output/downloads/quokka-nur-entwurf.pdf").is_file()
    assert not (fixture_site / "output/aktuelles/quokka-sperrfrist").exists()  # still future


# Photos: no metadata leaves the site --------------------------------------------------

GPS = {1: "N", 2: (51.0, 9.0, 0.0), 3: "E", 4: (14.0, 48.0, 0.0)}  # a shelter's address
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">Frauenhaus quokka</x:xmpmeta>'


def iptc(caption: bytes) -> bytes:
    """An APP13 segment with an IPTC caption, as photo agencies and Photoshop write it."""
    record = b"\x1c\x02\x78" + struct.pack(">H", len(caption)) + caption
    block = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(record)) + record
    payload = b"Photoshop 3.0\x00" + block
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def camera_photo() -> bytes:
    """A JPEG as a phone takes it: turned, with GPS, maker, XMP, IPTC, a comment, a profile."""
    from PIL import ImageCms

    exif = Image.Exif()
    exif[0x0112] = 6  # held upright: stored sideways, shown turned by 90 degrees
    exif[0x010F] = "Quokka Kamera"
    exif[0x8825] = GPS
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    options = {"xmp": XMP, "comment": b"quokka", "icc_profile": profile, "extra": iptc(b"quokka")}
    photo = jpeg(1600, 1000, exif, **options)
    with Image.open(io.BytesIO(photo)) as image:  # the test's own premise
        assert image.getexif()[0x8825] and IptcImagePlugin.getiptcinfo(image)
        assert "xmp" in image.info and image.info["comment"] == b"quokka"
    return photo


def assert_clean(path: Path, size: tuple[int, int]) -> None:
    with Image.open(path) as image:
        assert image.size == size
        assert not image.getexif()
        assert "xmp" not in image.info and "comment" not in image.info
        assert IptcImagePlugin.getiptcinfo(image) is None
        assert image.info.get("icc_profile")  # the colours stay right
        assert all(marker not in ("APP1", "APP13") for marker, _ in image.applist)
    assert MARKER not in path.read_bytes().lower()


def test_every_published_image_loses_its_metadata(fixture_site: Path, run) -> None:
    write(
        fixture_site,
        "content/news/2021-06-01-sommer/index.md",
        "---\ntitle: Sommer\ndate: 2021-06-01\nimage: foto.jpg\nimage_alt: Garten\n---\n"
        "Text. [Original](foto.jpg)\n",
    )
    write(fixture_site, "content/news/2021-06-01-sommer/foto.jpg", camera_photo())
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 0, result.err
    folder = fixture_site / "output/aktuelles/sommer"
    assert_clean(folder / "foto.jpg", (1000, 1600))  # the original too, turned upright
    for width in (480, 800, 1000):
        assert_clean(folder / f"foto-{width}w.jpg", (width, round(1600 * width / 1000)))
    page = lxml.html.fromstring((folder / "index.html").read_bytes())
    shared = "https://test.example.org/aktuelles/sommer/foto-1000w.jpg"
    assert page.xpath("//meta[@property='og:image']/@content") == [shared]
    images = [
        json.loads(script).get("image")
        for script in page.xpath("//script[@type='application/ld+json']/text()")
    ]
    assert [image for image in images if image] == [[shared]]
    feed = feedparser.parse((fixture_site / "output/aktuelles/feed.xml").read_bytes())
    entry = next(e for e in feed.entries if e.title == "Sommer")
    assert [e.href for e in entry.enclosures] == [shared]
    assert int(entry.enclosures[0].length) == (folder / "foto-1000w.jpg").stat().st_size


def test_png_and_webp_lose_their_metadata_too(fixture_site: Path, run) -> None:
    from PIL import PngImagePlugin

    exif = Image.Exif()
    exif[0x8825] = GPS
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "quokka")
    text.add_itxt("XML:com.adobe.xmp", XMP.decode())
    png, webp = io.BytesIO(), io.BytesIO()
    Image.new("RGB", (600, 400)).save(png, "png", pnginfo=text, exif=exif)
    Image.new("RGB", (600, 400)).save(webp, "webp", exif=exif, xmp=XMP)
    write(fixture_site, "content/downloads/grafik.png", png.getvalue())
    write(fixture_site, "content/downloads/bild.webp", webp.getvalue())
    assert run("--root", fixture_site, "--now", NOW).code == 0
    output = fixture_site / "output/downloads"
    for name in (
        "grafik.png",
        "grafik-480w.png",
        "grafik-480w.webp",
        "bild.webp",
        "bild-480w.webp",
    ):
        with Image.open(output / name) as image:
            assert not image.getexif() and "xmp" not in image.info
            assert not getattr(image, "text", {}), name
        assert MARKER not in (output / name).read_bytes().lower(), name


def test_an_animation_keeps_its_frames_and_loses_its_comment(fixture_site: Path, run) -> None:
    frames = [Image.new("RGB", (10, 10), (80 * i, 0, 0)).convert("P") for i in range(3)]
    buffer = io.BytesIO()
    frames[0].save(
        buffer, "gif", save_all=True, append_images=frames[1:], comment=b"quokka", duration=90
    )
    write(fixture_site, "content/downloads/wink.gif", buffer.getvalue())
    assert run("--root", fixture_site, "--now", NOW).code == 0
    published = fixture_site / "output/downloads/wink.gif"
    with Image.open(published) as image:
        assert image.n_frames == 3 and "comment" not in image.info
    assert MARKER not in published.read_bytes()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG made by Pillow whose header then claims `width`×`height` pixels: what a
    decompression bomb looks like before anything is decoded."""
    buffer = io.BytesIO()
    Image.new("L", (1, 1)).save(buffer, "png")
    data = bytearray(buffer.getvalue())
    header = b"IHDR" + struct.pack(">II", width, height) + bytes(data[24:29])
    data[12:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(header))
    return bytes(data)


def test_oversized_and_false_images_are_errors_and_never_published(fixture_site: Path, run) -> None:
    assert run("--root", fixture_site, "--now", NOW).code == 0
    before = snapshot(fixture_site / "output")
    big = io.BytesIO()
    Image.new("L", (8000, 5001)).save(big, "jpeg")  # 40.008 megapixels
    small_png = io.BytesIO()
    Image.new("RGB", (20, 20)).save(small_png, "png")
    files = {
        "bombe.png": png_claiming(30000, 30000),
        "riesig.jpg": big.getvalue(),
        "flyer.jpg": b"<html><script>alert(1)</script></html>",
        "grafik.jpg": small_png.getvalue(),
    }
    for name, data in files.items():
        write(fixture_site, f"content/news/2021-06-01-sommer/{name}", data)
    write(
        fixture_site,
        "content/news/2021-06-01-sommer/index.md",
        "---\ntitle: S\ndate: 2021-06-01\n---\n",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # none of Pillow's warnings may come through
        result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 1
    folder = "content/news/2021-06-01-sommer"
    assert result.err.splitlines() == [
        f"{folder}/bombe.png: error: image is too large to open safely (at most 40 megapixels);"
        " make it smaller",
        f"{folder}/flyer.jpg: error: not a JPEG image (damaged, or another kind of file"
        " renamed); save it again as .jpg",
        f"{folder}/grafik.jpg: error: a PNG image named .jpg: rename it to .png",
        f"{folder}/riesig.jpg: error: image is too large (8000×5001 pixels; at most 40"
        " megapixels); make it smaller",
        "4 errors; output/ was not changed.",
    ]
    assert snapshot(fixture_site / "output") == before


# Kinds of files -----------------------------------------------------------------------


def test_safe_kinds_are_published_and_active_ones_only_when_editors_are_trusted(
    fixture_site: Path, run
) -> None:
    drawing = b'<svg xmlns="http://www.w3.org/2000/svg"><use href="#a"/><g id="a"/></svg>'
    write(fixture_site, "content/downloads/plan.svg", drawing)
    write(fixture_site, "content/downloads/liste.csv", "Ort;Datum\n")
    write(fixture_site, "content/downloads/flyer.html", "<script src='x.js'></script>")
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 1
    assert result.err.startswith("content/downloads/flyer.html: error: .html files are active")
    config = fixture_site / "config.yaml"
    config.write_text(config.read_text("utf-8") + "markdown:\n  allow_html: true\n", "utf-8")
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 0, result.err
    output = fixture_site / "output/downloads"
    assert (output / "plan.svg").read_bytes() == svg.clean(drawing)  # rebuilt (test_svg.py)
    assert (output / "liste.csv").is_file() and (output / "flyer.html").is_file()


def test_images_from_hosts_the_config_names_are_shown(fixture_site: Path, run) -> None:
    write(
        fixture_site,
        "content/news/2021-07-04-fern.md",
        "---\ntitle: Fern\ndate: 2021-07-04\nimage: https://bilder.example.org/a.jpg\n"
        "image_alt: A\n---\n![B](https://bilder.example.org/b.jpg)\n",
    )
    assert run("--root", fixture_site, "--now", NOW).code == 1
    config = fixture_site / "config.yaml"
    config.write_text(config.read_text("utf-8") + "remote_images: [bilder.example.org]\n", "utf-8")
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 0, result.err
    page = lxml.html.fromstring((fixture_site / "output/aktuelles/fern/index.html").read_bytes())
    shown = page.xpath("//img/@src")
    assert "https://bilder.example.org/a.jpg" in shown
    assert "https://bilder.example.org/b.jpg" in shown


def test_other_hosts_are_read_as_browsers_read_them(fixture_site: Path, run) -> None:
    """`//host`, `https:\\host` and `/\\host` ask another host in every browser (WHATWG
    URL parsing): the remote-image rule holds for them, and the feed sends a link where the
    page's reader goes, not to the site (issue 22, point 7)."""
    write(
        fixture_site,
        "content/news/2021-07-06-fern.md",
        "---\ntitle: Fern\ndate: 2021-07-06\n---\n"
        "![a](//fremd.example/x.gif)\n"
        "![b](https:\\\\\\\\fremd.example/y.gif)\n"
        "![c](/\\\\fremd.example/w.gif)\n"
        "[Mehr](/\\\\fremd.example/seite)\n",
    )
    write(
        fixture_site,
        "content/news/2021-07-07-titelbild.md",
        "---\ntitle: Titelbild\ndate: 2021-07-07\nimage: /\\fremd.example/z.jpg\nimage_alt: Z\n"
        "---\nText.\n",
    )
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 1
    refused = "on another host (fremd.example): every reader's browser would ask that host"
    assert [line.split(": error: ")[0] for line in result.err.splitlines() if refused in line] == [
        "content/news/2021-07-06-fern.md:5",
        "content/news/2021-07-06-fern.md:6",
        "content/news/2021-07-06-fern.md:7",
        "content/news/2021-07-07-titelbild.md:4",
    ]
    config = fixture_site / "config.yaml"
    config.write_text(config.read_text("utf-8") + "remote_images: [fremd.example]\n", "utf-8")
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 0, result.err
    feed = feedparser.parse((fixture_site / "output/aktuelles/feed.xml").read_bytes())
    content = next(e for e in feed.entries if e.title == "Fern").content[0].value
    links = [link for _, _, link, _ in lxml.html.fromstring(content).iterlinks()]
    assert links == [
        "https://fremd.example/x.gif",
        "https://fremd.example/y.gif",
        "https://fremd.example/w.gif",
        "https://fremd.example/seite",
    ]


# File names ---------------------------------------------------------------------------

VALID_URL = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")  # RFC 3986, nothing else


def test_file_names_with_spaces_and_umlauts_give_valid_addresses(fixture_site: Path, run) -> None:
    photo = "Foto Kita Zittau (1).jpg"
    write(
        fixture_site,
        "content/news/2021-07-05-kita/index.md",
        f"---\ntitle: Kita\ndate: 2021-07-05\nimage: {photo}\nimage_alt: Kinder\n---\n"
        f"![Kinder im Garten](<{photo}>) [Bericht](<Bericht März.pdf>) [Groß](<{photo}>)\n",
    )
    write(fixture_site, f"content/news/2021-07-05-kita/{photo}", jpeg(900, 600))
    write(fixture_site, "content/news/2021-07-05-kita/Bericht März.pdf", PDF)
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 0, result.err
    output = fixture_site / "output"
    page = lxml.html.fromstring((output / "aktuelles/kita/index.html").read_bytes())
    addresses = page.xpath("//img/@src | //a/@href | //meta[@property='og:image']/@content")
    for srcset in page.xpath("//img/@srcset | //source/@srcset"):
        for candidate in srcset.split(", "):
            address, width = candidate.split(" ")
            assert re.fullmatch(r"\d+w", width)
            addresses.append(address)
    feed = feedparser.parse((output / "aktuelles/feed.xml").read_bytes())
    (enclosure,) = next(e for e in feed.entries if e.title == "Kita").enclosures
    addresses.append(enclosure.href)
    ours = [a for a in addresses if "kita/" in a]
    assert f"/aktuelles/kita/{quote(photo)}" in ours  # the original, cleaned
    assert "/aktuelles/kita/Bericht%20M%C3%A4rz.pdf" in ours
    for address in ours:
        assert VALID_URL.fullmatch(address), address
        path = unquote(urlsplit(address).path).lstrip("/")
        assert (output / path).is_file(), address  # what the server finds for the address
    assert enclosure.href.startswith("https://test.example.org/aktuelles/kita/Foto%20Kita")


def test_nfd_and_nfc_spellings_give_the_same_slug(fixture_site: Path, run) -> None:
    assert slugify(unicodedata.normalize("NFD", "Mädchen")) == "maedchen"
    assert slugify(unicodedata.normalize("NFC", "Mädchen")) == "maedchen"
    name = unicodedata.normalize("NFD", "news/2021-07-06-mädchentreff.md")  # saved on a Mac
    write(fixture_site, f"content/{name}", "---\ntitle: Treff\ndate: 2021-07-06\n---\nText.\n")
    assert run("--root", fixture_site, "--now", NOW).code == 0
    assert (fixture_site / "output/aktuelles/maedchentreff/index.html").is_file()


def test_attachments_differing_only_in_case_or_unicode_form_are_an_error(
    fixture_site: Path, run
) -> None:
    nfc, nfd = (unicodedata.normalize(form, "Bericht März.pdf") for form in ("NFC", "NFD"))
    write(fixture_site, "content/downloads/Foto.JPG", jpeg(20, 20))
    write(fixture_site, "content/downloads/foto.jpg", jpeg(20, 20))
    write(fixture_site, f"content/downloads/{nfc}", PDF)
    write(fixture_site, f"content/downloads/{nfd}", PDF)
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 1
    differ = (
        "differ only in capital letters or in how an umlaut is stored: "
        "on Windows and macOS they are one file; rename one"
    )
    shown = "content/downloads"
    assert result.err.splitlines() == [
        f"{shown}/{nfc}: error: '{shown}/{nfc}' and '{shown}/{nfd}' {differ}",
        f"{shown}/foto.jpg: error: '{shown}/foto.jpg' and '{shown}/Foto.JPG' {differ}",
        "2 errors; output/ was not changed.",
    ]


# Large files --------------------------------------------------------------------------

VIDEO = 64 * 1024 * 1024  # stands in for a 400 MB video: a whole read would show at once


def large_video(site: Path, last: bytes) -> Path:
    """A sparse file (no time spent writing zeros) with a few real bytes at each end."""
    path = write(site, "content/downloads/film.mp4", b"\0\0\0\x18ftypmp42")
    with path.open("r+b") as handle:
        handle.truncate(VIDEO)
        handle.seek(VIDEO - len(last))
        handle.write(last)
    return path


def peak_memory(build) -> int:
    """The most memory Python held at once while `build` ran."""
    tracemalloc.start()
    try:
        build()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_large_attachments_are_hashed_compared_and_copied_in_chunks(
    fixture_site: Path, run
) -> None:
    source = large_video(fixture_site, b"first")
    export = write(
        fixture_site, "content/downloads/export.txt", b"Ort;Datum\n"
    )  # text: compressible
    with export.open("r+b") as handle:
        handle.truncate(VIDEO)
    config = fixture_site / "config.yaml"
    config.write_text(config.read_text("utf-8") + "deploy:\n  precompress: true\n", "utf-8")
    published = fixture_site / "output/downloads/film.mp4"
    one_shot = ("--root", fixture_site, "--now", NOW, "--workers", "1")
    assert peak_memory(lambda: run(*one_shot)) < VIDEO // 4
    assert filecmp.cmp(source, published, shallow=False)
    assert (fixture_site / "output/downloads/export.txt").stat().st_size == VIDEO
    assert not (fixture_site / "output/downloads/export.txt.gz").exists()  # nginx gzips it
    assert (fixture_site / "output/index.html.gz").is_file()
    large_video(fixture_site, b"again")  # same size: only its bytes tell it changed
    assert peak_memory(lambda: run(*one_shot)) < VIDEO // 4
    assert published.read_bytes()[-5:] == b"again"
    preview = Builder(fixture_site, lambda: BuildOptions(now=datetime(2026, 11, 20, tzinfo=UTC)))
    assert peak_memory(preview.rebuild) < VIDEO // 4  # the preview's writer too
    large_video(fixture_site, b"third")
    assert peak_memory(lambda: preview.rebuild([source])) < VIDEO // 4
    assert published.read_bytes()[-5:] == b"third"


def test_a_clash_with_a_cleaned_image_names_the_content_file(fixture_site: Path, run) -> None:
    write(fixture_site, "content/static/zeichen.png", b"")
    Image.new("RGB", (10, 10)).save(fixture_site / "content/static/zeichen.png")
    Image.new("RGB", (10, 10)).save(fixture_site / "templates/static/zeichen.png")
    result = run("--root", fixture_site, "--now", NOW)
    assert result.err.splitlines()[0] == (
        "content/static/zeichen.png: error: address /static/zeichen.png is also used by "
        "the theme's templates/static/zeichen.png"
    )


# Links to what is not published -------------------------------------------------------

LINKING = """---
title: Öffentlich verlinkt
date: 2021-07-04
image: 2021-07-01-quokka-entwurf/quokka-foto.jpg
image_alt: Foto
---
Siehe [den Entwurf](2021-07-01-quokka-entwurf/index.md) und
[die Sperrfrist](2030-02-01-quokka-sperrfrist/index.md#mehr).
Die [Mappe](2021-07-01-quokka-entwurf/pressemappe-quokka.pdf) und der
[Termin](/veranstaltungen/quokka-termin/) und [öffentlich](2021-07-03-oeffentlich.md).
![Saal im Haus](2021-07-01-quokka-entwurf/quokka-saal.jpg)
"""


def test_a_link_to_an_unpublished_item_is_text_and_a_warning(fixture_site: Path, run) -> None:
    """Issue 22, point 3: the address of a draft or scheduled item appears nowhere in
    output/, every build warns with the line (so --strict fails), and check says the same."""
    config = fixture_site / "config.yaml"
    config.write_text(config.read_text("utf-8") + "deploy:\n  precompress: true\n", "utf-8")
    unpublished_items(fixture_site)
    write(fixture_site, "content/news/2021-07-04-verlinkt.md", LINKING)
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 0, result.err
    files = everything_in(fixture_site / "output")
    assert [path for path, data in files if MARKER in path.encode() or MARKER in data.lower()] == []
    page = lxml.html.fromstring(
        (fixture_site / "output/aktuelles/verlinkt/index.html").read_bytes()
    )
    body = page.xpath("//main")[0]
    assert [a.text for a in body.iter("a") if a.text in ("öffentlich", "Mappe", "Termin")] == [
        "öffentlich"
    ]
    text = " ".join(body.text_content().split())
    assert "Siehe den Entwurf und die Sperrfrist. Die Mappe und der Termin und" in text
    assert "Saal im Haus" in text and body.xpath(".//img") == []
    shown = "content/news/2021-07-04-verlinkt.md"
    warned = [line for line in result.err.splitlines() if line.startswith(shown)]
    lines = (4, 7, 8, 9, 10, 11)
    assert [line.split(": ", 2)[0] for line in warned] == [f"{shown}:{n}" for n in lines]
    draft = "content/news/2021-07-01-quokka-entwurf/index.md"
    assert warned[1] == (
        f"{shown}:7: warning: link to '2021-07-01-quokka-entwurf/index.md': "
        f"/aktuelles/quokka-entwurf/ is a draft ({draft}): it is not on the site yet; "
        "its text is shown without the link"
    )
    assert "is scheduled for 2030-02-01 00:00" in warned[2]
    assert warned[5].startswith(f"{shown}:11: warning: image '2021-07-01-quokka-entwurf/")
    strict = run("--root", fixture_site, "--now", NOW, "--strict")
    assert strict.code == 1 and f"{shown}:7: error: link to" in strict.err
    checked = run("check", "--root", fixture_site, "--now", NOW)
    said = checked.err.splitlines() + checked.out.splitlines()
    assert all(line in said for line in warned), said  # one rule, one message
    # Published after all: the link is a link again, in a rebuild as in a cold build.
    index = fixture_site / "content/news/2021-07-01-quokka-entwurf/index.md"
    index.write_text(index.read_text("utf-8").replace("draft: true", "draft: false"), "utf-8")
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 0, result.err
    page = lxml.html.fromstring(
        (fixture_site / "output/aktuelles/verlinkt/index.html").read_bytes()
    )
    assert "/aktuelles/quokka-entwurf/" in page.xpath("//main//a/@href")
    assert "/aktuelles/quokka-entwurf/pressemappe-quokka.pdf" in page.xpath("//main//a/@href")


def test_a_deleted_items_photos_are_no_longer_published(fixture_site: Path, run) -> None:
    """Issue 22, point 11: the browser editor deletes an item's index.md; the photos left in
    its folder are not published (no original, no variant), and build and check name them."""
    folder = "news/2021-07-08-quokka-fest"
    write(
        fixture_site,
        f"content/{folder}/index.md",
        "---\ntitle: Fest\ndate: 2021-07-08\nimage: quokka-kind.jpg\nimage_alt: Kind\n---\n"
        "![Garten](bilder/quokka-garten.jpg)\n",
    )
    write(fixture_site, f"content/{folder}/quokka-kind.jpg", jpeg(1000, 600))
    write(fixture_site, f"content/{folder}/bilder/quokka-garten.jpg", jpeg(900, 600))
    assert run("--root", fixture_site, "--now", NOW).code == 0
    assert (fixture_site / "output/aktuelles/quokka-fest/quokka-kind-480w.webp").is_file()
    (fixture_site / "content" / folder / "index.md").unlink()  # consent withdrawn
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 0, result.err
    files = everything_in(fixture_site / "output")
    assert [path for path, data in files if MARKER in path.encode()] == []
    left = (
        "warning: left over from a deleted item: its folder has no index.md, so this file is "
        "not published; delete it, or put the item's index.md back"
    )
    named = [
        f"content/{folder}/bilder/quokka-garten.jpg: {left}",
        f"content/{folder}/quokka-kind.jpg: {left}",
    ]
    assert [line for line in result.err.splitlines() if "left over" in line] == named
    checked = run("check", "--root", fixture_site, "--now", NOW)
    said = checked.err.splitlines() + checked.out.splitlines()
    assert all(line in said for line in named)
    assert run("--root", fixture_site, "--now", NOW, "--strict").code == 1


def test_a_look_at_later_today_publishes_nothing_early(fixture_site: Path, run) -> None:
    """A build as of a later moment of the same day, then one as of now: the second must
    not take up the first's clock (its saved state) and publish what is embargoed till then."""
    write(
        fixture_site,
        "content/news/2031-05-05-quokka-mittag.md",
        '---\ntitle: Quokka Mittag\ndate: "2031-05-05 13:00"\n---\nSperrfrist 13 Uhr.\n',
    )
    assert run("--root", fixture_site, "--now", "2031-05-05 14:00").code == 0
    assert (fixture_site / "output/aktuelles/quokka-mittag/index.html").is_file()
    result = run("--root", fixture_site, "--now", "2031-05-05 12:00")
    assert result.code == 0, result.err
    files = everything_in(fixture_site / "output")
    assert [path for path, data in files if MARKER in path.encode() or MARKER in data.lower()] == []
