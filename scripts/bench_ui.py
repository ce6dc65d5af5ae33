"""`make bench`, web UI: the production bundle and the time to the first rendered list.

Runs the Playwright probe webui/e2e/perf.spec.ts (JOPANEL_PERF=1) in Debian's Chromium against
the stack the benchmark started: the JavaScript a first visit downloads (raw and gzipped),
what signing in adds, and the median time from a fresh page load to the accounts and domains
lists on screen. Run after the websites section, the domains list holds 5,000 domains (the
API pages them, 50 to a page).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import stack

WEBUI = stack.TOP / "webui"


def run(live: stack.Stack, admin: tuple[str, str]) -> None:
    if not live.static_dir:
        print("\nWeb UI: skipped (build the SPA first: make webui)")
        return
    home = Path(tempfile.mkdtemp(prefix="jopanel-chromium-", dir="/tmp"))
    figures_file = home / "perf.json"
    env = {
        **stack.with_node(dict(os.environ)),
        "HOME": str(home),
        "TMPDIR": str(home),
        "JOPANEL_URL": live.url,
        "JOPANEL_ADMIN_NAME": admin[0],
        "JOPANEL_ADMIN_PASSWORD": admin[1],
        "JOPANEL_PERF": "1",
        "JOPANEL_PERF_OUT": str(figures_file),
        "JOPANEL_E2E_OUTPUT": str(home / "out"),
        "CI": "1",
        "FORCE_COLOR": "0",
    }
    try:
        done = subprocess.run(
            ["npx", "--no", "playwright", "test", "e2e/perf.spec.ts"],
            cwd=WEBUI,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        if done.returncode != 0:
            print(f"\nWeb UI probe failed:\n{done.stdout[-3000:]}\n{done.stderr[-1000:]}")
            return
        figures = json.loads(figures_file.read_text())
    finally:
        shutil.rmtree(home, ignore_errors=True)
    print_table(figures)


def print_table(figures: dict[str, Any]) -> None:
    print("\nWeb UI (production build, Chromium, loopback)\n")
    print("| figure | value |")
    print("|---|---|")
    gzipped, raw = figures["first_load_js_gzip_bytes"] / 1024, figures["first_load_js_bytes"] / 1024
    print(
        f"| first-load JavaScript, gzipped | {gzipped:.1f} KB"
        f" ({figures['first_load_js_files']} file(s), {raw:.0f} KB raw) |"
    )
    print(
        f"| added by signing in (admin pages), gzipped | "
        f"{figures['admin_area_js_gzip_bytes'] / 1024:.1f} KB |"
    )
    for name, result in figures["first_list"].items():
        print(
            f"| navigation to the first rendered {name} list (median of 3) | "
            f"{result['ms']} ms ({result['rows']} rows on the page) |"
        )
