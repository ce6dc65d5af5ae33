"""The server's CPU per request of a wrk run: the machine's busy time during the run
(/proc/stat, every CPU, less idle and iowait) less wrk's own (this process's children), over
the requests served. It counts every process that served (nginx, PHP-FPM, the gateway, the
agent, MariaDB) whatever share of the cores they got, so on a busy machine, where requests per
second mostly measure the machine's other work, it still compares two configurations. Other
work on the machine during the run counts too: compare figures of one run."""

from __future__ import annotations

import os
import re
import resource
import subprocess
from pathlib import Path


def _busy_seconds() -> float:
    fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def _children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_wrk(argv: list[str]) -> tuple[str, float]:
    """wrk's output and the server's CPU per request (us) of its run."""
    busy, own = _busy_seconds(), _children_seconds()
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    server = (_busy_seconds() - busy) - (_children_seconds() - own)
    found = re.search(r"(\d+) requests in", out)
    requests = int(found[1]) if found else 0
    return out, server / max(requests, 1) * 1e6
