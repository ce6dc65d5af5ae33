"""/etc/group read once per version instead of a getgrnam scan per call (issue 14: the
reconcile's GetSshAccess of every account; no sandbox needed: a file of our own stands for
/etc/group)."""

from __future__ import annotations

import grp
import os
from pathlib import Path

import pytest

from agent.system.accounts import users
from agent.system.base.cached import ParsedFile
from agent.validators.accounts import AccountName

LINES = (
    "root:x:0:\n"
    "# a comment:x:1:alice\n"
    f"{users.MANAGED_GROUP}:x:999:alice,bob,,carol\n"
    f"{users.SSH_OFF_GROUP}:x:998:bob\n"
    f"{users.SSH_SHELL_GROUP}:x:997:alice\n"
    f"{users.SSH_SHELL_GROUP}:x:996:bob\n"  # glibc answers the first
    "+nis_group:::\n"  # a NIS entry: left to NSS
    "broken:x:notanumber:alice\n"
    "spaced:x:1005: alice\n"  # glibc skips the blank
    "short:x:1006\n"
    "alice:x:1001:\n"
)


@pytest.fixture
def asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names that fell through to NSS (grp.getgrnam), with the file as /etc/group."""
    path = tmp_path / "group"
    path.write_text(LINES)
    monkeypatch.setattr(users, "_GROUPS", ParsedFile(path, users._parse_groups))
    names: list[str] = []

    def getgrnam(name: str) -> grp.struct_group:
        names.append(name)
        raise KeyError(name)

    monkeypatch.setattr(grp, "getgrnam", getgrnam)
    return names


def test_a_group_in_the_file_is_its_first_line(asked: list[str]) -> None:
    assert users._managed_members() == {"alice", "bob", "carol"}
    alice, bob = AccountName("alice"), AccountName("bob")
    assert (users.ssh_enabled(alice), users.ssh_enabled(bob)) == (True, False)
    assert (users.ssh_shell(alice), users.ssh_shell(bob)) == (True, False)
    assert users._group_exists("alice")
    assert asked == []


@pytest.mark.parametrize("name", ["+nis_group", "broken", "spaced", "short"])
def test_a_line_glibc_might_read_otherwise_asks_nss_as_before(asked: list[str], name: str) -> None:
    assert users._members(name) == frozenset()
    assert not users._group_exists(name)
    assert asked == [name, name]


@pytest.mark.parametrize("name", ["nis_group", "# a comment", "carol"])
def test_a_group_the_file_lacks_has_no_members_and_its_existence_asks_nss(
    asked: list[str], name: str
) -> None:
    """The agent's groups are made by groupadd, in /etc/group: one it lacks (an SSH group
    before its first member) is no scan of the whole file per read. Whether a name is taken
    by a group still asks NSS (an account's name must be no group of any source)."""
    assert users._members(name) == frozenset()
    assert asked == []
    assert not users._group_exists(name)
    assert asked == [name]


def test_the_ssh_groups_missing_read_as_no_member_without_asking_nss(
    tmp_path: Path, asked: list[str]
) -> None:
    (tmp_path / "group").write_text(f"{users.MANAGED_GROUP}:x:999:alice\nalice:x:1001:\n")
    assert users.ssh_enabled(AccountName("alice"))
    assert not users.ssh_shell(AccountName("alice"))
    assert asked == []


def test_a_changed_file_is_read_again(tmp_path: Path, asked: list[str]) -> None:
    """As usermod and gpasswd write it: a new file renamed over the old one."""
    assert users.ssh_enabled(AccountName("alice"))
    new = tmp_path / "group+"
    new.write_text(LINES.replace(":998:bob", ":998:bob,alice"))
    os.rename(new, tmp_path / "group")
    assert not users.ssh_enabled(AccountName("alice"))


def test_a_huge_file_is_read_whole(tmp_path: Path, asked: list[str]) -> None:
    """An account's own group follows the accounts' group, as useradd appends them."""
    names = [f"u{i}" for i in range(20000)]
    (tmp_path / "group").write_text(
        f"{users.MANAGED_GROUP}:x:999:{','.join(names)}\n"
        + "".join(f"{name}:x:{20000 + i}:\n" for i, name in enumerate(names))
        + f"{users.SSH_OFF_GROUP}:x:998:u19999\n"
    )
    assert len(users._managed_members()) == 20000
    assert not users.ssh_enabled(AccountName("u19999"))
    assert users._group_exists("u19999")
    assert asked == []
