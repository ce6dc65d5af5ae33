"""/etc/passwd read once per version instead of a getpwnam scan per call (issue 14, target 5;
no sandbox needed: a file of our own stands for /etc/passwd)."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import pytest

from agent.system.accounts import users
from agent.system.base.cached import ParsedFile

LINES = (
    "root:x:0:0:root:/root:/bin/bash\n"
    "alice:x:1001:1001::/home/alice:/usr/sbin/nologin\n"
    "alice:x:0:0:a second alice:/root:/bin/bash\n"  # glibc answers the first
    "+nis_user::::::\n"  # a NIS entry: left to NSS
    "broken:x:notanumber:1002::/home/broken:/bin/sh\n"
    "short:x:1003\n"
    "alice_two:x:1004:1004::/home/alice_two:/bin/bash\n"
)


@pytest.fixture
def asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names that fell through to NSS (pwd.getpwnam), with the file as /etc/passwd."""
    path = tmp_path / "passwd"
    path.write_text(LINES)
    monkeypatch.setattr(users, "_PASSWD", ParsedFile(path, users._parse_passwd))
    names: list[str] = []

    def getpwnam(name: str) -> pwd.struct_passwd:
        names.append(name)
        raise KeyError(name)

    monkeypatch.setattr(pwd, "getpwnam", getpwnam)
    return names


def test_a_name_in_the_file_is_its_first_line(asked: list[str]) -> None:
    alice = users._passwd_entry("alice")
    assert (alice.pw_uid, alice.pw_gid, alice.pw_dir, alice.pw_shell) == (
        1001,
        1001,
        "/home/alice",
        "/usr/sbin/nologin",
    )
    assert users._passwd_entry("alice_two").pw_uid == 1004  # not alice's, though it starts so
    assert asked == []


@pytest.mark.parametrize("name", ["alic", "alice_", "nis_user", "+nis_user", "broken", "short"])
def test_any_other_name_asks_nss_as_before(asked: list[str], name: str) -> None:
    with pytest.raises(KeyError):
        users._passwd_entry(name)
    assert asked == [name]


def test_a_changed_file_is_read_again(tmp_path: Path, asked: list[str]) -> None:
    """As useradd and usermod write it: a new file renamed over the old one."""
    assert users._passwd_entry("alice").pw_shell == "/usr/sbin/nologin"
    new = tmp_path / "passwd+"
    new.write_text(LINES.replace("/home/alice:/usr/sbin/nologin", "/home/alice:/bin/bash"))
    os.rename(new, tmp_path / "passwd")
    assert users._passwd_entry("alice").pw_shell == "/bin/bash"


def test_a_huge_file_is_read_whole(tmp_path: Path, asked: list[str]) -> None:
    (tmp_path / "passwd").write_text(
        LINES
        + "".join(f"u{i}:x:{20000 + i}:{20000 + i}::/home/u{i}:/bin/sh\n" for i in range(20000))
    )
    assert users._passwd_entry("u19999").pw_uid == 39999
    assert asked == []
