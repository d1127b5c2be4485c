"""A server-side hook for sshd: OpenSSH's sftp-server behind a relay that hangs up after the
LIMIT-th rename (every upload of `publish` ends with one), as a dropped connection would.

    Subsystem sftp /usr/bin/python3 tests/sftp_hangup.py LIMIT
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading

SFTP_SERVER = "/usr/lib/openssh/sftp-server"
RENAME, EXTENDED = 18, 200  # SSH_FXP_RENAME; SSH_FXP_EXTENDED carries posix-rename@openssh.com


def read_exactly(stream, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def main() -> None:
    limit = int(sys.argv[1])
    server = subprocess.Popen([SFTP_SERVER], stdin=subprocess.PIPE, stdout=sys.stdout.buffer)
    assert server.stdin is not None
    renames = 0
    try:
        while True:
            length = read_exactly(sys.stdin.buffer, 4)
            packet = read_exactly(sys.stdin.buffer, int.from_bytes(length, "big"))
            if packet[0] == RENAME or (packet[0] == EXTENDED and b"posix-rename" in packet[:40]):
                renames += 1
                if renames > limit:
                    break  # the connection drops before this rename reaches the server
            server.stdin.write(length + packet)
            server.stdin.flush()
    except EOFError:
        pass
    server.kill()
    os._exit(0)


if __name__ == "__main__":
    threading.excepthook = lambda args: None
    main()
