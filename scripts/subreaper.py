"""Runs a program as the child of a subreaper: `python3 subreaper.py PROGRAM ARGS...`.

The sandbox's PID 1 is the test runner or `make run`'s command, which reaps only its own
children. sshd's per-connection processes outlive their parents by design (the privileged
monitor exits before its unprivileged children) and are handed to PID 1, where they would stay
zombies, still counted as the account's processes (a deletion would wait for them forever).
As a child subreaper (prctl PR_SET_CHILD_SUBREAPER), this process receives them instead and
reaps them, as init does on a server. Signals it gets go to the program; it exits with the
program's status.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys

PR_SET_CHILD_SUBREAPER = 36


def main() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")
    # subprocess starts it without running Python in a forked child (tests/test_no_fork.py).
    program = subprocess.Popen(sys.argv[1:]).pid
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda number, _frame: os.kill(program, number))
    while True:
        pid, status = os.wait()
        if pid == program:
            sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    main()
