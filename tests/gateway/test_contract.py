"""The OpenAPI document is the contract: what it allows is never a 400, what it forbids always
is one, and the rules it cannot state answer 422 (docs/api.md)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from gateway import record_types as dns_records
from gateway import validation
from gateway.api import _CONTROL as BODY_CONTROL
from gateway.app import openapi_document
from gateway.models import vpn
from gateway.paging import PAGE_TOKEN, decode_token, encode_token
from tests.gateway.conftest import Api


def _field(annotated: Any) -> Callable[[str], Any]:
    """A model's field type as a validator: a refusal by its Unprocessable rule alone is one."""
    adapter: TypeAdapter[Any] = TypeAdapter(annotated)

    def check(value: str) -> Any:
        try:
            return adapter.validate_python(value, strict=True)
        except ValidationError as exc:
            found = [err.get("ctx", {}).get("error") for err in exc.errors()]
            if all(isinstance(error, validation.Unprocessable) for error in found):
                raise validation.Unprocessable(str(exc)) from None
            raise ValueError(str(exc)) from None

    return check


_VPN = vpn.VpnServerSettings.model_json_schema()["properties"]


# (name in the document, its validator): the validator is what enforces, the pattern what the
# document promises.
RULES: list[tuple[str, Callable[[str], Any], str | None]] = [
    ("account name", validation.check_account_name, "AccountCreate.name"),
    ("password", validation.check_password, "AccountCreate.password"),
    ("host name", validation.to_host_name, "DnsZoneCreate.name"),
    ("redirect URL", validation.check_redirect_url, None),
    ("schedule", validation.check_schedule, "CronJobCreate.schedule"),
    ("command", validation.check_command, "CronJobCreate.command"),
    ("record name", validation.check_record_name, None),
    ("DNS host", validation.check_dns_host, None),
    ("e-mail", validation.check_email, None),
    ("VPN network", _field(vpn.TunnelNetwork), "VpnServerSettings.network"),
    ("VPN public address", _field(vpn.PublicAddress), "VpnServerSettings.public_address"),
    ("IPv4 network", _field(vpn.Network), None),
    ("IPv4 address", _field(vpn.Address), None),
]

PATTERNS = {
    "account name": "^(?!systemd|jopanel)[a-z][a-z0-9_]{2,31}$",
    "password": r"^[^\x00-\x1f\x7f-\x9f]{8,72}$",
    "host name": validation.HOST_NAME_PATTERN,
    "redirect URL": validation.REDIRECT_URL_PATTERN,
    "schedule": validation.SCHEDULE_PATTERN,
    "command": validation.COMMAND_PATTERN,
    "record name": validation.RECORD_NAME_PATTERN,
    "DNS host": validation.DNS_HOST_PATTERN,
    "e-mail": f"^{validation._EMAIL.pattern}$",
    "VPN network": _VPN["network"]["pattern"],
    "VPN public address": _VPN["public_address"]["pattern"],
    "IPv4 network": _VPN["routes"]["items"]["pattern"],
    "IPv4 address": _VPN["dns_servers"]["items"]["pattern"],
}
MAX_LENGTH = {
    "host name": 253,
    "redirect URL": 2048,
    "command": 998,
    "record name": 200,
    "DNS host": 253,
    "VPN network": 18,
    "VPN public address": 253,
    "IPv4 network": 18,
    "IPv4 address": 15,
}


def _schema_allows(name: str, value: str) -> bool:
    if len(value) > MAX_LENGTH.get(name, 10**6):
        return False
    if name == "account name" and value in validation.RESERVED_NAMES:
        return False
    return re.search(PATTERNS[name], value) is not None


def _refusal(check: Callable[[str], Any], value: str) -> str:
    """ "400", "422" or "ok": what the validator makes of the value."""
    try:
        check(value)
    except validation.Unprocessable:
        return "422"
    except ValueError:
        return "400"
    return "ok"


@pytest.mark.parametrize(("name", "check"), [(n, c) for n, c, _ in RULES])
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_what_the_pattern_allows_is_never_a_400(
    name: str, check: Callable[[str], Any], data: st.DataObject
) -> None:
    value = data.draw(st.from_regex(PATTERNS[name], fullmatch=True))
    if _schema_allows(name, value):
        assert _refusal(check, value) != "400", value
        # Nor does the check every body gets (gateway/api.py) refuse it.
        assert not BODY_CONTROL.search(value), value


@pytest.mark.parametrize("name", sorted(PATTERNS))
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_pattern_of_its_own_excludes_every_control_character_a_body_may_not_hold(
    name: str, data: st.DataObject
) -> None:
    """A field with a pattern of its own keeps it (openapi.py adds no control-character rule
    to it), so the pattern must refuse what every body's check refuses (gateway/api.py), or
    the document would allow a value the gateway answers 400 (schemathesis found DEL in an
    e-mail address)."""
    value = data.draw(st.from_regex(PATTERNS[name], fullmatch=True))
    for control in ("\x00", "\t", "\n", "\x1f", "\x7f"):
        for at in {0, len(value) // 2, len(value)}:
            spoiled = value[:at] + control + value[at:]
            if spoiled.endswith("\n"):
                continue  # Python's `$` matches before a last newline; JSON Schema's does not
            assert not _schema_allows(name, spoiled), repr(spoiled)


@pytest.mark.parametrize(("name", "check"), [(n, c) for n, c, _ in RULES])
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=st.text(max_size=80))
def test_what_the_pattern_forbids_is_always_refused(
    name: str, check: Callable[[str], Any], value: str
) -> None:
    if not _schema_allows(name, value):
        assert _refusal(check, value) != "ok", value


def test_the_document_states_the_validators_patterns() -> None:
    schemas = openapi_document()["components"]["schemas"]
    for name, _, where in RULES:
        if where is None:
            continue
        model, field = where.split(".")
        schema = schemas[model]["properties"][field]
        if name == "password":
            assert schema["maxLength"] == 72
            assert schema["x-jopanel-max-utf8-bytes"] == 72
        else:
            assert schema["pattern"] == PATTERNS[name]


def test_every_body_string_states_its_characters() -> None:
    """The control-character rule (checked on the whole body) is in the document for every
    string of every JSON request body: as a pattern, an enum or a const. (Raw bodies, the
    file manager's uploads, are bytes: they have no schema of strings.)"""
    document = openapi_document()
    schemas = document["components"]["schemas"]
    bodies = {
        op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        for ops in document["paths"].values()
        for op in ops.values()
        if "application/json" in op.get("requestBody", {}).get("content", {})
    }

    def strings(node: Any) -> list[dict[str, Any]]:
        if isinstance(node, dict):
            own = [node] if node.get("type") == "string" else []
            return own + [s for v in node.values() for s in strings(v)]
        if isinstance(node, list):
            return [s for v in node for s in strings(v)]
        return []

    for body in bodies:
        for schema in strings(schemas[body]):
            assert {"pattern", "enum", "const", "format"} & schema.keys(), (body, schema)


def test_password_length_counts_characters_and_bytes() -> None:
    assert _refusal(validation.check_password, "é" * 36) == "ok"  # 72 bytes
    assert _refusal(validation.check_password, "é" * 37) == "422"  # 37 characters, 74 bytes
    assert _refusal(validation.check_password, "a" * 73) == "400"
    assert _refusal(validation.check_password, "a" * 7) == "400"
    assert _refusal(validation.check_password, "abcdefg\x85") == "400"


def test_agent_reserved_names_are_refused_early() -> None:
    for name in ("www", "test", "info", "git", "systemd_x", "jopanel2"):
        assert _refusal(validation.check_account_name, name) == "400", name


@given(st.from_regex(PAGE_TOKEN, fullmatch=True).filter(lambda t: len(t) <= 512))
@settings(max_examples=300, deadline=None)
def test_every_token_of_the_documented_shape_names_a_position(token: str) -> None:
    after = decode_token(token, "after", str)
    assert token == "" or (isinstance(after, str) and after.isascii())
    before = decode_token(token, "before", int)
    assert token == "" or 0 <= before < 2**63


def test_issued_tokens_round_trip() -> None:
    for key in ("alice", "example.com", "a_b-c.d"):
        token = encode_token({"after": key})
        assert re.fullmatch(PAGE_TOKEN, token)
        assert decode_token(token, "after", str) == key
    for number in (1, 255, 256, 2**40):
        assert decode_token(encode_token({"before": number}), "before", int) == number


def test_dns_record_rules_are_stated() -> None:
    a_record = {"name": "@", "type": "A", "ttl": 0}
    assert re.fullmatch(dns_records.IPV4, "192.0.2.1")
    assert not re.fullmatch(dns_records.IPV4, "192.0.2.01")
    assert dns_records.RecordBody.model_validate({**a_record, "address": "192.0.2.1"})
    schemas = openapi_document()["components"]["schemas"]
    assert schemas["ARecord"]["properties"]["address"]["pattern"] == dns_records.IPV4
    assert schemas["AaaaRecord"]["properties"]["address"]["pattern"] == validation.IPV6_PATTERN


async def test_a_method_not_allowed_names_the_allowed_ones(api: Api, admin: str) -> None:
    response = await api.client.request(
        "TRACE", "/api/v1/plans", headers={"Authorization": f"Bearer {admin}"}
    )
    assert response.status == 405
    assert response.content_type == "application/problem+json"
    assert set(response.headers["Allow"].split(",")) >= {"GET", "POST"}


@pytest.mark.parametrize("limit", [False, True, 1.5, "1"])
async def test_booleans_and_other_types_are_not_integers(
    api: Api, admin: str, limit: object
) -> None:
    status, body = await api.call(
        "POST", "/api/v1/plans", admin, json={"name": "strict", "max_domains": limit}
    )
    assert status == 400, body
    assert body["errors"][0]["field"] == "max_domains"
    status, _ = await api.call("GET", "/api/v1/plans/strict", admin)
    assert status == 404


@pytest.mark.parametrize("query", ["limit=1.5", "limit=true", "limit=%201", "limit=0x10"])
async def test_query_integers_are_decimal_digits(api: Api, admin: str, query: str) -> None:
    status, body = await api.call("GET", f"/api/v1/plans?{query}", admin)
    assert status == 400, body
    assert body["errors"][0]["field"] == "limit"


@pytest.mark.parametrize("flag", ["1", "yes", "on", "True"])
async def test_query_booleans_are_true_or_false(api: Api, admin: str, flag: str) -> None:
    status, body = await api.call("DELETE", f"/api/v1/domains/example.com?keep_files={flag}", admin)
    assert status == 400, body
    assert body["errors"][0]["field"] == "keep_files"


async def test_a_token_never_issued_lists_from_where_it_points(api: Api, admin: str) -> None:
    for name in ("alpha", "bravo", "charlie"):
        await api.create_account(admin, name)
    token = encode_token({"after": "b"})
    status, page = await api.call("GET", f"/api/v1/accounts?page_token={token}", admin)
    assert status == 200, page
    assert [a["name"] for a in page["items"]] == ["bravo", "charlie"]
    status, body = await api.call("GET", "/api/v1/accounts?page_token=zz%25%25", admin)
    assert status == 400
    assert body["errors"][0]["field"] == "page_token"


async def test_a_rule_across_fields_is_a_422(api: Api, admin: str) -> None:
    await api.create_account(admin, "alice")
    status, body = await api.call(
        "POST", "/api/v1/databases", admin, json={"name": "bob_db", "account": "alice"}
    )
    assert status == 422, body
    assert body["errors"][0]["field"] == "name"
    status, body = await api.call(
        "POST", "/api/v1/accounts", admin, json={"name": "dave", "password": "é" * 37}
    )
    assert status == 422, body
    assert body["errors"][0]["field"] == "password"


@given(st.from_regex(validation.IPV6_PATTERN, fullmatch=True))
@settings(max_examples=300, deadline=None)
def test_what_the_ipv6_pattern_allows_is_an_address(value: str) -> None:
    assert dns_records._ipv6(value)


@given(st.text(alphabet="0123456789abcdefABCDEF:.%", max_size=45))
@settings(max_examples=500, deadline=None)
def test_what_the_ipv6_pattern_forbids_is_refused(value: str) -> None:
    if not re.search(validation.IPV6_PATTERN, value):
        with pytest.raises(ValueError, match=r"."):
            dns_records._ipv6(value)


async def test_a_zone_too_long_for_its_default_records_is_a_422(api: Api, admin: str) -> None:
    """Found by the fuzzer: mail.<zone> past 253 characters was a 500."""
    name = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 61])  # 253 characters
    await api.create_account(admin, "alice")
    status, body = await api.call(
        "POST", "/api/v1/dns-zones", admin, json={"name": name, "account": "alice"}
    )
    assert status == 422, body
    assert body["errors"][0]["field"] == "name"


async def test_an_integer_may_be_written_with_a_zero_fraction(api: Api, admin: str) -> None:
    """JSON Schema counts 5.0 an integer, so the document allows it: it is 5."""
    status, body = await api.call(
        "POST", "/api/v1/plans", admin, json={"name": "whole", "max_domains": 5.0}
    )
    assert status == 201, body
    assert body["max_domains"] == 5
    status, body = await api.call("GET", "/api/v1/plans?limit=1.0", admin)
    assert status == 200, body
    assert len(body["items"]) == 1
