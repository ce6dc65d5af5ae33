"""One wrk run for `make bench`, read into a Row: requests per second, p50 and p99, errors,
and the server's CPU per request.

The CPU figure is the machine's busy time during the run (/proc/stat, every CPU, less idle
and iowait) less wrk's own (this process's children), over the requests served. It counts
every process that served (nginx, PHP-FPM, the gateway, the agent, MariaDB) whatever share of
the cores they got, so on a busy machine, where requests per second mostly measure the
machine's other work, it still compares two configurations. Other work on the machine during
the run counts too: compare figures of one run.

Asked for process kinds (names their programs start with, as /proc/<pid>/comm has them:
"nginx", "php-fpm"), a row also has each kind's own CPU per request: the CPU time of every such
process during the run (/proc/<pid>/schedstat, in nanoseconds) and of those that ended during it
(their parents' cutime and cstime, as a master reaps its replaced workers), so a server block's
cost and a pool's read apart in one table. The sandbox has a PID namespace and /proc of its
own, so another sandbox's nginx on the machine is not counted."""

from __future__ import annotations

import os
import re
import resource
import subprocess
from dataclasses import dataclass
from pathlib import Path
from statistics import median


@dataclass(frozen=True)
class Row:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_us: float  # the server's CPU per request
    kinds_us: tuple[float, ...] = ()  # each asked kind's CPU per request, in the asked order


def run(name: str, argv: list[str], kinds: tuple[str, ...] = ()) -> Row:
    """Runs wrk (argv, the URL last) and reads its output (wrk given --latency)."""
    before = _kinds_seconds(kinds)
    busy, own = _busy_seconds(), _children_seconds()
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    server = (_busy_seconds() - busy) - (_children_seconds() - own)
    spent = [now - then for now, then in zip(_kinds_seconds(kinds), before, strict=True)]
    found = re.search(r"(\d+) requests in", out)
    requests = int(found[1]) if found else 0
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    errors = sum(
        int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|errors: .*?):? (\d+)", out)
    )
    return Row(
        name,
        rps,
        _percentile(out, "50"),
        _percentile(out, "99"),
        errors,
        server / max(requests, 1) * 1e6,
        tuple(seconds / max(requests, 1) * 1e6 for seconds in spent),
    )


def medians(rows: list[Row]) -> Row:
    """Runs of one target in several rounds as one row: each figure's median, errors summed."""
    return Row(
        rows[0].name,
        median(r.requests_per_second for r in rows),
        median(r.p50_ms for r in rows),
        median(r.p99_ms for r in rows),
        sum(r.errors for r in rows),
        median(r.cpu_us for r in rows),
        tuple(median(column) for column in zip(*(r.kinds_us for r in rows), strict=True)),
    )


def rate_ratios(rounds: list[list[Row]], top: int, bottom: int) -> list[float]:
    """Row `top`'s requests per second over row `bottom`'s, in each round."""
    return [r[top].requests_per_second / r[bottom].requests_per_second for r in rounds]


def cpu_ratios(rounds: list[list[Row]], top: int, bottom: int) -> list[float]:
    """Row `top`'s CPU per request over row `bottom`'s, in each round."""
    return [r[top].cpu_us / r[bottom].cpu_us for r in rounds]


def p99_ratios(rounds: list[list[Row]], top: int, bottom: int) -> list[float]:
    """Row `top`'s p99 over row `bottom`'s, in each round (above 1: `bottom` is faster)."""
    return [r[top].p99_ms / r[bottom].p99_ms for r in rounds]


def shown(ratios: list[float]) -> str:
    """The rounds' ratios as their median and range."""
    return f"{median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})"


def _percentile(out: str, which: str) -> float:
    value, unit = re.search(rf"\s{which}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _busy_seconds() -> float:
    fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def _children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _kinds_seconds(kinds: tuple[str, ...]) -> list[float]:
    """Each kind's CPU seconds so far, in one pass over /proc: its live processes' run time
    and what their parents have counted of those that ended. A process that ends between two
    readings moves from the first part to the second, so the difference of two readings is
    what the kind ran in between."""
    seconds = [0.0] * len(kinds)
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text()
            found = [i for i, kind in enumerate(kinds) if comm.startswith(kind)]
            if not found:
                continue
            run = int((entry / "schedstat").read_text().split()[0]) / 1e9
            # After the command name (in parentheses, which may hold spaces): cutime, cstime
            # are fields 16 and 17 of stat(5), so 13 and 14 after the ')'.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            seconds[found[0]] += run + (int(fields[13]) + int(fields[14])) / tick
        except (FileNotFoundError, ProcessLookupError):
            continue  # ended while being read
    return seconds
