"""A real application end to end (issue 16, Tests): WordPress from Debian's `wordpress` package,
its files uploaded over SFTP, its database and user made through the API, its installer
completed over HTTP, an administrator signed in to wp-admin, a 20 MB image refused by the
site's own upload limit, then uploaded through WordPress once the owner raised the limits
through the API, and the image served. Slow: about 2,500 files and a 20 MB image."""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import struct
import zlib
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import stack
from aiohttp.abc import AbstractResolver, ResolveResult

from tests.e2e.test_accounts_e2e import call, login
from tests.e2e.test_sftp_e2e import sftp

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

WORDPRESS = Path("/usr/share/wordpress")
SITE = "wp.e2e-wordpress.example"
ACCOUNT, PASSWORD = "e2e_wp", "wp-account-pass-1"
ADMIN, ADMIN_PASSWORD = "wpadmin", "a long wordpress password 42"


class Loopback(AbstractResolver):
    """Every name is 127.0.0.1: the site answers on nginx's loopback port under its own name,
    so WordPress's URLs, redirects and cookies work as a browser sees them."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(
                hostname=host,
                host="127.0.0.1",
                port=port,
                family=socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
        ]

    async def close(self) -> None:
        pass


def noise_png(path: Path, size: int) -> None:
    """A valid PNG of random pixels (so it does not compress) of about `size` bytes."""
    width = 2000
    height = size // (width * 3) + 1
    rows = b"".join(b"\x00" + os.urandom(width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 0))
        + chunk(b"IEND", b"")
    )


def wp_config(database: str, user: str, password: str, db_port: int, url: str) -> str:
    salts = "\n".join(
        f"define('{key}', '{secrets.token_hex(32)}');"
        for key in (
            "AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
            "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT",
        )
    )  # fmt: skip
    return f"""<?php
define('DB_NAME', '{database}');
define('DB_USER', '{user}');
define('DB_PASSWORD', '{password}');
define('DB_HOST', '127.0.0.1:{db_port}');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
{salts}
$table_prefix = 'wp_';
define('WP_DEBUG', false);
define('FS_METHOD', 'direct');
define('WP_HOME', '{url}');
define('WP_SITEURL', '{url}');
if (!defined('ABSPATH')) {{ define('ABSPATH', __DIR__ . '/'); }}
require_once ABSPATH . 'wp-settings.php';
"""


async def upload_wordpress(live: stack.Stack, public: str, config: str) -> None:
    """Debian's files, its links to system libraries copied as the files they name; our own
    wp-config.php in place of Debian's (which reads /etc/wordpress)."""
    entries = [
        str(WORDPRESS / name)
        for name in sorted(os.listdir(WORDPRESS))
        if name not in (".htaccess", "wp-config.php")
    ]
    async with sftp(live, ACCOUNT, password=PASSWORD) as client:
        await client.put(entries, public, recurse=True, follow_symlinks=True)
        async with client.open(f"{public}/wp-config.php", "w") as file:
            await file.write(config)
        assert await client.exists(f"{public}/wp-admin/install.php")


async def form(session: aiohttp.ClientSession, url: str, data: dict[str, str]) -> tuple[int, str]:
    async with session.post(url, data=data) as response:
        return response.status, await response.text()


@pytest.mark.skipif(not WORDPRESS.is_dir(), reason="Debian's wordpress package is not installed")
async def test_wordpress_installs_and_takes_a_20_mb_image_after_the_limits_are_raised(
    live: stack.Stack, admin_credentials: tuple[str, str], tmp_path: Path
) -> None:
    base = f"{live.url}/api/v1"
    site = f"http://{SITE}:{live.web_port}"
    async with aiohttp.ClientSession() as api:
        admin = await login(api, base, *admin_credentials)
        assert (await call(api, "POST", f"{base}/plans", admin, json={"name": "e2e-wp"}))[0] == 201
        body = {"name": ACCOUNT, "password": PASSWORD, "plan": "e2e-wp", "shell": "nologin"}
        status, answer = await call(api, "POST", f"{base}/accounts", admin, json=body)
        assert status == 201, answer
        owner = await login(api, base, ACCOUNT, PASSWORD)
        status, domain = await call(api, "POST", f"{base}/domains", owner, json={"name": SITE})
        assert status == 201, domain
        database, db_user, db_password = (
            f"{ACCOUNT}_blog",
            f"{ACCOUNT}_blog",
            "db-pass-" + secrets.token_hex(8),
        )
        assert (await call(api, "POST", f"{base}/databases", owner, json={"name": database}))[
            0
        ] == 201
        status, answer = await call(
            api, "POST", f"{base}/database-users", owner,
            json={"name": db_user, "password": db_password, "databases": [database]},
        )  # fmt: skip
        assert status == 201, answer
        settings = f"{base}/domains/{SITE}/php-settings"

        public = f"/{ACCOUNT}/web/{SITE}/public_html"
        await upload_wordpress(
            live, public, wp_config(database, db_user, db_password, live.mariadb.port, site)
        )

        connector = aiohttp.TCPConnector(resolver=Loopback())
        async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.CookieJar()) as wp:
            # The installer, as a browser completes it.
            status, text = await form(
                wp, f"{site}/wp-admin/install.php?step=2",
                {
                    "weblog_title": "JoPanel e2e", "user_name": ADMIN,
                    "admin_password": ADMIN_PASSWORD, "admin_password2": ADMIN_PASSWORD,
                    "pw_weak": "1", "admin_email": "admin@e2e-wordpress.example",
                    "blog_public": "0", "language": "",
                },
            )  # fmt: skip
            assert status == 200, text
            assert "Success!" in text, text[-2000:]
            # Plain permalinks (the default): the REST index is ?rest_route=/.
            async with wp.get(f"{site}/?rest_route=/") as response:
                assert response.status == 200
                assert (await response.json())["name"] == "JoPanel e2e"

            # An administrator signs in to wp-admin.
            async with wp.get(f"{site}/wp-login.php") as response:
                assert response.status == 200
            status, text = await form(
                wp, f"{site}/wp-login.php",
                {"log": ADMIN, "pwd": ADMIN_PASSWORD, "wp-submit": "Log In",
                 "redirect_to": f"{site}/wp-admin/", "testcookie": "1"},
            )  # fmt: skip
            assert status == 200, text[-2000:]
            assert "Dashboard" in text

            image = tmp_path / "big.png"
            noise_png(image, 20 * 1024 * 1024)
            assert image.stat().st_size > 20 * 1024 * 1024

            async def upload() -> tuple[int, Any]:
                async with wp.get(f"{site}/wp-admin/media-new.php") as response:
                    page = await response.text()
                found = re.search(r'"multipart_params":\{[^}]*"_wpnonce":"([0-9a-f]+)"', page)
                assert found, page[-2000:]
                data = aiohttp.FormData()
                data.add_field("name", "big.png")
                data.add_field("action", "upload-attachment")
                data.add_field("_wpnonce", found[1])
                data.add_field(
                    "async-upload", image.read_bytes(), filename="big.png", content_type="image/png"
                )
                async with wp.post(f"{site}/wp-admin/async-upload.php", data=data) as response:
                    text = await response.text()
                    try:
                        return response.status, json.loads(text)
                    except ValueError:
                        return response.status, text

            # The site's own limits first: the body is refused before PHP is asked.
            small = {"upload_max_filesize_mb": 8, "post_max_size_mb": 8}
            assert (await call(api, "PATCH", settings, owner, json=small))[0] == 200
            status, _ = await upload()
            assert status == 413
            # The owner raises them through the API; WordPress takes the image.
            raised = {
                "upload_max_filesize_mb": 32, "post_max_size_mb": 40,
                "max_execution_time_seconds": 300, "memory_limit_mb": 512,
            }  # fmt: skip
            status, answer = await call(api, "PATCH", settings, owner, json=raised)
            assert status == 200, answer
            status, answer = await upload()
            assert status == 200, answer
            assert answer["success"] is True, answer
            url = answer["data"]["url"]
            async with wp.get(url) as response:
                assert response.status == 200
                assert await response.read() == image.read_bytes()
        assert (await call(api, "DELETE", f"{base}/accounts/{ACCOUNT}", admin))[0] == 204
