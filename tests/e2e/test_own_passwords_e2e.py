"""An owner changes its own panel and system passwords over HTTP; the agent sets the system one
in /etc/shadow for real, and the two stay apart."""

from __future__ import annotations

import ctypes
from pathlib import Path

import aiohttp
import pytest
import stack

from tests.e2e.test_accounts_e2e import call, login

pytestmark = pytest.mark.e2e

_LIBCRYPT = ctypes.CDLL("libcrypt.so.1")
_LIBCRYPT.crypt.restype = ctypes.c_char_p
_LIBCRYPT.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]


def system_password_is(name: str, password: str) -> bool:
    """Whether /etc/shadow holds `password` for `name` (libcrypt, as PAM checks it)."""
    for line in Path("/etc/shadow").read_text().splitlines():
        user, stored, *_ = line.split(":")
        if user == name:
            hashed = _LIBCRYPT.crypt(password.encode(), stored.encode())
            return hashed is not None and hashed == stored.encode()
    raise AssertionError(f"{name} is not in /etc/shadow")


async def test_an_owner_changes_its_own_passwords(
    live: stack.Stack, admin_credentials: tuple[str, str]
) -> None:
    base = f"{live.url}/api/v1"
    async with aiohttp.ClientSession() as session:
        admin = await login(session, base, *admin_credentials)
        status, created = await call(
            session,
            "POST",
            f"{base}/accounts",
            admin,
            json={"name": "e2e_pw", "password": "first-pass-1"},
        )
        assert status == 201, created
        assert system_password_is("e2e_pw", "first-pass-1")
        owner = await login(session, base, "e2e_pw", "first-pass-1")

        status, problem = await call(
            session,
            "POST",
            f"{base}/me/system-password",
            owner,
            json={"current_password": "wrong-pass-1", "new_password": "sftp-pass-1"},
        )
        assert status == 403, problem
        assert system_password_is("e2e_pw", "first-pass-1")

        status, _ = await call(
            session,
            "POST",
            f"{base}/me/system-password",
            owner,
            json={"current_password": "first-pass-1", "new_password": "sftp-pass-1"},
        )
        assert status == 204
        assert system_password_is("e2e_pw", "sftp-pass-1")
        assert not system_password_is("e2e_pw", "first-pass-1")

        status, renewed = await call(
            session,
            "POST",
            f"{base}/me/password",
            owner,
            json={"current_password": "first-pass-1", "new_password": "panel-pass-2"},
        )
        assert status == 200, renewed
        assert (await call(session, "GET", f"{base}/me", owner))[0] == 401
        assert (await call(session, "GET", f"{base}/me", renewed["access_token"]))[0] == 200
        await login(session, base, "e2e_pw", "panel-pass-2")
        # The panel password moved alone: the system one is still the owner's SFTP password.
        assert system_password_is("e2e_pw", "sftp-pass-1")

        assert (await call(session, "DELETE", f"{base}/accounts/e2e_pw", admin))[0] == 204
