"""Which address a request came from, with and without trusted proxies."""

from __future__ import annotations

from unittest import mock

from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from gateway.api import client_address

PROXIES = ("127.0.0.1",)


def request(peer: str, forwarded: str | None = None) -> web.Request:
    transport = mock.Mock()
    transport.get_extra_info.return_value = (peer, 1234)
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return make_mocked_request("GET", "/", headers=headers, transport=transport)


def test_the_peer_is_the_client_without_trusted_proxies() -> None:
    assert client_address(request("198.51.100.7", "1.2.3.4"), ()) == "198.51.100.7"


def test_a_trusted_proxy_passes_on_the_client() -> None:
    assert client_address(request("127.0.0.1", "198.51.100.7"), PROXIES) == "198.51.100.7"


def test_a_client_cannot_prepend_an_address_of_its_choice() -> None:
    forwarded = "1.2.3.4, 198.51.100.7"
    assert client_address(request("127.0.0.1", forwarded), PROXIES) == "198.51.100.7"


def test_garbage_in_the_header_leaves_the_proxy_as_the_client() -> None:
    assert client_address(request("127.0.0.1", "garbage"), PROXIES) == "127.0.0.1"


def unix_request(forwarded: str | None = None) -> web.Request:
    transport = mock.Mock()
    transport.get_extra_info.return_value = ""  # a Unix socket's peer has no address
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return make_mocked_request("GET", "/", headers=headers, transport=transport)


def test_nginx_on_the_unix_socket_passes_on_the_client_when_trusted() -> None:
    assert client_address(unix_request("198.51.100.7"), ("unix",)) == "198.51.100.7"


def test_a_unix_socket_peer_is_not_trusted_unless_listed() -> None:
    assert client_address(unix_request("198.51.100.7"), ()) == "unix"
