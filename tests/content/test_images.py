"""Responsive images: variants, markup, alt-text warnings and the cache (issue: readers)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import lxml.html
import pytest
from PIL import Image

from conftest import NOW, snapshot

ARTICLE = "aktuelles/soziale-traeger-als-partner-der-wohnungswirtschaft/"
NEWS = "content/news/2021-05-01-pflege.md"


def jpeg(width: int, height: int, color=(200, 80, 40), exif: Image.Exif | None = None) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "jpeg", exif=exif or Image.Exif())
    return buffer.getvalue()


def add_bundle(site: Path, front: str, body: str, files: dict[str, bytes]) -> Path:
    """A news item as a folder with its images; returns the index.md."""
    folder = site / "content/news/2021-06-01-sommer"
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    index = folder / "index.md"
    index.write_text(f"---\ntitle: Sommer\ndate: 2021-06-01\n{front}---\n{body}", encoding="utf-8")
    return index


def test_content_images_get_webp_and_jpeg_variants(portal: Path) -> None:
    folder = portal / ARTICLE
    for width, height in ((480, 270), (800, 450), (1200, 675)):
        for ext, kind in (("webp", "WEBP"), ("jpg", "JPEG")):
            with Image.open(folder / f"fachtag-{width}w.{ext}") as image:
                assert (image.format, image.size) == (kind, (width, height))


def test_picture_markup_has_srcset_sizes_and_intrinsic_size(portal: Path) -> None:
    doc = lxml.html.fromstring((portal / ARTICLE / "index.html").read_bytes())
    picture = doc.cssselect("figure.lead-figure picture")[0]
    source = picture.cssselect("source")[0]
    assert source.get("type") == "image/webp"
    assert source.get("srcset").split(", ")[0] == f"/{ARTICLE}fachtag-480w.webp 480w"
    image = picture.cssselect("img")[0]
    assert image.get("src") == f"/{ARTICLE}fachtag-1200w.jpg"
    assert (image.get("width"), image.get("height")) == ("1200", "675")
    assert image.get("sizes") and "800w" in image.get("srcset")
    assert image.get("loading") is None  # the lead image is in the first screen
    for card in doc.cssselect(".card img"):
        assert card.get("loading") == "lazy"


def test_markdown_images_are_responsive_and_lose_camera_metadata(fixture_site: Path, run) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # taken with the camera turned: shown rotated by 90 degrees
    exif[0x010F] = "Kamerahersteller"
    add_bundle(
        fixture_site,
        "",
        "Text.\n\n![Kinder beim Sommerfest im Garten](foto.jpg)\n",
        {"foto.jpg": jpeg(2000, 1000, exif=exif)},
    )
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 0, result.err
    folder = fixture_site / "output/aktuelles/sommer"
    doc = lxml.html.fromstring((folder / "index.html").read_bytes())
    image = doc.cssselect(".body picture img")[0]
    assert image.get("alt") == "Kinder beim Sommerfest im Garten"
    assert (image.get("width"), image.get("height")) == ("1000", "2000")
    assert image.get("loading") == "lazy"
    with Image.open(folder / "foto-1000w.jpg") as largest:
        assert largest.size == (1000, 2000)
        assert not largest.getexif()


def test_missing_alt_text_is_a_warning_with_file_and_line(fixture_site: Path, run) -> None:
    add_bundle(
        fixture_site,
        "image: titel.jpg\n",
        "Erster Absatz.\n\n![](foto.jpg)\n\n![Ein Bild](foto.jpg)\n",
        {"titel.jpg": jpeg(800, 450), "foto.jpg": jpeg(600, 400)},
    )
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 0
    rel = "content/news/2021-06-01-sommer/index.md"
    assert f"{rel}:4: warning: 'image' has no 'image_alt': add 'image_alt: " in result.err
    assert f"{rel}:8: warning: image 'foto.jpg' has no alt text: say what it shows" in result.err
    assert f"{rel}:10:" not in result.err  # the same image with alt text is fine
    assert run("--root", fixture_site, "--now", NOW, "--strict").code == 1


def test_front_matter_image_that_does_not_exist_is_named(fixture_site: Path, run) -> None:
    path = fixture_site / NEWS
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("---\n", "---\nimage: weg.jpg\nimage_alt: Weg\n", 1), "utf-8")
    result = run("--root", fixture_site, "--now", NOW)
    assert (
        f"{NEWS}:2: warning: 'image': file 'weg.jpg' not found; put it beside this file"
        in result.err
    )


def test_variants_come_from_the_cache_keyed_by_the_source(fixture_site: Path, run) -> None:
    add_bundle(
        fixture_site,
        "image: titel.jpg\nimage_alt: Titel\n",
        "Text.\n",
        {"titel.jpg": jpeg(900, 600)},
    )
    assert run("--root", fixture_site, "--now", NOW).code == 0
    cache = fixture_site / ".litfass-cache/images"
    entries = sorted(cache.glob("*-480-*.webp"))
    assert len(entries) == 1
    marker = jpeg(480, 320, color=(0, 0, 255))  # stands in for the cached variant
    entries[0].write_bytes(marker)
    shutil.rmtree(fixture_site / "output")
    assert run("--root", fixture_site, "--now", NOW).code == 0
    variant = fixture_site / "output/aktuelles/sommer/titel-480w.webp"
    assert variant.read_bytes() == marker  # taken from the cache, not made again
    (fixture_site / "content/news/2021-06-01-sommer/titel.jpg").write_bytes(
        jpeg(900, 600, (9, 9, 9))
    )
    assert run("--root", fixture_site, "--now", NOW).code == 0
    assert variant.read_bytes() != marker  # a changed source is a new cache entry
    assert len(list(cache.glob("*-480-*.webp"))) == 2


def test_a_broken_image_is_named_and_output_kept(fixture_site: Path, run) -> None:
    assert run("--root", fixture_site, "--now", NOW).code == 0
    before = snapshot(fixture_site / "output")
    buffer = io.BytesIO()
    Image.effect_noise((900, 600), 60).convert("RGB").save(buffer, "jpeg")
    cut = buffer.getvalue()[: len(buffer.getvalue()) // 2]  # a copy that broke off halfway
    add_bundle(fixture_site, "", "Text.\n", {"kaputt.jpg": cut})
    result = run("--root", fixture_site, "--now", NOW)
    assert result.code == 1
    assert "content/news/2021-06-01-sommer/kaputt.jpg: error: cannot resize the image" in result.err
    assert "Traceback" not in result.err
    assert snapshot(fixture_site / "output") == before


def test_a_camera_original_is_published_with_a_warning_saying_what_readers_get(
    fixture_site: Path, run
) -> None:
    """Issue 24, 9: a 30 MB photo is not refused, but the editor hears what it costs."""
    large = jpeg(1600, 1200) + bytes(30 * 1024 * 1024)  # a camera's bulk after the picture
    index = add_bundle(fixture_site, "image: gross.jpg\nimage_alt: Sommerfest\n", "Text.\n", {})
    (index.parent / "gross.jpg").write_bytes(large)
    with Image.new("1", (7000, 4500)) as huge:  # 31.5 megapixels, a few kilobytes
        huge.save(index.parent / "riesig.png")
    small = f"{round((index.parent / 'riesig.png').stat().st_size / 1000)} kB"
    shown = "content/news/2021-06-01-sommer"
    advice = "save it smaller first: 2400 pixels wide and under 2 MB are plenty"
    full = (
        "but the original is published too, at full size, in output/ for anyone who opens "
        "the file itself"
    )
    expected = [
        f"{shown}/gross.jpg: warning: large photo (31.5 MB, 1600×1200 pixels, 2 megapixels): "
        f"pages show it at most 1600×1200 pixels, {full}; {advice}",
        f"{shown}/riesig.png: warning: large photo ({small}, 7000×4500 pixels, 32 megapixels): "
        f"pages show it at most 1600×1029 pixels, {full}; {advice}",
    ]
    checked = run("check", "--root", fixture_site, "--now", NOW)
    assert [line for line in checked.out.splitlines() if "large photo" in line] == expected
    (index.parent / "riesig.png").unlink()  # resizing 31 megapixels takes long: one is enough
    built = run("--root", fixture_site, "--now", NOW)
    assert built.code == 0
    assert built.err.splitlines() == expected[:1]
    assert (fixture_site / "output/aktuelles/sommer/gross-1600w.webp").is_file()


@pytest.mark.parametrize("when", ["before it is opened", "between two steps"])
def test_a_photo_deleted_while_the_build_reads_it_is_named_never_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    """The preview died when an editor deleted an item's folder just as a rebuild sized its
    photo (found by a busy CI run): a file gone is said as gone, not as a damaged image."""
    from litfass.content import images

    photo = tmp_path / "content/news/x/foto.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(jpeg(40, 30))
    if when == "before it is opened":
        photo.unlink()
    else:
        planned = images._plan_one

        def plan_then_delete(*args: object) -> images.Picture:
            picture = planned(*args)  # type: ignore[arg-type]
            photo.unlink()
            return picture

        monkeypatch.setattr(images, "_plan_one", plan_then_delete)
    rel = "news/x/foto.jpg"
    pictures, problems = images.plan(tmp_path, "content", [(photo, rel)], {rel: "/aktuelles/x/"})
    assert pictures == {}
    said = "content/news/x/foto.jpg: cannot read the file: no such file or directory"
    assert [str(problem) for problem in problems] == [said]
