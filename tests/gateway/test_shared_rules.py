"""The gateway checks the rules the agent checks (jopanel_rules), so a name the agent would refuse
gets its 400 before the gateway records anything or calls the agent."""

from __future__ import annotations

import pytest

from agent.errors import InvalidArgument
from agent.validators.web import allowed_proxy_port
from gateway.validation import check_account_name
from jopanel_rules.accounts import RESERVED_NAMES, is_reserved
from tests.gateway.conftest import PROXY_PORTS, Api

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


@pytest.mark.parametrize("port", [3306, 8080, 3001, 21000])
async def test_a_proxy_port_the_agent_refuses_is_refused_first_saying_what_the_agent_says(
    api: Api, admin: str, port: int
) -> None:
    """One rule (jopanel_rules.web.check_proxy_port): the gateway's answer (422, a rule the
    document cannot state) and the agent's InvalidArgument for the same port and ranges say
    the same thing, each naming its own field."""
    with pytest.raises(InvalidArgument) as refused:
        allowed_proxy_port(port, PROXY_PORTS, "domain.proxy.port")
    assert refused.value.field == "domain.proxy.port"
    alice = await api.owner(admin)
    calls = list(api.agent.calls)
    status, body = await api.call(
        "POST",
        "/api/v1/domains",
        alice,
        json={"name": "a.com", "backend": {"type": "proxy", "port": port}},
    )
    assert status == 422, body
    assert body["errors"] == [{"field": "backend.port", "message": refused.value.description}]
    assert api.agent.calls == calls
    assert api.web.domains == {}
