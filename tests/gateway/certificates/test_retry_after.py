"""A CA's Retry-After on a rate limit is honoured (RFC 8555 section 6.6): acme drops it, so
the panel's network keeps it, and the next try waits at least that long. Pebble 2.4 cannot be
made to rate-limit, so the CA's answers are made here with requests' and acme's own objects."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from acme import messages

from gateway import acme_orders
from gateway.acme_orders import IssueFailed, RetryLater, _Network, issue, retry_after
from gateway.renewal_policy import next_try, retry_at

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def answer(status: int, problem: dict[str, str], headers: dict[str, str]) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(problem).encode()
    response.headers.update({"Content-Type": "application/problem+json", **headers})
    return response


LIMITED = {"type": "urn:ietf:params:acme:error:rateLimited", "detail": "too many certificates"}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("3600", NOW + timedelta(hours=1)),
        ("Sat, 05 Dec 2026 14:00:00 GMT", NOW + timedelta(hours=2)),
        ("Sat, 05 Dec 2026 11:00:00 GMT", NOW),  # in the past: now
        ("999999999999", NOW + timedelta(days=7)),  # a CA's week is the most believed
        ("Fri, 01 Jan 2100 00:00:00 GMT", NOW + timedelta(days=7)),
        ("soon", None),
        ("-5", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_is_read_as_a_moment(header: str | None, expected: datetime | None) -> None:
    assert retry_after(header, NOW) == expected


def test_a_rate_limit_keeps_its_retry_after() -> None:
    before = datetime.now(UTC)
    with pytest.raises(RetryLater) as limited:
        _Network._check_response(answer(429, LIMITED, {"Retry-After": "7200"}))
    assert limited.value.error.code == "rateLimited"
    assert limited.value.when is not None
    assert (
        before + timedelta(hours=2) <= limited.value.when <= datetime.now(UTC) + timedelta(hours=2)
    )
    with pytest.raises(RetryLater) as unsaid:
        _Network._check_response(answer(429, LIMITED, {}))
    assert unsaid.value.when is None


def test_bad_nonce_stays_acmes_own_retry() -> None:
    """acme retries a badNonce once at once: it must still see acme's own error."""
    bad_nonce = {"type": "urn:ietf:params:acme:error:badNonce", "detail": "stale"}
    with pytest.raises(messages.Error) as refused:
        _Network._check_response(answer(400, bad_nonce, {"Retry-After": "60"}))
    assert refused.value.code == "badNonce"


def test_the_next_try_is_never_before_the_cas() -> None:
    assert next_try(NOW, 1, None) == retry_at(NOW, 1) == NOW + timedelta(hours=1)
    assert next_try(NOW, 1, NOW + timedelta(hours=5)) == NOW + timedelta(hours=5)
    assert next_try(NOW, 5, NOW + timedelta(minutes=5)) == retry_at(NOW, 5)


class _Agent:
    """The agent's side of an order that the CA refuses before any challenge."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def CreateCertificateSigningRequest(self, request: Any, **_: Any) -> Any:
        self.calls.append("csr")
        return SimpleNamespace(csr_pem="-----BEGIN CERTIFICATE REQUEST-----\n")

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the agent was asked {name}")


def test_an_order_refused_for_its_rate_limit_says_when_to_come_back() -> None:
    when = NOW + timedelta(hours=3)

    def new_order(csr: bytes) -> None:
        raise RetryLater(messages.Error.with_code("rateLimited", detail="too many"), when)

    account = SimpleNamespace(client=SimpleNamespace(new_order=new_order))
    agent = _Agent()
    with pytest.raises(IssueFailed) as failed:
        asyncio.run(issue(agent, account, "alice.test", "alice"))  # type: ignore[arg-type]
    assert failed.value.retry_after == when
    assert "rate limit" in failed.value.reason
    assert agent.calls == ["csr"]  # no token published, nothing installed
    assert acme_orders.USER_AGENT == "jopanel"
