"""Loads a database dump as the account: the unprivileged half of a database restore.

The agent starts this file with the system's python3 (-I) under setpriv as the account (as it
starts extract.py), with the dump on standard input (`restic dump`, run by root, writes it).
It starts the `mariadb` client, which connects as the database's loader: a MariaDB user that
holds every privilege on exactly one database and nothing else (no GRANT OPTION, no global
privilege, no other database). The dump is data from a repository that someone else may have
written to: whatever it says (`USE mysql`, `GRANT`, `CREATE USER`, `SET GLOBAL`, a DEFINER of
root), MariaDB refuses what the loader may not do, and the load stops at the first refusal.

    python3 -I load.py DEFAULTS_FILE DATABASE

DEFAULTS_FILE is a client option file ([client]: socket, user, password) the agent wrote for
this load only (0400, the account's); the password is in no argv and no environment.

The client runs with --sandbox (no `system`, `source`, `tee` or pager commands from the
input: a `\\! command` line would otherwise run a program) and without LOAD DATA LOCAL, and
as the account, so even a client flaw reaches nothing the account cannot reach itself.

A dump names the definer of each view, trigger, routine and event (`DEFINER=`u`@`h``); only a
user with SET USER may give another definer than itself, and that privilege is global. So the
definer clauses of the lines that make such objects (mariadb-dump begins them with `CREATE ` or
a versioned comment `/*!`; rows are `INSERT INTO` lines or, since MariaDB 10.11.8, lines of
their own that begin with `(`, and are never touched) are rewritten to `DEFINER=CURRENT_USER`:
the loader, which the agent keeps (locked, no login) so those objects go on working. This
rewrite only lets honest dumps load; it is not a safety check: a clause it does not recognise
reaches MariaDB as it is, and MariaDB refuses it.
"""

from __future__ import annotations

import re
import subprocess
import sys

_DEFINER = re.compile(rb"DEFINER=`(?:[^`]|``)*`@`(?:[^`]|``)*`")
_DEFINING = (b"CREATE ", b"/*!")
# Lines are read in pieces of at most this: a dump from elsewhere may hold one endless line.
# Only a line's first piece is rewritten; statements with a definer are far shorter.
_PIECE = 16 * 1024 * 1024


def rewrite(line: bytes) -> bytes:
    """The line with every definer clause made the loader's, when it makes an object; rows are
    left as they are."""
    if not line.startswith(_DEFINING):
        return line
    return _DEFINER.sub(b"DEFINER=CURRENT_USER", line)


def main(defaults: str, database: str) -> int:
    argv = [
        "mariadb",
        f"--defaults-file={defaults}",  # this file only: no /etc/mysql option applies
        "--sandbox",
        "--local-infile=0",
        "--binary-mode",
        "--batch",
        f"--database={database}",
    ]
    client = subprocess.Popen(argv, stdin=subprocess.PIPE)
    assert client.stdin is not None
    at_start = True
    try:
        while piece := sys.stdin.buffer.readline(_PIECE):
            client.stdin.write(rewrite(piece) if at_start else piece)
            at_start = piece.endswith(b"\n")
        client.stdin.close()
    except BrokenPipeError:  # the client stopped at a refused statement: its status says so
        client.stdin = None  # nothing more to flush into it
    return client.wait()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: load.py DEFAULTS_FILE DATABASE")
    sys.exit(main(sys.argv[1], sys.argv[2]))
