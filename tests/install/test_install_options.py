"""The installer's options end up in nginx, TOML and zone files: only plain names pass.

`scripts/install.sh --check` validates and prints the settings without changing anything; the
installer itself is tested on a booted Debian 12 by scripts/test-install.sh.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

INSTALLER = Path(__file__).resolve().parents[2] / "scripts" / "install.sh"
GOOD = {"--hostname": "panel.example.net", "--admin-email": "admin@example.net"}


def check(**options: str) -> subprocess.CompletedProcess[str]:
    argv = [str(INSTALLER), "--check"]
    for name, value in {**GOOD, **options}.items():
        argv += [name, value]
    return subprocess.run(argv, capture_output=True, text=True, check=False)


def test_plain_names_pass() -> None:
    done = check(**{"--nameservers": "ns1.example.net,ns2.example.net"})
    assert done.returncode == 0, done.stderr
    assert "hostname=panel.example.net" in done.stdout
    assert "nameservers=ns1.example.net ns2.example.net" in done.stdout


@pytest.mark.parametrize(
    "value",
    [
        "panel.example.net;",
        "panel.example.net\nserver_name evil.example",
        "Panel.Example.NET",
        "panel",
        "panel.example.net/../x",
        'panel.example.net"',
        "$(touch /tmp/x).example.net",
        "a" * 64 + ".example.net",
        "-panel.example.net",
        "",
    ],
)
def test_a_hostile_hostname_is_refused(value: str) -> None:
    done = check(**{"--hostname": value})
    assert done.returncode == 1
    assert "--hostname" in done.stderr


@pytest.mark.parametrize(
    "value",
    ['admin@example.net"', "admin", "admin@localhost", "Admin@example.net", "a b@example.net"],
)
def test_a_hostile_admin_email_is_refused(value: str) -> None:
    done = check(**{"--admin-email": value})
    assert done.returncode == 1
    assert "--admin-email" in done.stderr


@pytest.mark.parametrize(
    "value", ["ns1.example.net;ns2", "ns1.example.net,", "ns1.example.net, ns2.example.net"]
)
def test_hostile_nameservers_are_refused(value: str) -> None:
    done = check(**{"--nameservers": value})
    assert done.returncode == 1
    assert "--nameservers" in done.stderr


def test_secondary_name_servers_are_ip_addresses() -> None:
    done = check(**{"--dns-secondaries": "203.0.113.5,2001:db8::5,[2001:db8::6]:5353"})
    assert done.returncode == 0, done.stderr
    assert "dns_secondaries=203.0.113.5 2001:db8::5 [2001:db8::6]:5353" in done.stdout
    assert "dns_secondaries= " in check(**{"--dns-secondaries": "none"}).stdout


def test_the_secondaries_sign_with_the_transfer_key_unless_told_no() -> None:
    assert "dns_transfer_key=yes " in check(**{"--dns-secondaries": "203.0.113.5"}).stdout
    done = check(**{"--dns-secondaries": "203.0.113.5", "--dns-transfer-key": "no"})
    assert done.returncode == 0, done.stderr
    assert "dns_transfer_key=no " in done.stdout
    for hostile in ("true", "YES", "no; any", ""):
        refused = check(**{"--dns-transfer-key": hostile})
        assert refused.returncode == 1
        assert "--dns-transfer-key" in refused.stderr


@pytest.mark.parametrize(
    "value",
    [
        "ns2.example.net",
        "203.0.113.5;any",
        '203.0.113.5"]',
        "203.0.113.5,",
        "203.0.113.0/24",
        "203.0.113.5 ",
        "any",
        "$(touch /tmp/x)",
    ],
)
def test_hostile_secondaries_are_refused(value: str) -> None:
    done = check(**{"--dns-secondaries": value})
    assert done.returncode == 1
    assert "--dns-secondaries" in done.stderr


def test_the_process_and_connection_limits_are_whole_numbers_in_the_agents_bounds() -> None:
    done = check()
    assert "account_processes=512 db_user_connections=20" in done.stdout
    done = check(**{"--account-processes": "2048", "--db-user-connections": "50"})
    assert "account_processes=2048 db_user_connections=50" in done.stdout


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--account-processes", "31"),
        ("--account-processes", "1000001"),
        ("--account-processes", "512; rm"),
        ("--account-processes", "0x200"),
        ("--account-processes", "-1"),
        ("--db-user-connections", "0"),
        ("--db-user-connections", "10001"),
        ("--db-user-connections", "20\naccount_processes = 1"),
    ],
)
def test_hostile_limits_are_refused(option: str, value: str) -> None:
    done = check(**{option: value})
    assert done.returncode == 1
    assert option in done.stderr
