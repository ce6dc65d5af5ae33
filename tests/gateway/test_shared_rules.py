"""The gateway checks the rules the agent checks (jopanel_rules), so a name the agent would refuse
gets its 400 before the gateway records anything or calls the agent."""

from __future__ import annotations

import pytest

from gateway.validation import check_account_name
from jopanel_rules.accounts import RESERVED_NAMES, is_reserved
from tests.gateway.conftest import Api

# Reserved on the agent's side only until both imported one list (59 such names, and the
# prefixes): each made a pending record, failed at the agent and was rolled back.
ONCE_AGENT_ONLY = ["www", "test", "info", "git", "web", "panel", "noreply", "systemd_x", "jopanelx"]


@pytest.mark.parametrize("name", ONCE_AGENT_ONLY)
async def test_a_name_only_the_agent_refused_is_a_400_before_any_record(
    api: Api, admin: str, name: str
) -> None:
    status, body = await api.call(
        "POST", "/api/v1/accounts", admin, json={"name": name, "password": "owner-pass-1"}
    )
    assert status == 400
    assert body["errors"][0]["field"] == "name"
    assert "reserved" in body["errors"][0]["message"]
    assert api.agent.calls == []
    status, _ = await api.call("GET", f"/api/v1/accounts/{name}", admin)
    assert status == 404
    _, listing = await api.call("GET", "/api/v1/accounts", admin)
    assert listing["items"] == []
    _, audit = await api.call("GET", "/api/v1/audit-log", admin)
    assert [e["target"] for e in audit["items"] if e["action"] == "account.create"] == []


def test_the_gateway_refuses_every_reserved_name() -> None:
    for name in RESERVED_NAMES:
        assert is_reserved(name)
        # "lp" and "man" are refused for their length first.
        with pytest.raises(ValueError, match=r"reserved|3 to 32"):
            check_account_name(name)
