"""`build.py watch` and the watcher: bursts of saves make one rebuild, nothing kills the loop.

The watcher runs real watchdog on real folders; the loop runs as a real subprocess.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from livesite import LiveSite
from PIL import Image

from conftest import NOW
from litfass.preview.watcher import Watcher, is_temporary

ARTICLE = "content/news/2020-01-10-neujahr.md"


@pytest.fixture
def watching(fixture_site: Path) -> Iterator[LiveSite]:
    # A long quiet window: the test's own writes must count as one burst on a busy machine.
    live = LiveSite(fixture_site, "watch", "--debounce", "300").ready()
    yield live
    assert live.stop() == 0, live.rest()
    printed = "\n".join(live.rest())
    assert "Traceback" not in printed and printed.rstrip().endswith("Stopped.")


def save_like_vim(path: Path, text: str) -> None:
    """What vim does on :w: probe with 4913, move the file to a backup, write anew, clean up."""
    folder = path.parent
    (folder / "4913").write_text("")
    (folder / "4913").unlink()
    swap = folder / f".{path.name}.swp"
    swap.write_bytes(b"b0VIM 9.0")
    os.rename(path, folder / f"{path.name}~")
    path.write_text(text, encoding="utf-8")
    (folder / f"{path.name}~").unlink()
    swap.write_bytes(b"b0VIM 9.0 changed")


@pytest.mark.parametrize(
    "name",
    [".x.md.swp", "x.md~", ".#x.md", "#x.md#", "4913", "x.md.tmp", "x.md___jb_tmp___", "~$x.docx"],
)
def test_editor_temp_files_are_recognised(name: str) -> None:
    assert is_temporary(name)


@pytest.mark.parametrize("name", ["x.md", "2019-11-04-fachtag.md", "bild.jpg", "config.yaml"])
def test_real_files_are_not_temp_files(name: str) -> None:
    assert not is_temporary(name)


def test_a_save_burst_is_one_batch_of_real_files(fixture_site: Path) -> None:
    watcher = Watcher(
        fixture_site / "config.yaml", [fixture_site / "content", fixture_site / "templates"], 0.3
    )
    watcher.start()
    try:
        article = fixture_site / ARTICLE
        save_like_vim(article, article.read_text(encoding="utf-8") + "\nMehr.\n")
        assert watcher.changes(timeout=60) == {article}
        article.read_text(encoding="utf-8")  # reading (as a rebuild does) is no change
        (fixture_site / "output").mkdir()
        (fixture_site / "output/index.html").write_text("x")  # nor is writing the site
        config = fixture_site / "config.yaml"
        config.write_text(config.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        assert watcher.changes(timeout=60) == {config}
    finally:
        watcher.stop()


def test_temp_file_bursts_cause_one_rebuild(watching: LiveSite, fixture_site: Path) -> None:
    article = fixture_site / ARTICLE
    save_like_vim(article, article.read_text(encoding="utf-8").replace("Text zum", "Bericht zum"))
    first = watching.rebuilt()
    assert "content/news/2020-01-10-neujahr.md: rebuilt" in first
    assert "Bericht zum" in (fixture_site / "output/aktuelles/neujahr/index.html").read_text()

    # A later save of another file is the next rebuild: nothing of the burst was left over.
    other = fixture_site / "content/news/2021-05-01-pflege.md"
    other.write_text(other.read_text(encoding="utf-8") + "\nNachtrag.\n", encoding="utf-8")
    second = watching.rebuilt()
    assert "content/news/2021-05-01-pflege.md: rebuilt" in second
    rebuilds = [line for line in watching.printed if "rebuilt" in line]
    assert rebuilds == [first, second]


@pytest.mark.parametrize(
    ("rel", "broken"),
    [
        (ARTICLE, b"\xff\xfe\x00binary"),
        (ARTICLE, b""),
        (ARTICLE, b"---\ntitle: [unclosed\n---\n"),
        ("config.yaml", b"title: x\n  base_url: : :\n"),
        ("templates/article.html", b"{% extends 'base.html' %}{% block content %}{{ page.title"),
        ("templates/article.html", b"{% extends 'base.html' %}{% block content %}{{ nope.x }}"),
        ("templates/i18n/de.yaml", b"- not a mapping\n"),
    ],
    ids=["binary", "empty", "yaml", "config", "template-syntax", "template-name", "i18n"],
)
def test_the_loop_survives_anything_an_editor_can_save(
    watching: LiveSite, fixture_site: Path, rel: str, broken: bytes
) -> None:
    path = fixture_site / rel
    good = path.read_bytes()
    path.write_bytes(broken)
    assert "not rebuilt" in watching.rebuilt()
    problem = next(line for line in reversed(watching.printed) if ": error: " in line)
    assert problem.startswith(rel.split("/")[0])  # a path the editor can open

    path.write_bytes(good.replace(b"Neujahrsempfang", b"Neujahrsfest"))
    assert " rebuilt in " in watching.rebuilt()
    page = (fixture_site / "output/aktuelles/neujahr/index.html").read_text(encoding="utf-8")
    assert ("Neujahrsfest" in page) == (rel == ARTICLE)


def test_a_plain_build_does_not_load_the_preview() -> None:
    """Every `build.py` start pays for what it imports: the watcher and server wait for their command.
    (config.yaml is read by every command: its language and time zone come first.)"""
    probe = (
        "import sys\n"
        "from litfass import cli\n"
        "loaded = sorted(m for m in ('watchdog.observers', 'watchdog.events', 'litfass.preview.server',"
        " 'litfass.engine.builder', 'http.server') if m in sys.modules)\n"
        "print(','.join(loaded))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def copy_slowly(data: bytes, target: Path, seconds: float) -> None:
    """Write `data` to `target` as a slow copy does (a 30 MB photo from a USB stick): in
    pieces over `seconds`, the file open all the while. The pace is the input, not a wait
    for a result: how long the machine takes for anything else does not matter."""
    pieces = 40
    size = len(data) // pieces + 1
    pause = threading.Event()
    with target.open("wb") as handle:
        for start in range(0, len(data), size):
            handle.write(data[start : start + size])
            handle.flush()
            pause.wait(seconds / pieces)


def test_a_file_being_copied_in_is_waited_for(fixture_site: Path, tmp_path: Path) -> None:
    """Issue 24, point 8: index.md saved while its large photo is still being copied gave
    a red false alarm; the photo is read once it is complete, and only then."""
    buffer = io.BytesIO()
    Image.effect_noise((2400, 1600), 64).convert("RGB").save(buffer, "JPEG", quality=90)
    live = LiveSite(fixture_site, "watch").ready()
    try:
        folder = fixture_site / "content/news/2026-11-02-spende"
        folder.mkdir()
        photo = folder / "grosses-foto.jpg"
        copying = threading.Thread(target=copy_slowly, args=(buffer.getvalue(), photo, 3.0))
        copying.start()
        (folder / "index.md").write_text(
            "---\ntitle: Spende\ndate: 2026-11-02\nimage: grosses-foto.jpg\n"
            "image_alt: Eine Übergabe\n---\nText.\n",
            encoding="utf-8",
        )
        copying.join()
        done = live.line(lambda text: "rebuilt" in text and "grosses-foto.jpg" in text)
        assert " rebuilt in " in done, live.printed
        said = "\n".join(live.printed)
        assert ": error: " not in said and "not rebuilt" not in said and "warning" not in said
        page = fixture_site / "output/aktuelles/spende/index.html"
        assert "grosses-foto" in page.read_text(encoding="utf-8")
    finally:
        assert live.stop() == 0, live.rest()


def test_a_file_gone_in_the_middle_of_a_rebuild_is_said_and_the_loop_lives_on(
    fixture_site: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Whatever step of the engine finds a file gone (a folder deleted in the browser editor,
    a sync client at work), the preview names it, waits for the next save and lives on."""
    from litfass.cli import _parser, _read_settings
    from litfass.commands.watch import RebuildLoop

    args = _parser().parse_args(["watch", "--root", str(fixture_site), "--now", NOW])
    loop = RebuildLoop(args, _read_settings(fixture_site))
    try:
        loop.start()
        photo = fixture_site / "content/news/2026-11-02-spende/foto.jpg"
        gone = FileNotFoundError(2, "No such file or directory", str(photo))
        with monkeypatch.context() as patch:
            patch.setattr(loop.builder, "rebuild", lambda *a, **k: (_ for _ in ()).throw(gone))
            loop.rebuild([photo])
        said = capsys.readouterr()
        problem = "content/news/2026-11-02-spende/foto.jpg: error: cannot read the file: "
        assert problem + "no such file or directory" in said.err
        assert "not rebuilt" in said.out

        article = fixture_site / ARTICLE
        text = article.read_text(encoding="utf-8")
        article.write_text(text.replace("Neujahrsempfang", "Neujahrsfest"), encoding="utf-8")
        loop.rebuild([article])
        assert " rebuilt in " in capsys.readouterr().out
        page = fixture_site / "output/aktuelles/neujahr/index.html"
        assert "Neujahrsfest" in page.read_text(encoding="utf-8")
    finally:
        loop.close()


def test_the_loop_stops_on_sigterm_while_it_runs_and_gives_the_signal_back(
    fixture_site: Path,
) -> None:
    """`kill` stops a preview as Ctrl-C does; a process that goes on after the loop (a test,
    a tool) gets its own handler back, so its forked workers are not handed the loop's."""
    from litfass.cli import _parser, _read_settings
    from litfass.commands.watch import RebuildLoop

    args = _parser().parse_args(["watch", "--root", str(fixture_site), "--now", NOW])
    before = signal.getsignal(signal.SIGTERM)
    loop = RebuildLoop(args, _read_settings(fixture_site))
    try:
        loop.start()
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGTERM)
    finally:
        loop.close()
    assert signal.getsignal(signal.SIGTERM) is before
