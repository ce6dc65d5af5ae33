"""Rendering, records, nginx messages, ACLs and the web settings (no sandbox needed)."""

from __future__ import annotations

import dataclasses
import os
import re
import socket
import time
from pathlib import Path

import pytest

from agent.config import AgentConfig, ConfigError, load_config
from agent.errors import AlreadyExists, FailedPrecondition, InvalidArgument
from agent.system.base import acl
from agent.system.web import app_sockets, nginx, php_fpm
from agent.system.web.nginx_render import (
    SITE_HEADER,
    Layout,
    pool_sites,
    pool_variations,
    record_line,
    render_site,
    render_support,
    site_variations,
)
from agent.system.web.records import (
    Backend,
    PhpBackend,
    ProxyBackend,
    RedirectBackend,
    Registry,
    Site,
    SocketBackend,
    StaticBackend,
    from_json,
    to_json,
)
from agent.system.web.webroots import Owner
from agent.validators import common as common_validators
from agent.validators.accounts import AccountName
from agent.validators.common import Hostname
from agent.validators.web import AppSocket, PhpSettings, PhpVersion, ProxyPort, RedirectUrl
from jopanel_rules.hostnames import first_below

LAYOUT = Layout(
    Path("/etc/nginx"),
    ("80", "[::]:80"),
    Path("/var/log/jopanel/web"),
    Path("/run/php"),
    proxy_ports=((3000, 3000), (20000, 20999)),
)
SOCKETS = "/home/.apps"
BACKENDS: list[Backend] = [
    StaticBackend(),
    PhpBackend(PhpVersion("8.2")),
    ProxyBackend(ProxyPort(3000)),
    SocketBackend(AppSocket("/home/.apps/alice/shop.example.com.sock")),
    RedirectBackend(RedirectUrl("https://example.org/x/"), 302, True),
    RedirectBackend(RedirectUrl("https://example.org/?a=b"), 301, False),
]


def site(backend: Backend, *, suspended: bool = False, name: str = "example.com") -> Site:
    return Site(
        name=Hostname(name),
        account=AccountName("alice"),
        aliases=(Hostname("www.example.com"),),
        backend=backend,
        suspended=suspended,
    )


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("suspended", [False, True])
def test_records_round_trip_through_the_file_header(backend: Backend, suspended: bool) -> None:
    original = site(backend, suspended=suspended)
    text = render_site(original, LAYOUT)
    line = record_line(text)
    assert line is not None
    assert from_json(line, SOCKETS) == original
    assert line == to_json(original)


def test_every_site_listens_logs_and_refuses_foreign_links() -> None:
    text = render_site(site(StaticBackend()), LAYOUT)
    assert "    listen 80;\n    listen [::]:80;\n" in text
    assert "    server_name example.com www.example.com;\n" in text
    assert "    root /home/alice/web/example.com/public_html;\n" in text
    assert "access_log /var/log/jopanel/web/$server_name/access.log combined;" in text
    assert "disable_symlinks if_not_owner from=/home/alice;" in text
    assert "error_log" not in text  # one global error log


def test_every_php_request_sets_every_value_in_one_parameter() -> None:
    settings = PhpSettings(
        memory_limit_mb=512,
        upload_max_filesize_mb=20,
        post_max_size_mb=25,
        max_execution_time_seconds=120,
        max_input_vars=3000,
        display_errors=True,
    )
    text = render_site(site(PhpBackend(PhpVersion("8.2"), settings)), LAYOUT)
    values = "\\n".join(
        [
            "error_log=/home/alice/web/example.com/php-error.log",
            "memory_limit=512M",
            "upload_max_filesize=20M",
            "post_max_size=25M",
            "max_execution_time=120",
            "max_input_time=120",
            "max_input_vars=3000",
            "display_errors=On",
        ]
    )
    # One variable per site, sent as the one PHP_ADMIN_VALUE by the http level's fastcgi_param;
    # the PHP location sets no parameter of its own, so it inherits exactly that list.
    assert f'    set $jopanel_php_admin "{values}";' in text.splitlines()
    assert text.count("$jopanel_php_admin") == 1
    assert "fastcgi_param" not in text
    http = render_support(LAYOUT)["_http.conf"].splitlines()
    assert "fastcgi_param PHP_ADMIN_VALUE $jopanel_php_admin if_not_empty;" in http
    assert sum("PHP_ADMIN_VALUE" in line for line in http) == 1
    assert "    client_max_body_size 25m;" in text.splitlines()
    assert "    fastcgi_read_timeout 150s;" in text.splitlines()
    # The record keeps them; a site of defaults keeps the record it had before settings existed.
    assert from_json(text.splitlines()[0].removeprefix(SITE_HEADER), SOCKETS).backend == (
        PhpBackend(PhpVersion("8.2"), settings)
    )
    assert "settings" not in to_json(site(PhpBackend(PhpVersion("8.2"))))


def test_a_pool_sends_only_the_settings_its_sites_differ_in() -> None:
    """A site sends the settings any site of its pool (account, PHP version) changes, each its
    own value, and its error_log where the pool has other sites; the pool's workers start with
    the defaults and the pool's error_log link."""
    php82 = PhpVersion("8.2")
    plain = site(PhpBackend(php82), name="plain.example")
    own = site(
        PhpBackend(php82, PhpSettings(memory_limit_mb=512, display_errors=True)), name="own.example"
    )
    newer = site(
        PhpBackend(PhpVersion("8.3"), PhpSettings(max_input_vars=3000)), name="v83.example"
    )
    bob = dataclasses.replace(
        site(PhpBackend(php82, PhpSettings(max_input_vars=5000)), name="bob.example"),
        account=AccountName("bob"),
    )
    same = site(PhpBackend(php82, PhpSettings(memory_limit_mb=256)), name="same.example")

    def sent(chosen: Site, sites: list[Site]) -> list[str]:
        varied = site_variations(chosen, pool_variations(pool_sites(sites)))
        lines = [x for x in render_site(chosen, LAYOUT, varied).splitlines() if "php_admin" in x]
        assert len(lines) <= 1
        return lines[0].split('"')[1].split("\\n") if lines else []

    def log(name: str) -> str:
        return f"error_log=/home/alice/web/{name}/php-error.log"

    # Alone in its pool with the defaults: nothing (the pool's own values are the site's).
    assert sent(plain, [plain]) == []
    # Another version's pool and another account's add nothing.
    assert sent(plain, [plain, newer, bob]) == []
    # A second site of the pool: each names its own log; a value equal to the default is none.
    assert sent(plain, [plain, newer, bob, same]) == [log("plain.example")]
    assert sent(same, [plain, newer, bob, same]) == [log("same.example")]
    everyone = [plain, own, newer, bob, same]
    assert sent(plain, everyone) == [
        log("plain.example"),
        "memory_limit=256M",
        "display_errors=Off",
    ]
    assert sent(own, everyone) == [log("own.example"), "memory_limit=512M", "display_errors=On"]
    assert sent(same, everyone) == [log("same.example"), "memory_limit=256M", "display_errors=Off"]
    assert sent(newer, everyone) == ["max_input_vars=3000"]
    # Unless told, a site sends its error_log and every setting (the safe side).
    told = [x for x in render_site(plain, LAYOUT).splitlines() if "php_admin" in x]
    assert told[0].split('"')[1].split("\\n")[0] == log("plain.example")
    assert len(told[0].split("\\n")) == 1 + len(php_fpm.DEFAULT_INI)
    link = Path("/var/log/jopanel/php/alice/8.2.log")
    pool = php_fpm.render_pool(AccountName("alice"), php82, Path("/run/php"), link).splitlines()
    assert f"php_admin_value[error_log] = {link}" in pool
    for name, value in php_fpm.DEFAULT_INI.items():
        assert f"php_admin_value[{name}] = {value}" in pool
    assert "php_admin_value[memory_limit] = 256M" in pool


def test_backends_render_what_they_say() -> None:
    php = render_site(site(PhpBackend(PhpVersion("8.2"))), LAYOUT)
    assert "fastcgi_pass unix:/run/php/jopanel-alice-8.2.sock;" in php
    assert "try_files $jopanel_script =404;" in php
    proxy = render_site(site(ProxyBackend(ProxyPort(3000))), LAYOUT)
    assert "proxy_pass http://127.0.0.1:3000;" in proxy
    on_socket = render_site(site(BACKENDS[3]), LAYOUT)
    assert "proxy_pass http://unix:/home/.apps/alice/shop.example.com.sock:;" in on_socket
    error_log = "error_log=/home/alice/web/example.com/php-error.log"
    assert f'set $jopanel_php_admin "{error_log}\\nmemory_limit=256M\\n' in php
    keep = render_site(site(BACKENDS[4]), LAYOUT)
    assert 'return 302 "https://example.org/x$request_uri";' in keep
    plain = render_site(site(BACKENDS[5]), LAYOUT)
    assert 'return 301 "https://example.org/?a=b";' in plain


@pytest.mark.parametrize("port", [3001, 3306, 8080, 19999, 21000])
def test_a_port_the_configuration_does_not_allow_is_never_proxied_to(port: int) -> None:
    """A record from before the rule, or one the administrator's narrower rule left out."""
    text = render_site(site(ProxyBackend(ProxyPort(port))), LAYOUT)
    assert "proxy_pass" not in text
    assert "return 502" in text
    assert "proxy_pass" in render_site(site(ProxyBackend(ProxyPort(20500))), LAYOUT)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_suspended_site_answers_503_and_nothing_else(backend: Backend) -> None:
    text = render_site(site(backend, suspended=True), LAYOUT)
    assert "return 503" in text
    # Only the panel's ACME challenge location stays (so a suspended site's certificate can
    # still be renewed): nothing of the site's own.
    challenge, rest = text.split("    location ^~ /.well-known/acme-challenge/ {\n", 1)[1].split(
        "    }\n", 1
    )
    assert "/home/" not in challenge
    for directive in ("fastcgi_pass", "proxy_pass", "try_files", "return 30"):
        assert directive not in rest


def test_the_default_server_and_http_settings() -> None:
    files = render_support(LAYOUT)
    assert "listen 80 default_server;" in files["_default.conf"]
    assert "listen [::]:80 default_server;" in files["_default.conf"]
    assert "server_names_hash_bucket_size 512;" in files["_http.conf"]
    assert "open_log_file_cache" in files["_http.conf"]


def test_braces_balance_in_every_rendering() -> None:
    texts = [render_site(site(b, suspended=s), LAYOUT) for b in BACKENDS for s in (False, True)]
    for text in [*texts, *render_support(LAYOUT).values()]:
        body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
        assert body.count("{") == body.count("}")


@pytest.mark.parametrize(
    "line",
    [
        "not json",
        '{"name":"example.com"}',
        to_json(site(StaticBackend())).replace("alice", "Alice"),
        to_json(site(StaticBackend())).replace('"static"', '"shell"'),
        to_json(site(ProxyBackend(ProxyPort(3000)))).replace("3000", "true"),
        to_json(site(PhpBackend(PhpVersion("8.2")))).replace("8.2", "8.2;x"),
        to_json(site(PhpBackend(PhpVersion("8.2"), PhpSettings(memory_limit_mb=64)))).replace(
            "64", '"64M\\nopen_basedir=/"'
        ),
        to_json(site(PhpBackend(PhpVersion("8.2"), PhpSettings(memory_limit_mb=64)))).replace(
            "64", "99999999"
        ),
        to_json(site(PhpBackend(PhpVersion("8.2"), PhpSettings(display_errors=True)))).replace(
            "true", "1"
        ),
        to_json(site(StaticBackend())).replace("false", '"no"'),
        to_json(site(BACKENDS[3])).replace("/alice/", "/bob/"),
        to_json(site(BACKENDS[3])).replace("/alice/", "/alice/../bob/"),
        to_json(site(BACKENDS[3])).replace("shop.example.com.sock", "x;y.sock"),
        to_json(site(BACKENDS[3])).replace('"/home/.apps/alice/shop.example.com.sock"', "7"),
    ],
)
def test_malformed_records_are_refused(line: str) -> None:
    with pytest.raises((ValueError, KeyError, TypeError)):
        from_json(line, SOCKETS)


def test_the_registry_keeps_each_hostname_to_one_site() -> None:
    registry = Registry([site(StaticBackend())])
    other = Site(
        Hostname("example.net"), AccountName("bob"), (Hostname("www.example.com"),), StaticBackend()
    )
    with pytest.raises(AlreadyExists, match="another account"):
        registry.put(other)
    twin = registry.copy()
    twin.remove("example.com")
    twin.put(other)
    assert registry.get("example.net") is None
    assert [s.name for s in twin] == ["example.net"]


def test_nginx_messages_are_short_and_name_the_file() -> None:
    stderr = (
        b'2026/01/01 10:00:00 [emerg] 12#12: unknown directive "x" in '
        b"/etc/nginx/jopanel/sites.7/example.com.conf:9\n"
        b'nginx: [emerg] host not found in "a" in /etc/nginx/conf.d/other.conf:3\n'
        b"nginx: configuration file /etc/nginx/jopanel/test.conf test failed\n"
    )
    message = nginx.message(stderr, Path("/etc/nginx/jopanel/sites.7"))
    assert message == (
        'unknown directive "x" (example.com.conf line 9); host not found in "a" (other.conf line 3)'
    )


def test_pools_run_as_the_account_and_only_nginx_connects() -> None:
    link = Path("/var/log/jopanel/php/alice/8.2.log")
    pool = php_fpm.render_pool(AccountName("alice"), PhpVersion("8.2"), Path("/run/php"), link)
    assert "[jopanel-alice]\nuser = alice\ngroup = alice\n" in pool
    assert "listen = /run/php/jopanel-alice-8.2.sock\n" in pool
    assert "listen.owner = www-data\nlisten.group = www-data\nlisten.mode = 0660\n" in pool
    assert "pm = ondemand\n" in pool
    assert "php_admin_value[open_basedir] = /home/alice/\n" in pool


def test_php_versions_are_found_newest_first(tmp_path: Path) -> None:
    for name in ("php-fpm8.2", "php-fpm8.10", "php-fpm7.4", "php-fpm", "php-fpm8.2.bak"):
        (tmp_path / name).touch(mode=0o755)
    (tmp_path / "php-fpm9.0").touch(mode=0o644)  # not executable
    assert php_fpm.installed_versions(tmp_path) == ["8.10", "8.2", "7.4"]


def test_a_php_version_installed_or_removed_later_is_seen(tmp_path: Path) -> None:
    (tmp_path / "php-fpm8.2").touch(mode=0o755)
    an_hour_ago = time.time() - 3600
    os.utime(tmp_path, (an_hour_ago, an_hour_ago))
    assert php_fpm.installed_versions(tmp_path) == ["8.2"]  # kept: the folder is an hour old
    (tmp_path / "php-fpm8.3").touch(mode=0o755)
    assert php_fpm.installed_versions(tmp_path) == ["8.3", "8.2"]
    os.utime(tmp_path, (an_hour_ago + 60, an_hour_ago + 60))
    assert php_fpm.installed_versions(tmp_path) == ["8.3", "8.2"]  # kept
    (tmp_path / "php-fpm8.3").unlink()
    assert php_fpm.installed_versions(tmp_path) == ["8.2"]
    (tmp_path / "php-fpm8.2").chmod(0o644)  # not executable: the folder's time does not change
    assert php_fpm.installed_versions(tmp_path) == []


def test_acl_entries_round_trip() -> None:
    entries = {(acl.USER_OBJ, 0xFFFFFFFF): 7, (acl.USER, 33): 1, (acl.GROUP_OBJ, 0xFFFFFFFF): 5}
    entries |= {(acl.MASK, 0xFFFFFFFF): 5, (acl.OTHER, 0xFFFFFFFF): 0}
    assert acl.decode(acl.encode(entries)) == entries
    with pytest.raises(ValueError, match="malformed"):
        acl.decode(b"\x02\x00\x00\x00\x01")


def test_the_web_settings_have_debian_defaults(tmp_path: Path) -> None:
    config = load_config(None)
    assert config.web_listen == ("80", "[::]:80")
    assert (config.nginx_dir, config.php_dir) == (Path("/etc/nginx"), Path("/etc/php"))
    path = tmp_path / "agent.toml"
    path.write_text('web_listen = ["127.0.0.1:8081", "[::1]:8081"]\n')
    assert load_config(path).web_listen == ("127.0.0.1:8081", "[::1]:8081")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('web_listen = "80"\n', "web_listen: must be a list of strings"),
        ("web_listen = []\n", "web_listen: must list"),
        ('web_listen = ["80; include /x"]\n', "web_listen: must list"),
        ('web_listen = ["0"]\n', "web_listen: must list"),
        ('web_listen = ["999.1.1.1:80"]\n', "web_listen: must list"),
        ('web_listen = ["localhost:80"]\n', "web_listen: must list"),
        ('web_listen = ["80", "80"]\n', "web_listen: must not repeat"),
        ('nginx_dir = "/etc/ng inx"\n', "nginx_dir: must be an absolute path"),
        ('web_log_dir = "/var/log/$x"\n', "web_log_dir: must be an absolute path"),
        ('php_run_dir = "run/php"\n', "php_run_dir: must be an absolute path"),
    ],
)
def test_bad_web_settings_are_refused(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "agent.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=re.escape(error)):
        load_config(path)


def test_config_listen_forms_are_plain() -> None:
    assert AgentConfig(web_listen=("8080", "127.0.0.1:80", "[::]:80")).web_listen
    assert common_validators.HOSTNAME_PATTERN.fullmatch("example.com")


def test_socket_folders_need_a_nosymfollow_mount(tmp_path: Path) -> None:
    """Where links in the folder would be followed, no socket backend is accepted."""
    owner = Owner(AccountName("alice"), 1000, 1000)
    with pytest.raises(FailedPrecondition, match=r"nosymfollow|root's"):
        app_sockets.prepare_folder(tmp_path, owner, "/x/alice/a.sock", "socket")
    (tmp_path / "link").symlink_to(tmp_path)
    with pytest.raises(FailedPrecondition, match="not a link"):
        app_sockets.prepare_folder(tmp_path / "link", owner, "/x/alice/a.sock", "socket")
    with pytest.raises(FailedPrecondition, match="is missing"):
        app_sockets.prepare_folder(tmp_path / "none", owner, "/x/alice/a.sock", "socket")
    assert not (tmp_path / "alice").exists()


def test_who_listens_on_a_port_is_read_from_the_kernel() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        port = server.getsockname()[1]
        assert app_sockets.listeners(port) == set()
        server.listen()
        assert app_sockets.listeners(port) == {os.getuid()}
        with pytest.raises(InvalidArgument, match=r"^domain\.proxy\.port: is a port another"):
            app_sockets.check_port_free_for(
                port, Owner(AccountName("alice"), os.getuid() + 1, 0), "domain.proxy.port"
            )
        app_sockets.check_port_free_for(port, Owner(AccountName("me"), os.getuid(), 0), "port")


def registry_site(name: str, account: str, *aliases: str) -> Site:
    return Site(
        name=Hostname(name),
        account=AccountName(account),
        aliases=tuple(Hostname(alias) for alias in aliases),
        backend=StaticBackend(),
    )


def test_the_registry_knows_another_accounts_names_below_a_name_without_a_scan() -> None:
    """Registry.held_below answers as a scan of every hostname would (names.py's rule), through
    puts, replacements, removals and copies: another account's name below, the same account's,
    a wildcard alias, look-alikes that are not below."""
    alice, mallory = AccountName("alice"), AccountName("mallory")
    registry = Registry(
        [
            registry_site("shop.alice.test", "alice", "www.shop.alice.test", "*.cdn.alice.test"),
            registry_site("evilalice.test", "mallory", "alice.test.evil", "xalice.test"),
            registry_site("mallory.test", "mallory", "www.mallory.test"),
        ]
    )
    twin = registry.copy()
    twin.put(registry_site("mallory.test", "mallory", "deep.a.alice.test"))  # replaced
    twin.remove("shop.alice.test")
    twin.put(registry_site("b.shop.alice.test", "mallory"))

    def scan(of: Registry, name: str, account: AccountName) -> str | None:
        held = sorted((host, site.account) for site in of for host in site.hostnames)
        return first_below(held, name, account)

    names = [
        "alice.test", "shop.alice.test", "cdn.alice.test", "a.alice.test", "test", "evil",
        "mallory.test", "lice.test", "alice.test.evil", "shop.alice.tes",
    ]  # fmt: skip
    for of in (registry, twin):
        # The counts kept through puts, removals and copies are those of the same sites put
        # afresh: a count too high would only send a claim to the scan, one too low lets it by.
        fresh = Registry(list(of))
        assert (of._below, of._below_of) == (fresh._below, fresh._below_of)
        for name in names:
            for account in (alice, mallory):
                assert of.held_below(name, account) == scan(of, name, account), (name, account)
    assert registry.held_below("alice.test", mallory) == "*.cdn.alice.test"
    assert registry.held_below("alice.test", alice) is None  # evilalice, xalice: look-alikes
    assert registry.held_below("shop.alice.test", mallory) == "www.shop.alice.test"
    assert registry.held_below("cdn.alice.test", mallory) == "*.cdn.alice.test"
    assert twin.held_below("alice.test", alice) == "b.shop.alice.test"
    assert twin.held_below("a.alice.test", alice) == "deep.a.alice.test"
    assert twin.held_below("mallory.test", alice) is None  # its www went with the replacement
    assert registry.held_below("mallory.test", alice) == "www.mallory.test"  # the copy left it
