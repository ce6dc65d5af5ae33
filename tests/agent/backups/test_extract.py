"""extract.py on archives crafted with tarfile (no sandbox needed: it writes below tmp_path).

restic's own tar stream never holds '..' or absolute names, hard links or devices, but a
repository an attacker wrote to could: the writer must refuse them by itself, on top of running
as the account."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import tarfile
from pathlib import Path

from agent.system.backups.backups import EXTRACT, PYTHON

PREFIX = "var/lib/jopanel/backups/views/alice"


def archive(*members: tuple[tarfile.TarInfo, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for info, data in members:
            info.size = len(data) if info.isreg() else 0
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return buffer.getvalue()


def entry(
    name: str, kind: bytes = tarfile.REGTYPE, mode: int = 0o644, link: str = ""
) -> tarfile.TarInfo:
    """A member below PREFIX; a name starting with '/' or '=' is taken as it is (after '=')."""
    if name.startswith("="):
        name = name[1:]
    elif not name.startswith("/"):
        name = f"{PREFIX}/{name}"
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.linkname = link
    return info


def extract(target: Path, home: Path, data: bytes) -> dict[str, int]:
    done = subprocess.run(
        [PYTHON, "-I", str(EXTRACT), "tar", str(target), PREFIX, str(home)],
        input=data,
        capture_output=True,
        check=True,
    )
    return dict(json.loads(done.stdout.splitlines()[-1]))


def test_unsafe_members_are_left_out_and_counted(tmp_path: Path) -> None:
    home = tmp_path / "home"
    outside = tmp_path / "outside"
    outside.write_bytes(b"untouched")
    data = archive(
        (entry("ok.txt"), b"fine"),
        (entry("../escape.txt"), b"x"),
        (entry("a/../../escape2.txt"), b"x"),
        (entry("/etc/evil"), b"x"),
        (entry(f"={PREFIX}-other/x"), b"x"),  # beside the prefix, not below it
        (entry("hard", tarfile.LNKTYPE, link=str(outside)), b""),
        (entry("null", tarfile.CHRTYPE, 0o666), b""),
        (entry("disk", tarfile.BLKTYPE, 0o666), b""),
        (entry("fifo", tarfile.FIFOTYPE), b""),
        (entry("shadow", tarfile.SYMTYPE, link="/etc/shadow"), b""),
        (entry("up", tarfile.SYMTYPE, link="../../../etc"), b""),
        (entry("inside", tarfile.SYMTYPE, link="ok.txt"), b""),
        (entry("suid", mode=0o6755), b"#!/bin/sh\n"),
    )
    counts = extract(home, home, data)
    assert counts["skipped"] == 10
    assert sorted(os.listdir(home)) == ["inside", "ok.txt", "suid"]
    assert (home / "ok.txt").read_bytes() == b"fine"
    assert os.readlink(home / "inside") == "ok.txt"
    assert stat.S_IMODE((home / "suid").stat().st_mode) == 0o755
    assert outside.read_bytes() == b"untouched"
    assert not (tmp_path / "escape.txt").exists()
    assert not (tmp_path / "escape2.txt").exists()


def test_a_member_never_goes_through_a_link_on_disk(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (home / "conf").symlink_to(elsewhere)  # planted before the restore
    (home / "file").symlink_to(elsewhere / "target")
    data = archive((entry("conf/app.ini"), b"from the backup"), (entry("file"), b"plain"))
    counts = extract(home, home, data)
    assert counts["skipped"] == 1  # conf/app.ini: its folder is a link
    assert os.listdir(elsewhere) == []
    assert not (home / "file").is_symlink()  # the link is replaced, not written through
    assert (home / "file").read_bytes() == b"plain"


def test_folders_keep_their_modes_even_read_only_ones(tmp_path: Path) -> None:
    home = tmp_path / "home"
    data = archive(
        (entry("locked", tarfile.DIRTYPE, 0o555), b""),
        (entry("locked/inside.txt", mode=0o600), b"kept"),
    )
    extract(home, home, data)
    assert (home / "locked" / "inside.txt").read_bytes() == b"kept"
    # The owner keeps its way in (0700 at least); the rest of the mode is the backup's.
    assert stat.S_IMODE((home / "locked").stat().st_mode) == 0o755
