"""The validators alone, with hostile input (no sandbox needed)."""

from __future__ import annotations

import re
import string
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jopanel.agent.accounts.v1 import accounts_pb2

from agent.errors import InvalidArgument
from agent.validators import accounts as accounts_validators
from agent.validators import common as common_validators
from jopanel_rules.accounts import RESERVED_NAMES, is_reserved

NAME_CHARS = string.ascii_lowercase + string.digits + "_"


@pytest.mark.parametrize(
    "name",
    [
        "", "ab", "a" * 33, "-o", "--help", "A", "Abc", "é", "abé", "abc\n", "abc\r", "abc\x00",
        "\nabc", " abc", "abc ", "a;id", "a b", "a-b", "a.b", "../x", "1abc", "_apt", "www-data",
        "\uff41bc",  # fullwidth a
        "abc\u200b",  # zero-width space
    ],
)  # fmt: skip
def test_malformed_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        accounts_validators.account_name(name)
    assert raised.value.message == "name: must match ^[a-z][a-z0-9_]{2,31}$"


@pytest.mark.parametrize(
    "name", ["root", "mysql", "daemon", "nobody", "admin", "jopanel", "sshd", "postmaster"]
)
def test_reserved_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidArgument, match="reserved"):
        accounts_validators.account_name(name)


@pytest.mark.parametrize("name", ["systemd_network", "jopanel_accounts", "jopanelx"])
def test_reserved_prefixes_are_refused(name: str) -> None:
    with pytest.raises(InvalidArgument, match="reserved"):
        accounts_validators.account_name(name)


def test_every_reserved_name_is_lowercase_text() -> None:
    assert all(name == name.strip().lower() for name in RESERVED_NAMES)


@given(st.from_regex(r"\A[a-z][a-z0-9_]{2,31}\Z"))
def test_well_formed_names_pass_unless_reserved(name: str) -> None:
    if is_reserved(name):
        with pytest.raises(InvalidArgument):
            accounts_validators.account_name(name)
    else:
        assert accounts_validators.account_name(name) == name


@given(st.text(max_size=40))
def test_an_accepted_name_is_plain_ascii(name: str) -> None:
    try:
        accounts_validators.account_name(name)
    except InvalidArgument:
        return
    assert 3 <= len(name) <= 32
    assert name[0] in string.ascii_lowercase
    assert set(name) <= set(NAME_CHARS)


@pytest.mark.parametrize(
    "password",
    ["1234567", "x" * 129, "pass\nword", "password\n", "pass\rword", "pass\x00word",
     "pass\x7fword", "pass\tword", "pass\x1bword", "pass\u0085word", "\x00" * 8],
)  # fmt: skip
def test_hostile_passwords_are_refused_without_echo(password: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        accounts_validators.password(password)
    assert raised.value.field == "password"
    assert password not in raised.value.message


@pytest.mark.parametrize("password", ["", "12345678", "x" * 128, "pässwörd ünd €", "a:b:c;$(id)"])
def test_good_passwords_pass(password: str) -> None:
    assert accounts_validators.password(password) == password


@given(st.text(max_size=140))
def test_an_accepted_password_has_no_control_characters(password: str) -> None:
    try:
        accounts_validators.password(password)
    except InvalidArgument:
        return
    assert password == "" or 8 <= len(password) <= 128
    assert not any(unicodedata.category(char) == "Cc" for char in password)
    assert "\n" not in password
    assert "\x00" not in password


def test_shells_map_to_their_paths() -> None:
    assert accounts_validators.login_shell(accounts_pb2.SHELL_NOLOGIN) == "/usr/sbin/nologin"
    assert accounts_validators.login_shell(accounts_pb2.SHELL_BASH) == "/bin/bash"
    assert accounts_validators.login_shell(accounts_pb2.SHELL_SH) == "/bin/sh"


@pytest.mark.parametrize("value", [0, 4, 99, -1, 2**31 - 1])
def test_unspecified_and_unknown_shells_are_refused(value: int) -> None:
    with pytest.raises(InvalidArgument, match=r"^shell: "):
        accounts_validators.login_shell(accounts_pb2.Shell.ValueType(value))


def test_every_defined_shell_but_unspecified_is_allowed() -> None:
    defined = set(accounts_pb2.Shell.values()) - {accounts_pb2.SHELL_UNSPECIFIED}
    assert set(accounts_validators.LOGIN_SHELLS) == defined


@pytest.mark.parametrize(("value", "size"), [(0, 100), (1, 1), (1000, 1000)])
def test_page_sizes(value: int, size: int) -> None:
    assert common_validators.page_size(value) == size


@pytest.mark.parametrize("value", [-1, 1001, -(2**31), 2**31 - 1])
def test_bad_page_sizes_are_refused(value: int) -> None:
    with pytest.raises(InvalidArgument, match=r"^page_size: "):
        common_validators.page_size(value)


@given(st.from_regex(accounts_validators.ACCOUNT_NAME_PATTERN, fullmatch=True))
def test_page_tokens_round_trip(key: str) -> None:
    token = common_validators.encode_page_token(key)
    assert common_validators.page_token(token, accounts_validators.ACCOUNT_NAME_PATTERN) == key


def test_empty_page_token_is_the_first_page() -> None:
    assert common_validators.page_token("", accounts_validators.ACCOUNT_NAME_PATTERN) is None


@pytest.mark.parametrize(
    "token",
    [
        "not a token",
        "YWxpY2U",  # unpadded
        "YWxp\nY2U=",
        "é",
        common_validators.encode_page_token("A;id"),
        common_validators.encode_page_token("alice\n"),
        "YWxpY2U=" * 100,
    ],
)
def test_bad_page_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidArgument, match=r"^page_token: "):
        common_validators.page_token(token, accounts_validators.ACCOUNT_NAME_PATTERN)


@given(st.text(max_size=600))
def test_page_token_accepts_only_tokens_it_could_have_made(token: str) -> None:
    pattern = re.compile(r"[a-z]{3}")
    try:
        key = common_validators.page_token(token, pattern)
    except InvalidArgument:
        return
    assert key is None or pattern.fullmatch(key)


ALLOWED = frozenset({"password", "shell"})


@pytest.mark.parametrize("paths", [["password"], ["shell"], ["shell", "password", "shell"]])
def test_field_masks_with_allowed_paths(paths: list[str]) -> None:
    assert common_validators.field_mask(paths, ALLOWED, "update_mask") == frozenset(paths)


@pytest.mark.parametrize("paths", [[], ["uid"], ["shell", "home"], ["Shell"], ["shell\n"], [""]])
def test_bad_field_masks_are_refused(paths: list[str]) -> None:
    with pytest.raises(InvalidArgument) as raised:
        common_validators.field_mask(paths, ALLOWED, "update_mask")
    assert raised.value.message.startswith("update_mask: ")
    assert "password, shell" in raised.value.message
