"""The server blocks a certificate adds, and the challenge location every site has (rendering
only, no sandbox): nothing of a site's own comes before the panel's challenge location."""

from __future__ import annotations

import dataclasses
import re

import pytest

from agent.system.web.nginx_render import CHALLENGES, DOT_FILES_AND_CHALLENGES, render_site
from agent.system.web.records import Backend, Https, from_json
from tests.agent.web.test_web_render import BACKENDS, LAYOUT, SOCKETS, site

FINGERPRINT = "ab" * 32
# A block serving the site's files answers challenges in the location refusing its dot files.
FIRST = {f"    location {match} {{" for match in (CHALLENGES, DOT_FILES_AND_CHALLENGES)}


def servers(text: str) -> list[str]:
    return re.findall(r"^server \{\n.*?^\}$", text, flags=re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize("suspended", [False, True])
@pytest.mark.parametrize("backend", BACKENDS)
def test_every_block_answers_challenges_before_the_sites_rules(
    backend: Backend, suspended: bool
) -> None:
    https = Https(FINGERPRINT, redirect_http=False, hsts=True)
    text = render_site(dataclasses.replace(site(backend, suspended=suspended), https=https), LAYOUT)
    blocks = servers(text)
    assert len(blocks) == 2
    for block in blocks:
        lines = block.splitlines()
        first_location = next(i for i, line in enumerate(lines) if "location" in line)
        assert lines[first_location] in FIRST
        assert "        root /var/lib/jopanel/acme-challenge/example.com;" in lines
        # No return at server level: it would run before any location is chosen.
        assert not any(line.startswith("    return") for line in lines)


def test_an_https_block_names_the_installed_pair_and_modern_tls() -> None:
    https = Https(FINGERPRINT, redirect_http=False, hsts=False)
    plain, secure = servers(
        render_site(dataclasses.replace(site(BACKENDS[1]), https=https), LAYOUT)
    )
    assert "ssl" not in plain
    assert "    listen 443 ssl http2;" in secure
    assert "    listen [::]:443 ssl http2;" in secure
    assert f"ssl_certificate /etc/jopanel/ssl/example.com/{FINGERPRINT}.crt;" in secure
    assert f"ssl_certificate_key /etc/jopanel/ssl/example.com/{FINGERPRINT}.key;" in secure
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in secure
    assert "fastcgi_pass" in secure
    assert "Strict-Transport-Security" not in secure


def test_hsts_only_when_asked() -> None:
    for backend in BACKENDS:
        for suspended in (False, True):
            https = Https(FINGERPRINT, redirect_http=True, hsts=True)
            chosen = dataclasses.replace(site(backend, suspended=suspended), https=https)
            plain, secure = servers(render_site(chosen, LAYOUT))
            assert "Strict-Transport-Security" not in plain
            assert secure.count("Strict-Transport-Security") == (2 if suspended else 1)


def test_redirect_to_https_keeps_only_the_challenge_on_http() -> None:
    https = Https(FINGERPRINT, redirect_http=True, hsts=False)
    plain, secure = servers(
        render_site(dataclasses.replace(site(BACKENDS[1]), https=https), LAYOUT)
    )
    assert 'return 301 "https://$host$request_uri";' in plain
    assert "fastcgi_pass" not in plain
    assert "fastcgi_pass" in secure
    elsewhere = dataclasses.replace(LAYOUT, tls_listen=("127.0.0.1:20443",))
    plain, _ = servers(render_site(dataclasses.replace(site(BACKENDS[1]), https=https), elsewhere))
    assert 'return 301 "https://$host:20443$request_uri";' in plain


def test_a_site_without_a_certificate_has_one_plain_block() -> None:
    (plain,) = servers(render_site(site(BACKENDS[0]), LAYOUT))
    assert any(first in plain for first in FIRST)
    assert "ssl" not in plain


def test_the_record_carries_the_certificate_and_reads_back() -> None:
    https = Https(FINGERPRINT, redirect_http=True, hsts=False)
    chosen = dataclasses.replace(site(BACKENDS[0]), https=https)
    line = render_site(chosen, LAYOUT).split("\n", 1)[0].removeprefix("# jopanel-site: ")
    assert from_json(line, SOCKETS) == chosen
    old = line.replace(
        ',"https":{"fingerprint":"' + FINGERPRINT + '","hsts":false,"redirect_http":true}', ""
    )
    assert from_json(old, SOCKETS).https is None  # records from before certificates
    for bad in ("../x", "AB" * 32, "ab" * 31, "ab" * 32 + "\\n"):  # JSON-escaped newline
        with pytest.raises(ValueError, match="fingerprint"):
            from_json(line.replace(FINGERPRINT, bad), SOCKETS)
