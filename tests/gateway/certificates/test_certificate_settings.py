"""The panel's certificate authority (GET/PUT /api/v1/certificate-settings): administrators
only, https only, stored once; every refusal changes nothing."""

from __future__ import annotations

import pytest

from gateway.config import LETS_ENCRYPT
from tests.gateway.conftest import Api

URL = "/api/v1/certificate-settings"
STAGING = "https://acme-staging-v02.api.letsencrypt.org/directory"
PRIVATE = "https://ca.internal.example:14000/acme/dir"


async def test_an_administrator_chooses_the_ca_once(api: Api, admin: str) -> None:
    status, before = await api.call("GET", URL, admin)
    assert (status, before) == (200, {"directory_url": LETS_ENCRYPT, "email": ""})

    body = {"directory_url": STAGING, "email": "hostmaster@example.net"}
    assert await api.call("PUT", URL, admin, json=body) == (200, body)
    assert await api.call("GET", URL, admin) == (200, body)

    private = {"directory_url": PRIVATE}  # a private CA; no contact
    assert await api.call("PUT", URL, admin, json=private) == (200, {**private, "email": ""})
    assert (await api.call("GET", URL, admin))[1]["directory_url"] == PRIVATE


@pytest.mark.parametrize(
    "body",
    [
        {"directory_url": "http://acme-v02.api.letsencrypt.org/directory"},
        {"directory_url": "ftp://ca.example/dir"},
        {"directory_url": "https://"},
        {"directory_url": "https://user:secret@ca.example/dir"},
        {"directory_url": "https://ca.example/dir with space"},
        {"directory_url": "https://ca.example/dir\n"},
        {"directory_url": "https://ca.example/" + "d" * 600},
        {"directory_url": STAGING, "email": "not an address"},
        {"directory_url": STAGING, "email": "a@b"},
        {"directory_url": STAGING, "email": "x" * 300 + "@example.net"},
        {"directory_url": STAGING, "email": "hostmaster@example.net", "ca_bundle": "/etc/shadow"},
        {"email": "hostmaster@example.net"},
        {"directory_url": ["https://ca.example/dir"]},
    ],
)
async def test_a_bad_setting_is_refused_and_changes_nothing(
    api: Api, admin: str, body: dict[str, object]
) -> None:
    kept = {"directory_url": STAGING, "email": "hostmaster@example.net"}
    assert (await api.call("PUT", URL, admin, json=kept))[0] == 200
    status, problem = await api.call("PUT", URL, admin, json=body)
    assert status == 400, problem
    assert await api.call("GET", URL, admin) == (200, kept)


async def test_owners_may_neither_read_nor_change_it(api: Api, admin: str) -> None:
    owner = await api.owner(admin)
    assert (await api.call("GET", URL, owner))[0] == 403
    body = {"directory_url": PRIVATE, "email": "mallory@example.net"}
    assert (await api.call("PUT", URL, owner, json=body))[0] == 403
    assert (await api.call("PUT", URL, None, json=body))[0] == 401
    assert await api.call("GET", URL, admin) == (200, {"directory_url": LETS_ENCRYPT, "email": ""})
