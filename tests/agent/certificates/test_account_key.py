"""The panel's ACME account key (agent/system/certificates/files.py, ensure_account_key): made
by the agent, root's 0600 file in root's 0700 folder, kept when it exists (an upgrade carries
an older panel's key over), and never reached through a link an attacker planted. Runs as
root (the sandbox), on a folder of the test's own, and on the real one the agent made."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from agent.errors import FailedPrecondition
from agent.system.certificates.files import ACME_ROOT, ensure_account_key


def _mode(path: Path) -> tuple[int, int]:
    info = os.lstat(path)
    return stat.S_IMODE(info.st_mode), info.st_uid


def test_made_once_root_only_and_kept(tmp_path: Path) -> None:
    root = tmp_path / "acme"
    path = ensure_account_key(root)
    assert (_mode(root), _mode(path)) == ((0o700, 0), (0o600, 0))
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert key.curve.name == "secp256r1"

    first = path.read_bytes()
    path.chmod(0o644)  # loosened by hand: tightened again, the key kept
    assert ensure_account_key(root).read_bytes() == first
    assert _mode(path) == (0o600, 0)


def test_a_carried_over_key_is_kept(tmp_path: Path) -> None:
    root = tmp_path / "acme"
    root.mkdir(mode=0o700)
    older = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (root / "account.key").write_bytes(older)
    assert ensure_account_key(root).read_bytes() == older


def test_a_planted_link_is_never_followed(tmp_path: Path) -> None:
    target = tmp_path / "shadow"
    target.write_text("root's secret\n")
    root = tmp_path / "acme"
    root.mkdir(mode=0o700)
    (root / "account.key").symlink_to(target)
    with pytest.raises(FailedPrecondition):
        ensure_account_key(root)
    assert target.read_text() == "root's secret\n"

    linked = tmp_path / "linked"
    linked.symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    with pytest.raises(FailedPrecondition):
        ensure_account_key(linked)
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_a_folder_others_may_write_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "acme"
    root.mkdir(mode=0o700)
    os.chown(root, 65534, 65534)  # nobody's
    with pytest.raises(FailedPrecondition):
        ensure_account_key(root)
    assert list(root.iterdir()) == []


async def test_the_running_agent_made_the_panels_key(agent: object) -> None:
    """The agent's start (its certificates service's prepare) made the real one."""
    path = ACME_ROOT / "account.key"
    assert (_mode(ACME_ROOT), _mode(path)) == ((0o700, 0), (0o600, 0))
