"""`scripts/install.sh --enable-quotas` on a real ext4 file system, and the quota it enforces.

The installer's quota function (enable_home_quotas, run alone on a file system of its own) is
taken through the path an administrator follows: an ext4 without the quota feature is left as
it is (the feature needs `tune2fs -O quota` on an unmounted file system: advice only); after
that tune2fs, it adds usrquota to the file system's /etc/fstab line and remounts it; a user's
limit is then enforced, and still after a mount from that fstab line (the reboot). The kernel
must have a quota format: `make test` runs this module in a VM with Debian's kernel
(scripts/test-vm.sh); where the sandbox's /home enforces no quotas it is skipped.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.system.accounts.quotas import DiskQuotas
from agent.system.accounts.users import HOME_ROOT
from agent.validators.accounts import DiskQuotaMb

INSTALLER = Path(__file__).resolve().parents[2] / "scripts" / "install.sh"
FUNCTIONS = ("say", "write_file", "fstab_with_option", "limits_on", "enable_home_quotas")
UID = 61234  # a user of this test only; quotas count by number, no passwd entry is needed
MIB = 1024 * 1024


def run(*argv: str) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{argv}: {done.stderr}"
    return done.stdout


def enable_quotas(home: Path, fstab: Path) -> str:
    """The installer's enable_home_quotas on HOME and FSTAB; what it printed."""
    # Each function's lines: a one-line function alone, else up to the closing brace.
    sources = "; ".join(
        f"source <(sed -n -e '/^{name}() {{.*}}$/{{p;d}}' -e '/^{name}() {{/,/^}}/p' {INSTALLER})"
        for name in FUNCTIONS
    )
    return run(
        "bash",
        "-c",
        f'set -euo pipefail; {sources}; enable_home_quotas "$@"',
        "-",
        str(home),
        str(fstab),
    )


@pytest.fixture
def disk(sandbox: Path, tmp_path: Path) -> Iterator[tuple[Path, Path, Path]]:
    """An ext4 image without the quota feature, mounted as an fstab line says: (image, mount
    point, fstab)."""
    if not DiskQuotas(HOME_ROOT).enforced():
        pytest.skip("this kernel has no quota format: scripts/test-vm.sh runs it under Debian's")
    image, fstab = tmp_path / "home.img", tmp_path / "fstab"
    # The user writes into it: a mount point it can reach (pytest's tmp_path is root's only).
    home = Path(tempfile.mkdtemp(prefix="jopanel-quota-home-"))
    home.chmod(0o755)
    run("truncate", "-s", "64M", str(image))
    run("mkfs.ext4", "-q", "-F", str(image))
    fstab.write_text(f"# test\n/dev/root / ext4 ro 0 1\n{image} {home} ext4 defaults 0 2\n")
    run("mount", "--fstab", str(fstab), str(home))
    try:
        yield image, home, fstab
    finally:
        subprocess.run(["umount", str(home)], capture_output=True, check=False)
        home.rmdir()


def write_as_user(home: Path, mib: int) -> subprocess.CompletedProcess[str]:
    argv = [
        "setpriv",
        f"--reuid={UID}",
        f"--regid={UID}",
        "--clear-groups",
        "--inh-caps=-all",
        "dd",
        "if=/dev/zero",
        f"of={home / 'user' / 'data'}",
        "bs=1M",
        f"count={mib}",
    ]
    return subprocess.run(argv, capture_output=True, text=True, check=False)


def test_enable_quotas_turns_an_ext4_home_into_one_that_enforces_a_limit(
    disk: tuple[Path, Path, Path],
) -> None:
    image, home, fstab = disk
    before = fstab.read_text()
    # Without the quota feature: nothing that needs an unmount is done, and nothing changes.
    assert enable_quotas(home, fstab) == ""
    assert fstab.read_text() == before
    assert not DiskQuotas(home).enforced()

    # The advice's step, on the unmounted file system; mounted again by its fstab line.
    run("umount", str(home))
    assert 'say "    tune2fs -O quota $source"' in INSTALLER.read_text()
    run("tune2fs", "-O", "quota", str(image))
    run("mount", "--fstab", str(fstab), str(home))
    assert not DiskQuotas(home).enforced()

    said = enable_quotas(home, fstab)
    assert f"added usrquota to {home} in {fstab}" in said
    assert f"{home} remounted with usrquota; user quotas are enforced" in said
    line = fstab.read_text().splitlines()[2].split()
    assert line[:4] == [str(image), str(home), "ext4", "defaults,usrquota"]
    assert [p.name for p in fstab.parent.glob("fstab.jopanel-*")] != []
    assert DiskQuotas(home).enforced()

    # A user at its limit: the kernel refuses the write past it.
    (home / "user").mkdir()
    run("chown", f"{UID}:{UID}", str(home / "user"))
    DiskQuotas(home).set_limit(UID, DiskQuotaMb(2))
    refused = write_as_user(home, 4)
    assert refused.returncode != 0
    assert "Disk quota exceeded" in refused.stderr
    assert (home / "user" / "data").stat().st_size <= 2 * MIB

    # The reboot: mounted afresh from the fstab line the installer wrote, the limit holds.
    run("umount", str(home))
    run("mount", "--fstab", str(fstab), str(home))
    assert DiskQuotas(home).enforced()
    (home / "user" / "data").unlink()
    assert "Disk quota exceeded" in write_as_user(home, 4).stderr
    # A second run changes nothing more.
    assert enable_quotas(home, fstab) == (
        f"install: disk quotas: {home} remounted with usrquota; user quotas are enforced\n"
    )
