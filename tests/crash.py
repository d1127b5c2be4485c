"""Run build.py and kill it with SIGKILL just before its N-th change to the file system.

    python tests/crash.py N COUNT build.py --root SITE ...

A Python audit hook (PEP 578) in this wrapper, not in litfass, counts every change the build
makes (files opened for writing, renames, links, removals, folders made, processes started)
and, at the N-th, kills the build's whole process group (workers and Pagefind too) before
the change happens. N = 0 kills nothing. The count of changes is written to COUNT when the
build ends by itself, so a test can spread its kills over a whole build: every moment
between two changes is reachable, independent of how fast the machine is.
"""

from __future__ import annotations

import os
import runpy
import signal
import sys

# Audit events that change the file system or start what may change it.
CHANGES = {
    "os.rename",  # also os.replace
    "os.link",
    "os.symlink",
    "os.remove",  # also os.unlink, and every file shutil.rmtree removes
    "os.rmdir",
    "os.mkdir",
    "os.truncate",
    "shutil.rmtree",
    "shutil.copyfile",
    "shutil.copytree",
    "subprocess.Popen",
    "ctypes.call_function",  # renameat2 / renamex_np: the swap in one step
}
WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def changes(event: str, args: tuple) -> bool:
    """Whether an audit event is a change to the file system."""
    if event == "open":
        path, mode, flags = args
        if isinstance(path, int):
            return False
        if isinstance(mode, str):
            return any(letter in mode for letter in "wax+")
        return bool(flags & WRITING)
    return event in CHANGES


def main() -> None:
    at, count_file, script, *arguments = sys.argv[1:]
    kill_at = int(at)
    seen = 0

    def hook(event: str, args: tuple) -> None:
        nonlocal seen
        if not changes(event, args):
            return
        seen += 1
        if seen == kill_at:
            os.killpg(os.getpgid(0), signal.SIGKILL)

    sys.addaudithook(hook)
    sys.argv = [script, *arguments]
    sys.path[0] = os.path.dirname(os.path.abspath(script))  # as if run as `python build.py`
    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        with open(count_file, "w", encoding="utf-8") as written:  # counted: after the build
            written.write(str(seen))


if __name__ == "__main__":
    main()
