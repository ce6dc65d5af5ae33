"""Writing root's configuration files atomically."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def write_atomic(path: Path, text: str, mode: int, group: int | None = None) -> None:
    """Replaces `path` with `text` in one step: a temporary file, fsync, rename, fsync the folder.

    Readers (nginx, php-fpm, an agent restarting after a crash) see the old file or the new one,
    never half of one. The temporary name starts with '.' and ends in '.tmp', so no `*.conf`
    include ever picks it up. Only for folders that root alone may write to. With `group`, the
    file is root:group before it takes the name, so no reader ever sees it with another owner.
    """
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(
        temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode
    )
    try:
        with open(fd, "w", encoding="utf-8", closefd=False) as file:
            file.write(text)
            file.flush()
        if group is not None:
            os.fchown(fd, 0, group)
        os.fchmod(fd, mode)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        temporary.unlink(missing_ok=True)
        raise
    os.close(fd)
    os.rename(temporary, path)
    sync_directory(path.parent)


def write_if_changed(path: Path, text: str, mode: int) -> bool:
    """write_atomic unless the file holds `text` already (its folder made where missing,
    0755); whether it wrote. For the system's configuration files the agent keeps whole."""
    try:
        if path.read_text() == text:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    write_atomic(path, text, mode)
    return True


def sync_directory(path: Path) -> None:
    """Makes renames and new links in the folder durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
