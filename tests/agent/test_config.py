"""Loading the agent's configuration (no sandbox needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import AgentConfig, ConfigError, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "agent.toml"
    path.write_text(text)
    return path


def test_no_file_gives_the_defaults() -> None:
    assert load_config(None) == AgentConfig(
        socket_path=Path("/run/jopanel/agent.sock"),
        gateway_group="jopanel",
        max_message_bytes=4 * 1024 * 1024,
    )


def test_values_from_the_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'socket_path = "/tmp/x/agent.sock"\ngateway_group = "web_gw"\nmax_message_bytes = 65536\n',
    )
    assert load_config(path) == AgentConfig(Path("/tmp/x/agent.sock"), "web_gw", 65536)


def test_missing_keys_keep_their_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, 'gateway_group = "gw"\n'))
    assert config.socket_path == Path("/run/jopanel/agent.sock")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('sockett_path = "/x"\n', "unknown keys: sockett_path"),
        ('socket_path = "relative.sock"\n', "socket_path: must be an absolute path"),
        (f'socket_path = "/{"x" * 107}"\n', "socket_path: must be at most 107 bytes"),
        ("socket_path = 1\n", "socket_path: must be a string"),
        ('gateway_group = "a b"\n', "gateway_group: must be a group name"),
        ("max_message_bytes = true\n", "max_message_bytes: must be an integer"),
        ('max_message_bytes = "4M"\n', "max_message_bytes: must be an integer"),
        ("max_message_bytes = 10\n", "max_message_bytes: must be 1024 to"),
        ("max_message_bytes = 4294967296\n", "max_message_bytes: must be 1024 to"),
        ("socket_path = \n", "agent.toml"),
    ],
)
def test_bad_files_are_refused(tmp_path: Path, text: str, error: str) -> None:
    with pytest.raises(ConfigError, match=error):
        load_config(write(tmp_path, text))


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="No such file"):
        load_config(tmp_path / "absent.toml")


def test_reserved_names_are_read(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, 'reserved_names = ["panel.example.net"]\n'))
    assert config.reserved_names == ("panel.example.net",)


@pytest.mark.parametrize(
    "text",
    [
        'reserved_names = "panel.example.net"\n',
        "reserved_names = [1]\n",
        'reserved_names = ["Panel.Example.NET"]\n',
        'reserved_names = ["panel.example.net;\\ninclude /etc/shadow"]\n',
    ],
)
def test_bad_reserved_names_are_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError, match="reserved_names"):
        load_config(write(tmp_path, text))
