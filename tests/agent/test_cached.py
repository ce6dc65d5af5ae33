"""ParsedFile: a system file parsed once, and again whenever it changes (no sandbox needed)."""

from __future__ import annotations

import os
from pathlib import Path

from agent.system.base.cached import ParsedFile


def test_an_unchanged_file_is_parsed_once(tmp_path: Path) -> None:
    path = tmp_path / "shadow"
    path.write_text("alice:x\n")
    reads: list[Path] = []

    def parse(read: Path) -> str:
        reads.append(read)
        return read.read_text()

    cached = ParsedFile(path, parse)
    assert [cached.get() for _ in range(3)] == ["alice:x\n"] * 3
    assert len(reads) == 1


def test_a_file_replaced_by_rename_is_read_again(tmp_path: Path) -> None:
    """How the shadow tools write: a new file renamed over the old one, here with the same
    size and modification time, so only the inode tells them apart."""
    path = tmp_path / "shadow"
    path.write_text("alice:x\n")
    cached = ParsedFile(path, Path.read_text)
    assert cached.get() == "alice:x\n"
    new = tmp_path / "shadow+"
    new.write_text("alice:!\n")
    before = os.stat(path)
    os.utime(new, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.rename(new, path)
    assert cached.get() == "alice:!\n"


def test_a_file_edited_in_place_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "group"
    path.write_text("jopanel-accounts:x:999:alice\n")
    cached = ParsedFile(path, Path.read_text)
    assert cached.get() == "jopanel-accounts:x:999:alice\n"
    with path.open("a") as group:  # same inode, longer
        group.write("bob:x:1001:\n")
    assert cached.get().endswith("bob:x:1001:\n")
    before = os.stat(path)
    path.write_text(path.read_text().replace("alice", "carol"))  # same inode, same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # even the same mtime
    assert "carol" in cached.get()  # its change time moved
