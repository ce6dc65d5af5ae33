"""What nginx spends on a check of N sites as the agent renders them (docs/web.md, Scale).

Renders N PHP sites (one alias each) with the agent's template, and N minimal server blocks
(the floor of scripts/bench_floor.py), and runs `nginx -t` on each configuration a few times:
CPU (user + system, best run) and peak memory of nginx. Needs nginx and /etc/nginx's
mime.types and fastcgi_params; writes only below a temporary folder.

    .venv/bin/python scripts/bench_nginx_parse.py [N] [a render module's file]

The optional file is another nginx_render.py (an older one, from git show) to compare with.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from agent.system.web import nginx_render
from agent.system.web.nginx_render import Layout
from agent.system.web.records import PhpBackend, Site
from agent.validators.accounts import AccountName
from agent.validators.common import Hostname
from agent.validators.web import PhpVersion

RUNS = 3
LAYOUT = Layout(
    Path("/etc/nginx"), ("127.0.0.1:8080",), Path("/var/log/jopanel/web"), Path("/run/php")
)


def php_site(number: int) -> Site:
    name = f"site{number:05d}.example.com"
    return Site(
        name=Hostname(name),
        account=AccountName("bench_web"),
        aliases=(Hostname(f"www.{name}"),),
        backend=PhpBackend(PhpVersion("8.2")),
    )


def panel(module: ModuleType) -> Callable[[Path, int], None]:
    def write(folder: Path, sites: int) -> None:
        for name, text in module.render_support(LAYOUT).items():
            (folder / name).write_text(text)
        for number in range(sites):
            site = php_site(number)
            (folder / site.filename).write_text(module.render_site(site, LAYOUT))

    return write


def floor(folder: Path, sites: int) -> None:
    for number in range(sites):
        name = f"site{number:05d}.floor.test"
        (folder / f"{name}.conf").write_text(
            f"server {{\n    listen 127.0.0.1:8080;\n    server_name {name} www.{name};\n}}\n"
        )
    (folder / "_http.conf").write_text(
        "server_names_hash_max_size 65536;\nserver_names_hash_bucket_size 512;\n"
    )


def check(folder: Path) -> tuple[float, float]:
    """Best CPU seconds and peak memory (MB) of `nginx -t` on the folder's files."""
    main = folder.parent / f"{folder.name}.nginx.conf"
    main.write_text(
        "user www-data;\nerror_log stderr;\nevents {}\nhttp {\n"
        f"    include /etc/nginx/mime.types;\n    include {folder}/*.conf;\n}}\n"
    )
    best, memory = float("inf"), 0.0
    for _ in range(RUNS):
        child = subprocess.Popen(["nginx", "-t", "-q", "-c", str(main)])
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            raise SystemExit(f"nginx -t refused {folder}")
        best = min(best, usage.ru_utime + usage.ru_stime)
        memory = max(memory, usage.ru_maxrss / 1024)
    return best, memory


def module_at(path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location("other_render", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def main() -> None:
    sites = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    variants: dict[str, Callable[[Path, int], None]] = {
        "nginx's floor: minimal server blocks": floor,
        "the agent's template": panel(nginx_render),
    }
    if len(sys.argv) > 2:
        variants[f"the template of {sys.argv[2]}"] = panel(module_at(sys.argv[2]))
    top = Path(tempfile.mkdtemp(prefix="jopanel-parse-"))
    try:
        print(f"| configuration ({sites} sites) | CPU (s) | memory (MB) |\n|---|---|---|")
        for number, (label, write) in enumerate(variants.items()):
            folder = top / f"v{number}"
            folder.mkdir()
            write(folder, sites)
            cpu, memory = check(folder)
            print(f"| {label} | {cpu:.3f} | {memory:.0f} |")
    finally:
        shutil.rmtree(top)


if __name__ == "__main__":
    main()
