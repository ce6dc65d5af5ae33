"""`make bench`, websites: nginx's own floor, beside the panel's "one more site at N sites" rows.

The floor is what nginx alone needs for a change at N sites: a configuration of N minimal
server blocks (listen, two names; one file each, as the panel writes them), checked with
`nginx -t` and reloaded until new workers serve, by a second nginx master on its own port in
the same run, so the panel's rows and the floor share the machine's state. The panel's row is
one create through the REST API, end to end; the ratio (panel / floor) is issue 14's target 1.
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import stack

from agent.system.web import nginx as agent_nginx


@dataclass
class Floor:
    sites: int
    check_ms: float
    reload_ms: float

    @property
    def total_ms(self) -> float:
        return self.check_ms + self.reload_ms


def _write(folder: Path, sites: int, port: int) -> Path:
    (folder / "sites").mkdir()
    for i in range(sites):
        name = f"site{i:05d}.floor.test"
        (folder / "sites" / f"{name}.conf").write_text(
            f"server {{\n    listen 127.0.0.1:{port};\n    server_name {name} www.{name};\n}}\n"
        )
    main = folder / "nginx.conf"
    # Debian's nginx.conf, less what does not matter to a check or a reload.
    main.write_text(
        "\n".join(
            [
                "user www-data;",
                "worker_processes auto;",
                f"pid {folder}/nginx.pid;",
                f"error_log {folder}/error.log;",
                "events { worker_connections 768; }",
                "http {",
                "    include /etc/nginx/mime.types;",
                "    access_log off;",
                "    server_names_hash_max_size 65536;",
                "    server_names_hash_bucket_size 512;",
                f"    include {folder}/sites/*.conf;",
                "}",
                "",
            ]
        )
    )
    return main


def measure(sites: int, repeats: int = 1) -> Floor:
    """Starts an nginx with `sites` minimal server blocks, checks and reloads it `repeats`
    times (the medians); stops it. (Blocking: the caller runs it in a thread; the reload is the
    agent's own, on its own loop.)"""
    folder = Path(tempfile.mkdtemp(prefix="jopanel-floor-"))
    main = _write(folder, sites, stack.free_port())
    master = subprocess.Popen(["nginx", "-c", str(main), "-g", "daemon off;"])
    try:
        ready = stack.pid_file_names(folder / "nginx.pid", master.pid)
        stack.wait_for("floor nginx", ready, master, folder / "error.log")
        # Its first workers, so that the reload below is timed until they are replaced.
        stack.wait_for("floor workers", lambda: bool(_workers(master.pid)), master, main)
        checks, reloads = [], []
        for _ in range(repeats):
            started = time.perf_counter()
            subprocess.run(["nginx", "-t", "-q", "-c", str(main)], check=True)
            checks.append(time.perf_counter() - started)
            started = time.perf_counter()
            asyncio.run(agent_nginx.reload(folder / "nginx.pid"))
            reloads.append(time.perf_counter() - started)
    finally:
        master.terminate()
        master.wait()
        shutil.rmtree(folder)
    return Floor(sites, statistics.median(checks) * 1000, statistics.median(reloads) * 1000)


def _workers(master: int) -> str:
    return Path(f"/proc/{master}/task/{master}/children").read_text().strip()


if __name__ == "__main__":  # scripts/sandbox.sh DIR .venv/bin/python scripts/bench_floor.py
    for count in (1000, 5000):
        floor = measure(count)
        print(f"{count} sites: nginx -t {floor.check_ms:.0f} ms, reload {floor.reload_ms:.0f} ms")
