"""The web domain validators alone, with hostile input (no sandbox needed)."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jopanel.agent.web.v1 import web_pb2

from agent.errors import InvalidArgument
from agent.validators import accounts as accounts_validators
from agent.validators import common as common_validators
from agent.validators import web as web_validators
from tests.agent.web.web_support import HOSTILE_HOSTNAMES, HOSTILE_URLS

# What may appear in an nginx configuration without meaning anything to its parser.
NGINX_SPECIAL = set(" \t\r\n\"'\\;{}$#") | {chr(code) for code in range(32)} | {"\x7f"}


@pytest.mark.parametrize("value", HOSTILE_HOSTNAMES)
def test_hostile_hostnames_are_refused(value: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        common_validators.hostname(value, "domain.name")
    assert raised.value.field == "domain.name"
    if value:
        assert value not in raised.value.message


@pytest.mark.parametrize(
    "value",
    [
        "example.com", "www.example.com", "a.b", "1x.example", "xn--bcher-kva.de",
        "xn--strae-oqa.de", "xn--e1afmkfd.xn--p1ai", "a-b.c-d.example", "0.example.com",
        ".".join(["a" * 63] * 3) + "." + "a" * 61,  # 253 characters
    ],
)  # fmt: skip
def test_good_hostnames_pass(value: str) -> None:
    assert common_validators.hostname(value) == value


@given(st.text(alphabet=string.printable + "éü\u200b\x00", max_size=300))
def test_an_accepted_hostname_is_plain_ascii(value: str) -> None:
    try:
        common_validators.hostname(value)
    except InvalidArgument:
        return
    assert set(value) <= set(string.ascii_lowercase + string.digits + ".-")
    assert len(value) <= 253
    assert not value.endswith(".")


def test_aliases_are_checked_one_by_one_and_together() -> None:
    name = common_validators.hostname("example.com")
    assert web_validators.aliases(["www.example.com"], name) == ("www.example.com",)
    with pytest.raises(InvalidArgument, match=r"^domain\.aliases\[1\]: "):
        web_validators.aliases(["www.example.com", "bad;name"], name, "domain.aliases")
    with pytest.raises(InvalidArgument, match="repeat"):
        web_validators.aliases(["a.example.com", "a.example.com"], name)
    with pytest.raises(InvalidArgument, match="own name"):
        web_validators.aliases(["example.com"], name)
    with pytest.raises(InvalidArgument, match="at most 50"):
        web_validators.aliases([f"a{n}.example.com" for n in range(51)], name)


def test_a_wildcard_alias_stands_below_a_name_of_its_own_site() -> None:
    name = common_validators.hostname("alice.test")
    assert web_validators.aliases(["*.alice.test"], name) == ("*.alice.test",)
    assert web_validators.aliases(["shop.test", "*.shop.test"], name) == (
        "shop.test",
        "*.shop.test",
    )
    assert web_validators.aliases(["*.www.alice.test", "www.alice.test"], name)


# Each one a wildcard in a place or shape nginx or a CA would read differently, or a base name
# the site does not hold itself.
HOSTILE_WILDCARDS = [
    "*.test", "*", "*.", "*..alice.test", "*.*.alice.test", "a*.alice.test", "*a.alice.test",
    "*x.test", "**.alice.test", "x.*.alice.test", "alice.*.test", "*.alice.test.", "*.Alice.test",
    "*.alice.test\n", " *.alice.test", "*.-alice.test", "*.alice.test;", "*.sub.alice.test",
    "*.evilalice.test", "*.lice.test", "*.test.alice.test", "*." + "a" * 64 + ".alice.test",
    "*." + ".".join(["a" * 63] * 3) + ".alice.test", "*.127.0.0.1", "%2a.alice.test",
    "\\*.alice.test", "\uff0a.alice.test",
]  # fmt: skip


@pytest.mark.parametrize("value", HOSTILE_WILDCARDS)
def test_hostile_wildcard_aliases_are_refused(value: str) -> None:
    name = common_validators.hostname("alice.test")
    with pytest.raises(InvalidArgument) as raised:
        web_validators.aliases(["www.alice.test", value], name, "domain.aliases")
    assert raised.value.field == "domain.aliases[1]"
    if len(value) > 2:  # '*' and '*.' are the rule's own words
        assert value not in raised.value.message


def test_a_wildcard_of_a_name_only_below_the_site_s_is_refused() -> None:
    """The account holds sub.alice.test: *.alice.test would take every name beside it."""
    name = common_validators.hostname("sub.alice.test")
    with pytest.raises(InvalidArgument, match="needs X itself among the site's names"):
        web_validators.aliases(["*.alice.test"], name, "domain.aliases")


def test_a_huge_wildcard_is_refused_without_echo() -> None:
    name = common_validators.hostname("alice.test")
    huge = "*." + "a" * 100_000 + ".alice.test"
    with pytest.raises(InvalidArgument, match="at most 253") as raised:
        web_validators.aliases([huge], name, "domain.aliases")
    assert "aaaa" not in raised.value.message
    longest = "*." + ".".join(["a" * 62] * 4)  # 253 characters: the whole name counts
    assert len(longest) == 253
    with pytest.raises(InvalidArgument, match="needs X"):
        web_validators.aliases([longest], name)
    with pytest.raises(InvalidArgument, match="at most 253"):
        web_validators.aliases(["*.a" + longest[2:]], name)


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_hostile_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        web_validators.redirect_url(url, "domain.redirect.url")
    assert raised.value.field == "domain.redirect.url"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com", "http://example.com/", "https://example.com:8443/a/b?c=d&e=f#g",
        "https://www.example.com/%7Euser/(x)*+,=!@:~", "https://xn--bcher-kva.de/Seite",
    ],
)  # fmt: skip
def test_good_urls_pass(url: str) -> None:
    assert web_validators.redirect_url(url) == url


def test_preserve_path_refuses_a_query_or_fragment() -> None:
    assert web_validators.redirect_url("https://example.com/new", preserve_path=True)
    for url in ("https://example.com/?a=b", "https://example.com/#top"):
        with pytest.raises(InvalidArgument, match="preserve_path"):
            web_validators.redirect_url(url, preserve_path=True)


@given(st.text(max_size=200).map(lambda rest: "https://example.com/" + rest))
def test_an_accepted_url_has_nothing_nginx_would_parse(url: str) -> None:
    try:
        web_validators.redirect_url(url)
    except InvalidArgument:
        return
    assert not set(url) & NGINX_SPECIAL - {"#"}
    assert url.isascii()


@pytest.mark.parametrize(
    ("port", "ok"), [(1023, False), (1024, True), (65535, True), (65536, False), (0, False)]
)
def test_proxy_ports(port: int, ok: bool) -> None:
    if ok:
        assert web_validators.proxy_port(port) == port
    else:
        with pytest.raises(InvalidArgument, match="1024 to 65535"):
            web_validators.proxy_port(port)


def test_php_versions_must_be_installed() -> None:
    assert web_validators.php_version("8.2", ["8.3", "8.2"]) == "8.2"
    for value in ["7.4", "8.2 ", "8.2;", "", "../8.2"]:
        with pytest.raises(InvalidArgument, match=r"8\.3, 8\.2"):
            web_validators.php_version(value, ["8.3", "8.2"])


def test_redirect_codes() -> None:
    assert web_validators.redirect_status(web_pb2.REDIRECT_CODE_PERMANENT) == 301
    assert web_validators.redirect_status(web_pb2.REDIRECT_CODE_TEMPORARY) == 302
    for value in (web_pb2.REDIRECT_CODE_UNSPECIFIED, web_pb2.RedirectCode.ValueType(9)):
        with pytest.raises(InvalidArgument, match=r"^code: "):
            web_validators.redirect_status(value)


ALLOWED = ((3000, 3000), (20000, 20999))


@pytest.mark.parametrize(
    ("port", "ok"),
    [
        (3000, True), (20000, True), (20999, True), (2999, False), (3001, False),
        (21000, False), (80, False), (1023, False), (0, False), (65536, False),
        # The panel's and MariaDB's ports, even where a careless rule allowed them.
        (8080, False), (3306, False), (3307, False), (33060, False),
    ],
)  # fmt: skip
def test_proxy_ports_must_be_allowed_and_not_the_servers(port: int, ok: bool) -> None:
    wide = (*ALLOWED, (1024, 65535)) if port in web_validators.RESERVED_PROXY_PORTS else ALLOWED
    if ok:
        assert web_validators.allowed_proxy_port(port, wide) == port
    else:
        with pytest.raises(InvalidArgument, match=r"^port: "):
            web_validators.allowed_proxy_port(port, wide)


def test_no_port_is_allowed_by_default() -> None:
    with pytest.raises(InvalidArgument, match="allowed: none"):
        web_validators.allowed_proxy_port(3000, ())


@pytest.mark.parametrize(
    ("values", "ranges"),
    [
        ([], ()),
        ([3000], ((3000, 3000),)),
        (["3000", "20000-20999"], ((3000, 3000), (20000, 20999))),
    ],
)
def test_port_ranges(values: list[object], ranges: web_validators.PortRanges) -> None:
    assert web_validators.port_ranges(values) == ranges


@pytest.mark.parametrize(
    "value", ["", "80", "1023-2000", "3000-2000", "3000-70000", "a", "3000 ", "-3000", True, 3.5]
)
def test_bad_port_ranges_are_refused(value: object) -> None:
    with pytest.raises(ValueError, match="port"):
        web_validators.port_ranges([value])


ROOT = "/home/.apps"


@pytest.mark.parametrize("name", ["app", "a", "shop.example.com", "my_app-2", "a" * 64, "0"])
def test_sockets_in_the_accounts_folder_pass(name: str) -> None:
    path = f"{ROOT}/alice/{name}.sock"
    assert web_validators.app_socket(path, accounts_validators.AccountName("alice"), ROOT) == path


@pytest.mark.parametrize(
    "path",
    [
        "", "/home/.apps/bob/app.sock", "/home/.apps/alice/../bob/app.sock",
        "/home/.apps/alice/..sock", "/home/.apps/alice/a..b.sock", "/home/.apps/alice/./app.sock",
        "/home/.apps/alice/x/app.sock", "/home/.apps/alice/.sock", "/home/.apps/alice/app",
        "/home/.apps/alice/app.sock/", "/home/.apps/alice/App.sock", "/home/.apps/alice/a b.sock",
        "/home/.apps/alice/a;b.sock", "/home/.apps/alice/a{b.sock", "/home/.apps/alice/$x.sock",
        "/home/.apps/alice/app.sock\n", "/home/.apps/alice/app.sock\x00",
        "/home/.apps/alice/-app.sock", "/home/.apps/alice/app-.sock",
        "/home/.apps/alice/" + "a" * 65 + ".sock", "/home/.apps/alicex/app.sock",
        "/home/.apps/alic/app.sock", "home/.apps/alice/app.sock", "//home/.apps/alice/app.sock",
        "/home/alice/web/app.sock", "/run/jopanel/agent.sock", "/home/.apps/alice/ü.sock",
    ],
)  # fmt: skip
def test_hostile_socket_paths_are_refused(path: str) -> None:
    with pytest.raises(InvalidArgument, match=r"^domain\.proxy\.socket_path: must be /home/"):
        web_validators.app_socket(
            path, accounts_validators.AccountName("alice"), ROOT, "domain.proxy.socket_path"
        )


def test_a_socket_path_fits_a_socket_address() -> None:
    root = "/srv/" + "r" * 40
    account = accounts_validators.AccountName("a" * 32)
    fits = f"{root}/{account}/" + "n" * (107 - len(root) - 34 - 5) + ".sock"
    assert len(fits) == 107
    assert web_validators.app_socket(fits, account, root) == fits
    with pytest.raises(InvalidArgument, match="at most 107 bytes"):
        web_validators.app_socket(fits.replace("/n", "/nn"), account, root)


def test_inode_quotas() -> None:
    assert accounts_validators.inode_quota(0) == 0
    assert accounts_validators.inode_quota(2**32 - 1) == 2**32 - 1
    for value in (-1, 2**32):
        with pytest.raises(InvalidArgument, match=r"^inode_quota: "):
            accounts_validators.inode_quota(value)
