"""The document's path patterns and the rule (jopanel_rules.files) agree: what the pattern
forbids the rule refuses (so the agent, which has only the rule, refuses it too), and what
the pattern allows the rule refuses only for what no pattern states (bytes, working names)."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.app import openapi_document
from jopanel_rules import files as rules

_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
# Characters a hostile path is made of: separators, dots, controls, and any other.
_HOSTILE = st.text(
    st.sampled_from(["/", ".", "a", "é", "\x00", "\n", "\x7f", "\u009b", " ", "-"]), max_size=12
)


def _only_what_no_pattern_states(value: str) -> bool:
    segments = value.split("/")
    return (
        len(value.encode()) > rules.MAX_PATH_BYTES
        or any(len(s.encode()) > rules.MAX_NAME_BYTES for s in segments)
        or any(rules.RESERVED.match(s) for s in segments)
    )


@_SETTINGS
@given(value=st.one_of(_HOSTILE, st.text(max_size=40)))
def test_what_the_pattern_forbids_the_rule_refuses(value: str) -> None:
    if re.fullmatch(rules.PATH_PATTERN, value) is None:
        try:
            rules.check_path(value)
        except rules.BadPath:
            return
        raise AssertionError(f"the rule took {value!r}")


@_SETTINGS
@given(data=st.data())
def test_what_the_pattern_allows_the_rule_takes_but_bytes_and_working_names(
    data: st.DataObject,
) -> None:
    value = data.draw(st.from_regex(rules.PATH_PATTERN, fullmatch=True))
    try:
        rules.check_path(value)
    except rules.BadPath:
        assert _only_what_no_pattern_states(value), value


def test_the_document_states_the_patterns() -> None:
    schemas = openapi_document()["components"]["schemas"]
    assert schemas["MoveBody"]["properties"]["path"]["pattern"] == rules.PATH_PATTERN
    assert schemas["MoveBody"]["properties"]["path"]["maxLength"] == rules.MAX_PATH_BYTES
    assert schemas["ArchiveBody"]["properties"]["folder"]["pattern"] == rules.FOLDER_PATTERN
    assert schemas["ArchiveBody"]["properties"]["names"]["items"]["pattern"] == rules.NAME_PATTERN
