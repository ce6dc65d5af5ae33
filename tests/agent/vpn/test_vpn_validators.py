"""VpnService's validators and the server configuration they feed (no sandbox needed): hostile
values are refused with the field named, and no accepted value adds a directive."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jopanel.agent.vpn.v1 import vpn_pb2

from agent.errors import FailedPrecondition, InvalidArgument
from agent.system.base.process import Limits
from agent.system.vpn.openvpn import Paths, render_server
from agent.system.vpn.pki import Pki
from agent.system.vpn.vpn import Client, _require_renewal_window
from agent.validators import vpn as validators
from agent.validators.vpn import ClientName, Owner

DIRECTIVES = {
    "port", "proto", "dev", "dev-type", "topology", "server", "ca", "cert", "key", "dh",
    "tls-crypt", "crl-verify", "remote-cert-tls", "tls-version-min", "keepalive", "persist-key",
    "persist-tun", "user", "group", "management", "writepid", "log-append", "verb",
    "explicit-exit-notify", "push", "client-config-dir",
}  # fmt: skip


def settings(**changes: object) -> vpn_pb2.VpnServer:
    server = vpn_pb2.VpnServer(
        enabled=True,
        network="10.8.0.0/24",
        port=1194,
        protocol=vpn_pb2.PROTOCOL_UDP,
        public_address="vpn.example.net",
        dns_servers=["10.8.0.1"],
        routes=["192.168.1.0/24"],
    )
    for name, value in changes.items():
        if isinstance(value, list):
            getattr(server, name).extend(value)
        else:
            setattr(server, name, value)
    return server


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("server.network", {"network": "10.8.0.1/24"}),
        ("server.network", {"network": "10.8.0.0/24\npush x"}),
        ("server.network", {"network": "100.64.0.0/24"}),
        ("server.network", {"network": "10.0.0.0/8"}),
        ("server.network", {"network": "10.8.0.0/30"}),
        ("server.network", {"network": "010.8.0.0/24"}),
        ("server.network", {"network": "10.8.0.0/24 "}),
        ("server.port", {"port": 0}),
        ("server.port", {"port": 65536}),
        ("server.protocol", {"protocol": vpn_pb2.PROTOCOL_UNSPECIFIED}),
        ("server.protocol", {"protocol": 7}),
        ("server.public_address", {"public_address": ""}),
        ("server.public_address", {"public_address": "vpn.example.net 443"}),
        ("server.public_address", {"public_address": "vpn.example.net\nup /bin/sh"}),
        ("server.public_address", {"public_address": "VPN.example.net"}),
        ("server.public_address", {"public_address": "1.2.3.256"}),
        ("server.dns_servers[1]", {"dns_servers": ['10.0.0.1"\npush "x']}),
        ("server.dns_servers", {"dns_servers": ["10.0.0.1"] * 4}),
        ("server.routes[1]", {"routes": ['10.1.0.0/16" "x']}),
        ("server.routes[1]", {"routes": ["10.1.0.1/16"]}),
        ("server.routes", {"routes": ["10.1.0.0/16"] * 32}),
    ],
)
def test_hostile_settings_are_refused(field: str, change: dict[str, object]) -> None:
    with pytest.raises(InvalidArgument) as caught:
        validators.server_settings(settings(**change))
    assert caught.value.field == field


@pytest.mark.parametrize("name", ["", "a.b", "../x", "A", "-a", "a" * 32, "a\n", "a b", "é"])
def test_hostile_client_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidArgument):
        validators.client_name(name)


@pytest.mark.parametrize("owner", ["", "a.b", "ab", "1abc", "a" * 33, "abc\n", "Abc"])
def test_hostile_owners_are_refused(owner: str) -> None:
    with pytest.raises(InvalidArgument):
        validators.owner(owner)


def test_an_administrators_name_is_an_owner() -> None:
    assert validators.owner("admin") == "admin"


@given(
    network=st.text(max_size=30),
    address=st.text(max_size=30),
    dns=st.lists(st.text(max_size=20), max_size=5),
    routes=st.lists(st.text(max_size=20), max_size=5),
)
def test_no_accepted_value_adds_a_directive(
    network: str, address: str, dns: list[str], routes: list[str]
) -> None:
    candidates: list[dict[str, object]] = [
        {"network": network},
        {"public_address": address},
        {"dns_servers": dns},
        {"routes": routes},
    ]
    for change in candidates:
        try:
            accepted = validators.server_settings(settings(**change))
        except InvalidArgument:
            continue
        text = render_server(accepted, Pki(Path("/x"), Limits(1, "t")), PATHS, "jpvpn0")
        for line in text.splitlines():
            if line.startswith("#"):
                continue
            assert line.split(" ", 1)[0] in DIRECTIVES, line
            if line.startswith("push "):
                assert line.count('"') == 2, line


PATHS = Paths(
    Path("/etc/openvpn/server/jopanel.conf"), Path("/c.pem"), Path("/run/x"), Path("/etc/c")
)


def test_a_renewal_opens_30_days_before_the_certificate_expires() -> None:
    now = datetime.now(UTC)
    early = Client(Owner("alice"), ClientName("laptop"), "disconnected", None, now + timedelta(31))
    with pytest.raises(FailedPrecondition, match="revoke it and make another"):
        _require_renewal_window(early)
    for expires in (now + timedelta(days=29), now - timedelta(days=1)):
        _require_renewal_window(dataclasses.replace(early, expires=expires))


INDEX = (
    "V\t350101000000Z\t\t01\tunknown\t/CN=server\n"
    "R\t350101000000Z\t250101000000Z\t02\tunknown\t/CN=alice.laptop\n"
    "V\t350101000000Z\t\t03\tunknown\t/CN=alice.laptop\n"
    "V\t20350101000000Z\t\t04\tunknown\t/CN=bob.phone\n"
    "a line of no certificate\n"
)


def test_the_index_is_parsed_once_per_version_of_the_file(tmp_path: Path) -> None:
    """Every owner's list reads the whole index, and the reconcile asks every account's."""
    pki = Pki(tmp_path, Limits(timeout=5, setting="vpn_timeout"))
    assert pki.entries() == ()  # no PKI yet
    (tmp_path / "pki").mkdir()
    index = tmp_path / "pki" / "index.txt"
    index.write_text(INDEX, encoding="ascii")
    entries = pki.entries()
    assert [(e.common_name, e.state) for e in entries] == [
        ("server", "valid"),
        ("alice.laptop", "revoked"),
        ("alice.laptop", "valid"),
        ("bob.phone", "valid"),
    ]
    assert entries[3].expires == datetime(2035, 1, 1, tzinfo=UTC)
    assert pki.entries() is entries  # not read again
    # easy-rsa writes a new index and renames it over the old one.
    new = index.with_suffix(".new")
    new.write_text(INDEX.replace("V\t20350101000000Z", "R\t20350101000000Z"), encoding="ascii")
    new.rename(index)
    assert pki.entries()[3].state == "revoked"
