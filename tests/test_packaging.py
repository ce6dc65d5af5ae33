"""Every Python package of the agent, the gateway, the shared rules and the generated code is in
setup.cfg, so the installer's release (a wheel of this project) holds all of it (no sandbox
needed)."""

from __future__ import annotations

import configparser
from pathlib import Path

TOP = Path(__file__).resolve().parents[1]


def test_setup_cfg_lists_every_package() -> None:
    config = configparser.ConfigParser()
    config.read(TOP / "setup.cfg")
    listed = set(config["options"]["packages"].split())
    found = {
        ".".join(init.parent.relative_to(root).parts)
        for root, folder in (
            (TOP, "agent"),
            (TOP, "gateway"),
            (TOP, "jopanel_rules"),
            (TOP / "gen", "jopanel"),
        )
        for init in (root / folder).rglob("__init__.py")
    }
    assert found - listed == set()
    assert listed - found == set()


def test_the_installer_copies_every_top_level_package() -> None:
    """install.sh builds the release from a copy of the checkout's package folders: one left
    out is a release that cannot be built (jopanel_rules was, once)."""
    config = configparser.ConfigParser()
    config.read(TOP / "setup.cfg")
    tops = {name.split(".")[0] for name in config["options"]["packages"].split()}
    folders = {"gen" if top == "jopanel" else top for top in tops}
    copy = next(
        line
        for line in (TOP / "scripts" / "install.sh").read_text().splitlines()
        if line.strip().startswith('cp -r "$top/agent"')
    )
    assert {folder for folder in folders if f'"$top/{folder}"' not in copy} == set()
