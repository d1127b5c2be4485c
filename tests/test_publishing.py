"""What reaches output/ from content/: nothing of unpublished items, only safe kinds of files,
images without their camera metadata, valid addresses for any file name (issue: leaks).
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

from PIL import Image

from conftest import NOW

MARKER = b"quokka"  # in every name and text of the unpublished items below, nowhere else
PDF = b"%PDF-1.4\n% quokka press kit\n%%EOF\n"


def jpeg(width: int, height: int, exif: Image.Exif | None = None, **options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(
        buffer, "jpeg", exif=exif or Image.Exif(), **options
    )
    return buffer.getvalue()


def write(site: Path, rel: str, data: bytes | str) -> Path:
    path = site / "content" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


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
    """A draft bundle with a press kit and a photo, a scheduled bundle with a PDF, and a
    loose file only a draft links to; a published item links to a loose file a draft uses."""
    write(
        site,
        "news/2021-07-01-quokka-entwurf/index.md",
        "---\ntitle: Quokka vertraulich\ndate: 2021-07-01\ndraft: true\n"
        "image: quokka-foto.jpg\nimage_alt: Quokka\npdf: pressemappe-quokka.pdf\n---\n"
        "Quokka intern. ![Quokka im Saal](quokka-saal.jpg)\n",
    )
    write(site, "news/2021-07-01-quokka-entwurf/pressemappe-quokka.pdf", PDF)
    write(site, "news/2021-07-01-quokka-entwurf/quokka-foto.jpg", jpeg(1000, 600))
    write(site, "news/2021-07-01-quokka-entwurf/quokka-saal.jpg", jpeg(900, 600))
    write(
        site,
        "news/2030-02-01-quokka-sperrfrist/index.md",
        "---\ntitle: Quokka Sperrfrist\ndate: 2030-02-01\npdf: quokka-sperrfrist.pdf\n---\n"
        "Quokka ab Februar.\n",
    )
    write(site, "news/2030-02-01-quokka-sperrfrist/quokka-sperrfrist.pdf", PDF)
    write(site, "downloads/quokka-nur-entwurf.pdf", PDF)
    write(site, "downloads/gemeinsam.pdf", b"%PDF-1.4\n%%EOF\n")
    write(
        site,
        "news/2021-07-02-quokka-lose.md",
        "---\ntitle: Quokka lose\ndate: 2021-07-02\ndraft: true\n---\n"
        "[Quokka](../downloads/quokka-nur-entwurf.pdf) und [PDF](../downloads/gemeinsam.pdf)\n",
    )
    write(
        site,
        "news/2021-07-03-oeffentlich.md",
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
