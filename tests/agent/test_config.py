"""Loading the agent's configuration (no sandbox needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import AgentConfig, ConfigError, load_config
from agent.system.base.process import Limits


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


def test_server_names_are_read(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, 'server_names = ["panel.example.net"]\n'))
    assert config.server_names == ("panel.example.net",)


def test_missing_keys_keep_their_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, 'gateway_group = "gw"\n'))
    assert config.socket_path == Path("/run/jopanel/agent.sock")
    # No TCP port for proxy backends unless the administrator allows some.
    assert config.proxy_ports == ()
    assert config.app_socket_dir == Path("/home/.apps")


def test_allowed_proxy_ports(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, 'proxy_ports = [3000, "20000-20999"]\n'))
    assert config.proxy_ports == ((3000, 3000), (20000, 20999))


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
        ('server_names = "panel.example.net"\n', "server_names: must be a list of strings"),
        ('server_names = ["Panel.Example.net"]\n', "server_names: must be lowercase host"),
        ('server_names = ["panel example.net"]\n', "server_names: must be lowercase host"),
        ('proxy_ports = "3000"\n', "proxy_ports: must be a list"),
        ("proxy_ports = [80]\n", "proxy_ports: ports must be 1024 to 65535"),
        ('proxy_ports = ["3000-2000"]\n', "proxy_ports: ports must be 1024 to 65535"),
        ('proxy_ports = ["3000;"]\n', "proxy_ports: each item must be a port"),
        ('app_socket_dir = "home/.apps"\n', "app_socket_dir: must be an absolute path"),
        # The worker's socket beside the gateway's would share its folder's group.
        ('acme_socket_path = "/run/jopanel/acme.sock"\n', "must be in another folder"),
        ('acme_socket_path = "run/acme.sock"\n', "acme_socket_path: must be an absolute"),
        ('acme_socket_path = "/run/a b/x.sock"\n', "acme_socket_path: must be an absolute"),
        (f'acme_socket_path = "/{"x" * 107}"\n', "acme_socket_path: must be at most 107"),
        ("acme_socket_path = 1\n", "acme_socket_path: must be a string"),
        ('acme_socket_path = "/run/a/x.sock"\nacme_group = "jopanel"\n', "acme_group: must"),
        ('acme_socket_path = "/run/a/x.sock"\nacme_group = "a b"\n', "acme_group: must"),
    ],
)
def test_bad_files_are_refused(tmp_path: Path, text: str, error: str) -> None:
    with pytest.raises(ConfigError, match=error):
        load_config(write(tmp_path, text))


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="No such file"):
        load_config(tmp_path / "absent.toml")


def test_each_resource_has_its_documented_timeout() -> None:
    config = load_config(None)
    assert [config.limits(resource) for resource in ("web", "dns", "account", "cron")] == [
        Limits(30.0, "web_timeout", 1024 * 1024),
        Limits(30.0, "dns_timeout", 1024 * 1024),
        Limits(30.0, "account_timeout", 1024 * 1024),
        Limits(30.0, "cron_timeout", 1024 * 1024),
    ]
    assert config.limits("removal").timeout == 600.0
    assert (config.mariadb_connect_timeout, config.mariadb_timeout) == (10.0, 30.0)
    assert config.mariadb_user_connections == 20
    assert config.account_processes == 512


def test_timeouts_and_the_output_bound_from_the_file(tmp_path: Path) -> None:
    text = "web_timeout = 5\ndns_timeout = 2.5\nprogram_output_bytes = 65536\n"
    config = load_config(write(tmp_path, text))
    assert config.limits("web") == Limits(5.0, "web_timeout", 65536)
    assert isinstance(config.web_timeout, float)
    assert config.limits("dns").timeout == 2.5


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("web_timeout = true\n", "web_timeout: must be a number"),
        ('cron_timeout = "30s"\n', "cron_timeout: must be a number"),
        ("dns_timeout = 0\n", "dns_timeout: must be 0.1 to 3600 seconds"),
        ("account_timeout = -1\n", "account_timeout: must be 0.1 to 3600 seconds"),
        ("removal_timeout = 86400\n", "removal_timeout: must be 0.1 to 3600 seconds"),
        ("mariadb_timeout = nan\n", "mariadb_timeout: must be 0.1 to 3600 seconds"),
        ("mariadb_connect_timeout = inf\n", "mariadb_connect_timeout: must be 0.1 to 3600"),
        ("program_output_bytes = 1.5\n", "program_output_bytes: must be an integer"),
        ("program_output_bytes = 100\n", "program_output_bytes: must be 4096 to 67108864"),
        ("program_output_bytes = 1073741824\n", "program_output_bytes: must be 4096 to"),
        ("mariadb_user_connections = 0\n", "mariadb_user_connections: must be an integer"),
        ("mariadb_user_connections = 10001\n", "mariadb_user_connections: must be an integer"),
        ("mariadb_user_connections = 2.5\n", "mariadb_user_connections: must be an integer"),
        ("mariadb_user_connections = true\n", "mariadb_user_connections: must be an integer"),
        ('mariadb_user_connections = "20"\n', "mariadb_user_connections: must be an integer"),
        ("account_processes = 31\n", "account_processes: must be an integer from 32"),
        ("account_processes = 1000001\n", "account_processes: must be an integer from 32"),
        ("account_processes = 64.0\n", "account_processes: must be an integer from 32"),
    ],
)
def test_bad_limits_are_refused(tmp_path: Path, text: str, error: str) -> None:
    with pytest.raises(ConfigError, match=error):
        load_config(write(tmp_path, text))
