"""The preview's "publish" button: build the public site with --strict, then upload it.

Under one build lock, so no preview rebuild (with its drafts) slips in between.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from litfass.config import read_settings
from litfass.content.model import BuildOptions
from litfass.engine.oneshot import build
from litfass.errors import LitfassError
from litfass.folders import CONFIG_NAME
from litfass.i18n import _
from litfass.publish.upload import Options, describe, publish
from litfass.workers import default_workers
from litfass.write.lock import build_lock


def go_live(root: Path, now: datetime, password: str | None, say: Callable[[str], None]) -> str:
    """Build (drafts and scheduled items left out, warnings as errors) and publish to
    config.yaml's destination; return the summary line, or raise with every problem.

    `password` (typed in the browser) is used when the environment holds none; `say` is
    told each step, for the open tabs.
    """
    settings = read_settings(root)  # as it is now, edited since the preview began or not
    config, _warnings = settings.loaded()
    destination = config.publish_destination
    if destination is None:
        message = _(
            "no destination to publish to: whoever runs the web space sets "
            "'publish: destination:' in config.yaml"
        )
        raise LitfassError.at(CONFIG_NAME, 0, message)
    with build_lock(root):
        say(_("Publishing: building the site ..."))
        public = BuildOptions(now=now)
        build(root, public, strict=True, workers=default_workers(), settings=settings)
        step = _("Publishing: {done} of {total} files ...")

        said = [-1]

        def progress(done: int, total: int) -> None:
            percent = done * 100 // total
            if percent != said[0]:  # a message per percent, not per file, to the open tabs
                said[0] = percent
                say(step.format(done=done, total=total))

        options = Options(ask=lambda _destination: password or None)
        done = publish(root, config.output_path, destination, options, progress)
    return describe(done, destination)
