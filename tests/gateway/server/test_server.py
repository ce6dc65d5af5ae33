"""The dashboard's server overview."""

from __future__ import annotations

from tests.gateway.conftest import Api


async def test_admin_sees_facts_and_counts(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    await api.call("POST", "/api/v1/domains", alice, json={"name": "alice.com"})
    status, overview = await api.call("GET", "/api/v1/server", admin)
    assert status == 200
    assert overview["server"]["hostname"] == "panel.example"
    assert overview["server"]["load"] == [0.5, 0.25, 0.1]
    assert overview["server"]["disk_quotas_enforced"] is True
    assert overview["counts"] == {
        "accounts": 1,
        "domains": 1,
        "databases": 0,
        "cron_jobs": 0,
        "dns_zones": 0,
    }
    assert (await api.call("GET", "/api/v1/server", alice))[0] == 403
