"""Where the gateway listens: a Unix socket in production, TCP in the sandbox."""

from __future__ import annotations

import socket
import stat
from pathlib import Path

import pytest

from gateway.__main__ import unix_listener
from gateway.config import load_config


def test_the_socket_admits_owner_and_group_only(tmp_path: Path) -> None:
    path = tmp_path / "gateway.sock"
    with unix_listener(path) as listener:
        assert stat.S_IMODE(path.stat().st_mode) == 0o660
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(str(path))
        assert listener.accept()


def test_a_socket_left_by_an_earlier_run_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "gateway.sock"
    unix_listener(path).close()
    with unix_listener(path):
        assert stat.S_ISSOCK(path.stat().st_mode)


def test_any_other_file_at_the_path_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "gateway.sock"
    path.write_text("not a socket")
    with pytest.raises(OSError, match="in use"):
        unix_listener(path)
    assert path.read_text() == "not a socket"


def test_the_installer_s_config_loads(tmp_path: Path) -> None:
    text = """
socket_path = "/run/jopanel-gateway/gateway.sock"
trusted_proxies = ["unix"]
server_names = ["panel.example.net"]
[auth]
cookie_secure = true
"""
    path = tmp_path / "gateway.toml"
    path.write_text(text)
    config = load_config(path)
    assert config.socket_path == "/run/jopanel-gateway/gateway.sock"
    assert config.server_names == ("panel.example.net",)
    assert config.trusted_proxies == ("unix",)
    assert config.auth.cookie_secure
