"""`admin`: the browser editor for the live site, saving to a git host whose CI builds the site.

Writes /admin/ (Decap CMS, pinned, and a config.yml made from the front-matter schema) into a
folder, by default output/admin/, to run after `build` in the CI workflow (deploy/).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from litfass.commands import common
from litfass.config import Settings
from litfass.i18n import N_, _

EXAMPLES = """\
examples:
  python build.py admin --repo verband/portal --base-url https://git.example.org --app-id 3f2a...
      for a Forgejo server (with review before publishing); --backend gitea for Gitea
  python build.py admin --backend github --repo verband/portal --out output/admin

`python build.py serve` has the editor at http://localhost:8000/admin/ already, saving into
content/ on this computer; this command is for the live site. See docs/redaktion.md.
"""


ADMIN_NOW_HELP = N_(
    "offer the topics and regions of items public at DATE (default: now), as the build does"
)


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "admin",
        help="write the browser editor for the live site (saving to a git host)",
        description="Write /admin/ for the live site: Decap CMS and its config.yml, made from "
        "the front-matter schema, saving to a repository on a git host.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--backend",
        default="forgejo",
        choices=("forgejo", "gitea", "github", "gitlab"),
        help="the git host (default: forgejo; gitea has no review before publishing)",
    )
    parser.add_argument("--app-id", default="", help="the client id of the OAuth application")
    parser.add_argument("--repo", default="", help="the repository: owner/name")
    parser.add_argument("--branch", default="main", help="the branch the site is built from")
    parser.add_argument(
        "--base-url", default="", help="the address of a self-hosted Gitea/Forgejo or GitLab"
    )
    parser.add_argument("--out", type=Path, default=None, help="where (default: output/admin)")
    common.add_root_option(parser)
    common.add_now_option(parser, ADMIN_NOW_HELP)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from litfass.preview.cms import write_admin
    from litfass.preview.cmsconfig import Backend, check_backend

    config, _warnings = settings.loaded()
    backend = Backend(
        args.backend, args.repo, args.branch, args.base_url, config.base_url, args.app_id
    )
    check_backend(backend)
    target = args.out or config.output_path / "admin"
    now = common.parse_now(args.now, config.tz)
    write_admin(config, backend, target, now)
    print(_("the browser editor is in {folder}").format(folder=target))
    return common.EXIT_OK
