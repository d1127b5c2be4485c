"""Does a change keep litfass's output byte for byte? Build the same sites with two versions.

    python bench/same_output.py REV [--items 4000] [--work DIR] [--decompressed]

Builds the example portal (this checkout's content and config.yaml, each version's templates) and the
benchmark corpus (search and precompressed files on) once with the litfass of git revision REV
and once with this checkout's, then prints a hash of each output tree (every file's path and
bytes) and exits 1 if any differs. Run it on one file system: Pagefind lists folders in the
order the file system gives. With `--decompressed`, each .gz and .br file counts by the bytes it
decompresses to: for a change of compression level, which changes those files and nothing a
reader gets.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import brotli
import corpus

DECOMPRESS = {".gz": gzip.decompress, ".br": brotli.decompress}

REPO = Path(__file__).resolve().parent.parent
SITE_FILES = ("content", "templates", "config.yaml")


def tree_hash(folder: Path, decompressed: bool = False) -> tuple[str, int]:
    """A hash of every file's path and bytes below `folder`, and how many files there are."""
    digest = hashlib.sha256()
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        data = path.read_bytes()
        if decompressed and path.suffix in DECOMPRESS:
            data = DECOMPRESS[path.suffix](data)
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest(), len(files)


def sites(work: Path, items: int) -> dict[str, Path]:
    """The two sources to build: the example portal and the benchmark corpus."""
    example = work / "sources" / "example"
    example.mkdir(parents=True)
    for name in SITE_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, example / name)
        else:
            shutil.copy(source, example / name)
    generated = work / "sources" / "corpus"
    corpus.write_litfass(generated, corpus.items(items))
    return {"example portal": example, f"corpus of {items}": generated}


def build(checkout: Path, source: Path, target: Path, decompressed: bool) -> tuple[str, int]:
    """The output of one cold build of `source` (copied to `target`) by `checkout`'s litfass,
    with `checkout`'s theme: a theme may call what only its own litfass gives it."""
    shutil.copytree(source, target)
    if (target / "templates").is_dir():
        shutil.rmtree(target / "templates")
        shutil.copytree(checkout / "templates", target / "templates")
    command = [sys.executable, str(checkout / "build.py"), "--root", str(target)]
    command += ["--now", corpus.NOW, "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    subprocess.run(command, env=env, check=True)
    return tree_hash(target / "output", decompressed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rev", help="the version to compare with, e.g. a commit before a change")
    parser.add_argument("--items", type=int, default=4000, help="corpus size (default 4000)")
    parser.add_argument("--work", type=Path, help="where to build (default: a temporary folder)")
    parser.add_argument(
        "--decompressed", action="store_true", help="compare .gz and .br by what they hold"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(dir=args.work, prefix="same-output-"))
    try:
        before = work / "before"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "-q", "--detach", str(before),
                        args.rev], check=True)  # fmt: skip
        same = True
        for name, source in sites(work, args.items).items():
            old = build(before, source, work / "built-before" / source.name, args.decompressed)
            new = build(REPO, source, work / "built-now" / source.name, args.decompressed)
            print(f"{name}: {args.rev} {old[0]} ({old[1]} files), now {new[0]} ({new[1]} files)")
            same = same and old == new
        print("byte-identical" if same else "DIFFERENT")
        return 0 if same else 1
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(before)],
                       check=False)  # fmt: skip
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
