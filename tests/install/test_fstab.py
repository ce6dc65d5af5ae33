"""`--enable-quotas` adds one mount option to one /etc/fstab line (scripts/install.sh's
fstab_with_option), leaving every other line, and a line that has it, as they were."""

from __future__ import annotations

import subprocess
from pathlib import Path

INSTALLER = Path(__file__).resolve().parents[2] / "scripts" / "install.sh"
FSTAB = """# /etc/fstab: static file system information. /home
UUID=1 /          ext4 errors=remount-ro 0 1
UUID=2 /home      ext4 defaults          0 2
UUID=3 /srv       xfs  noatime,uquota    0 2
"""


def with_option(tmp_path: Path, text: str, target: str, option: str) -> tuple[int, str]:
    fstab = tmp_path / "fstab"
    fstab.write_text(text)
    script = f'source <(sed -n "/^fstab_with_option()/,/^}}/p" {INSTALLER}); fstab_with_option "$@"'
    done = subprocess.run(
        ["bash", "-c", script, "fstab", str(fstab), target, option],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout


def test_the_option_joins_the_line_of_the_mount_point(tmp_path: Path) -> None:
    code, text = with_option(tmp_path, FSTAB, "/home", "usrquota")
    assert code == 0
    lines = text.splitlines()
    assert lines[2].split() == ["UUID=2", "/home", "ext4", "defaults,usrquota", "0", "2"]
    assert [line for i, line in enumerate(lines) if i != 2] == [
        line for i, line in enumerate(FSTAB.splitlines()) if i != 2
    ]


def test_a_line_that_has_the_option_is_left_alone(tmp_path: Path) -> None:
    assert with_option(tmp_path, FSTAB, "/srv", "uquota") == (0, FSTAB)


def test_no_line_or_two_lines_for_the_mount_point_change_nothing(tmp_path: Path) -> None:
    assert with_option(tmp_path, FSTAB, "/var", "usrquota")[0] == 3
    twice = FSTAB + "UUID=4 /home ext4 defaults 0 2\n"
    assert with_option(tmp_path, twice, "/home", "usrquota")[0] == 3


def test_a_commented_line_is_not_a_mount(tmp_path: Path) -> None:
    text = "# UUID=9 /home ext4 defaults 0 2\n"
    assert with_option(tmp_path, text, "/home", "usrquota")[0] == 3
