"""System files the agent reads on every request, parsed again only when they change."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")

# What tells a file's versions apart: the shadow tools (useradd, usermod, chpasswd, vipw)
# write a new file and rename it over the old one, which gives it a new inode; an edit in
# place changes its modification time, its change time or its size.
_Version = tuple[int, int, int, int, int]


class ParsedFile(Generic[T]):
    """`parse(path)`, kept until the file's version (inode, times, size) changes.

    The version is taken before the file is read: a change between the two is read now and
    parsed once more at the next call (its version differs), never missed.
    """

    def __init__(self, path: Path, parse: Callable[[Path], T]) -> None:
        self._path = path
        self._parse = parse
        self._version: _Version | None = None
        self._value: T | None = None

    def get(self) -> T:
        info = os.stat(self._path)
        version = (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_ctime_ns, info.st_size)
        if self._value is None or version != self._version:
            self._value = self._parse(self._path)
            self._version = version
        return self._value
