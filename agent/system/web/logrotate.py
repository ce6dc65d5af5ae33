"""Rotation of the sites' logs: /etc/logrotate.d/jopanel-sites, rendered from the live sites.

Debian's daily logrotate.timer runs it. Each site's logs are kept as many days as its record
says (its account's plan: log_retention_days), rotated daily or past 100 MiB, compressed:

- access logs (/var/log/jopanel/web/D/access.log) in one block per retention, worked on as
  www-data (their folders are www-data's; the account can plant nothing there); nginx reopens
  its files on USR1 afterwards: no restart, no request lost;
- PHP error logs (/home/A/web/D/php-error.log) in one block per account and retention, worked
  on as the account itself (`su A A`): the files are in the account's tree, where a link it
  planted could otherwise make root's logrotate rename or compress what the account may not
  touch. PHP opens the file for each message, so nothing needs reopening (`nocreate`: the next
  error makes a new file, as the account).

Every path is made of validated account and host names ([a-z0-9._-]), so no value can end a
path list, open a block or name a glob. The file is written atomically and only when it changes.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path
from typing import Final

from agent.system.base import files
from agent.system.web import webroots
from agent.system.web.records import PhpBackend, Registry

logger = logging.getLogger(__name__)

ROTATION_FILE: Final = Path("/etc/logrotate.d/jopanel-sites")
FILE_MODE: Final = 0o644  # logrotate reads it as root; it names no secret
_COMMON: Final = (
    "    daily",
    "    maxsize 100M",
    "    missingok",
    "    notifempty",
    "    compress",
    "    delaycompress",
)


def render(registry: Registry, log_root: Path, nginx_pid_file: Path) -> str:
    access: dict[int, list[str]] = defaultdict(list)
    php: dict[tuple[str, int], list[str]] = defaultdict(list)
    # Strings formatted, not Paths joined: this runs on every change's path, for every site.
    # (Names and accounts are validated: no braces, no slashes.)
    php_log = str(webroots.php_error_log("{0}", "{1}"))
    for site in sorted(registry, key=lambda s: s.name):
        days = site.log_retention_days
        access[days].append(f"{log_root}/{site.name}/access.log")
        if isinstance(site.backend, PhpBackend):
            php[(site.account, days)].append(php_log.format(site.account, site.name))
    lines = ["# Written by jopanel-agent from the sites' records; edits are overwritten."]
    for days, paths in sorted(access.items()):
        lines += [
            f"{' '.join(paths)} {{",
            f"    su {webroots.WEB_SERVER_USER} {webroots.WEB_SERVER_USER}",
            f"    rotate {days}",
            *_COMMON,
            "    sharedscripts",
            "    postrotate",
            f'        [ ! -s {nginx_pid_file} ] || kill -USR1 "$(cat {nginx_pid_file})"',
            "    endscript",
            "}",
        ]
    for (account, days), paths in sorted(php.items()):
        lines += [
            f"{' '.join(paths)} {{",
            f"    su {account} {account}",
            f"    rotate {days}",
            *_COMMON,
            "    nocreate",
            "}",
        ]
    return "\n".join(lines) + "\n"


def write(text: str, path: Path = ROTATION_FILE) -> None:
    """Writes the rotation file when it changed; a failure is logged (the sites still serve)."""
    try:
        if path.exists() and path.read_text() == text:
            return
        files.write_atomic(path, text, FILE_MODE)
    except OSError as error:
        logger.error("could not write %s: %s", path, error)
