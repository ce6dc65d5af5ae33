"""Ending an account's SSH sessions (when its shell is taken away: users.set_ssh_shell).

OpenSSH runs each connection in a process of root's (the monitor, `sshd: A [priv]`) and one of
the account's (`sshd: A@pts/0`, `sshd: A@notty`), under which the shell, a command or
sftp-server runs. Ending the account's own `sshd` process and everything below it closes the
connection and stops what it ran, shells and commands alike (a command without a terminal
would outlive a closed connection). Nothing else of the account (PHP, cron jobs, programs it
moved out of the session with setsid) is touched.

Each process is signalled through a pidfd opened after it was seen and checked again, so a
pid that ended and was given to another process in between is never signalled.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Final

SSHD: Final = "sshd"
# Looks at the trees again while processes in them were still forking.
_ROUNDS: Final = 10
_PROC: Final = Path("/proc")


@dataclass(frozen=True)
class _Process:
    pid: int
    parent: int
    uid: int
    name: str


def end_ssh_sessions(uid: int, proc: Path = _PROC) -> int:
    """Kills every SSH session process of the uid with all it runs; how many sessions.

    The trees are stopped first (SIGSTOP, from the top, looking again until no new process
    turns up), so nothing in them forks a process the kill would miss, then killed from the
    bottom."""
    table = _processes(proc)
    roots = [p.pid for p in table.values() if p.uid == uid and p.name == SSHD]
    stopped: dict[int, _Process] = {}
    for _ in range(_ROUNDS):
        fresh = [p for p in _trees(roots, table) if p.pid not in stopped]
        if not fresh:
            break
        for process in fresh:
            if _signal(process, signal.SIGSTOP, proc):
                stopped[process.pid] = process
        table = _processes(proc)  # what they forked before they stopped
    # Children before their parents: a child whose parent died first would have another
    # parent by the time it is looked at again, and be left stopped.
    for process in reversed(stopped.values()):
        _signal(process, signal.SIGKILL, proc)
    return len(roots)


def _trees(roots: list[int], table: dict[int, _Process]) -> list[_Process]:
    """The roots and every process below them, each parent before its children."""
    children: dict[int, list[int]] = {}
    for process in table.values():
        children.setdefault(process.parent, []).append(process.pid)
    tree = [pid for pid in roots if pid in table]
    at = 0
    while at < len(tree):
        tree.extend(children.get(tree[at], []))
        at += 1
    return [table[pid] for pid in tree]


def _processes(proc: Path) -> dict[int, _Process]:
    table = {}
    for entry in os.scandir(proc):
        if entry.name.isdigit():
            found = _read(int(entry.name), proc)
            if found is not None:
                table[found.pid] = found
    return table


def _read(pid: int, proc: Path) -> _Process | None:
    """The process as /proc shows it now; None when it has ended."""
    try:
        stat = (proc / str(pid) / "stat").read_text()
        uid = os.stat(proc / str(pid)).st_uid
    except (FileNotFoundError, ProcessLookupError):
        return None
    # "pid (name) state ppid ...": the name may hold blanks and parentheses.
    name = stat[stat.index("(") + 1 : stat.rindex(")")]
    parent = int(stat[stat.rindex(")") + 2 :].split()[1])
    return _Process(pid, parent, uid, name)


def _signal(seen: _Process, number: signal.Signals, proc: Path) -> bool:
    """Sends the signal to the process seen, if it is still that process; whether it did."""
    try:
        pidfd = os.pidfd_open(seen.pid)
    except ProcessLookupError:
        return False
    try:
        now = _read(seen.pid, proc)
        if now is None or (now.uid, now.name, now.parent) != (seen.uid, seen.name, seen.parent):
            return False
        try:
            signal.pidfd_send_signal(pidfd, number)
        except ProcessLookupError:
            return False
        return True
    finally:
        os.close(pidfd)
