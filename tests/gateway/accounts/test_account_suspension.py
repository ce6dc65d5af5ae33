"""An account's suspension has one owner on the system side (docs/agent.md, One owner per
cascade): the gateway sends one SuspendAccount or UnsuspendAccount, and the agent suspends and
resumes the account's websites itself, keeping a site suspended on its own as it is."""

from __future__ import annotations

import grpc

from tests.gateway.conftest import Api


def _calls(api: Api) -> list[str]:
    return [call for fake in (api.agent, api.web, api.dns) for call in fake.calls]


async def test_suspending_an_account_is_one_agent_call_each_way(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    neighbour = await api.owner(admin, "alice_two")  # its name starts with alice's
    assert (await api.call("POST", "/api/v1/domains", neighbour, json={"name": "c.com"}))[0] == 201
    for name in ("a.com", "b.com"):
        assert (await api.call("POST", "/api/v1/domains", alice, json={"name": name}))[0] == 201
    assert (await api.call("POST", "/api/v1/domains/b.com/suspend", alice))[0] == 200
    for fake in (api.agent, api.web, api.dns):
        fake.calls.clear()

    status, account = await api.call("POST", "/api/v1/accounts/alice/suspend", admin)
    assert (status, account["status"]) == (200, "suspended")
    assert _calls(api) == ["SuspendAccount alice"]
    assert api.web.domains["a.com"].suspended
    assert api.web.domains["b.com"].suspended
    assert not api.agent.accounts["alice_two"].suspended
    assert not api.web.domains["c.com"].suspended

    api.agent.calls.clear()
    status, account = await api.call("POST", "/api/v1/accounts/alice/unsuspend", admin)
    assert (status, account["status"]) == (200, "active")
    assert _calls(api) == ["UnsuspendAccount alice"]
    assert not api.web.domains["a.com"].suspended
    assert api.web.domains["b.com"].suspended  # suspended on its own, stays so
    _, listing = await api.call("GET", "/api/v1/domains", alice)
    assert {d["name"]: d["status"] for d in listing["items"]} == {
        "a.com": "active",
        "b.com": "suspended",
    }


async def test_a_failed_suspension_changes_no_record(api: Api, admin: str) -> None:
    alice = await api.owner(admin)
    assert (await api.call("POST", "/api/v1/domains", alice, json={"name": "a.com"}))[0] == 201
    api.agent.fail_next = grpc.StatusCode.INTERNAL
    status, _ = await api.call("POST", "/api/v1/accounts/alice/suspend", admin)
    assert status == 502
    _, account = await api.call("GET", "/api/v1/accounts/alice", admin)
    assert (account["status"], account["suspension"]) == ("active", None)
    assert not api.web.domains["a.com"].suspended


async def test_a_reason_of_any_text_reads_back_exactly(api: Api, admin: str) -> None:
    # The account's row is read as one JSON object (gateway/db.py packed_columns): quotes,
    # backslashes, JSON of its own, SQL and 4-byte characters, at the longest a reason may be,
    # must come back as they were sent, in the account and in the list.
    await api.owner(admin)
    await api.owner(admin, "alice_two")
    text = '"}, "name": "bob", \\u0000 \\" \' ; DROP TABLE users; -- é 😀 <b>'
    reason = (text * 20)[:499] + "."  # a reason is stripped: it ends in a character
    status, _ = await api.call(
        "POST", "/api/v1/accounts/alice/suspend", admin, json={"reason": reason}
    )
    assert status == 200
    _, account = await api.call("GET", "/api/v1/accounts/alice", admin)
    assert (account["name"], account["suspension"]["reason"]) == ("alice", reason)
    _, page = await api.call("GET", "/api/v1/accounts", admin)
    found = {a["name"]: a["suspension"] for a in page["items"]}
    assert found["alice"]["reason"] == reason
    assert found["alice_two"] is None
