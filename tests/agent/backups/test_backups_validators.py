"""The BackupService validators on their own, with hostile input (no sandbox needed)."""

from __future__ import annotations

import pytest

from agent.errors import InvalidArgument
from agent.validators.backups import backup_id, home_path


@pytest.mark.parametrize("value", ["0" * 32, "0123456789abcdef" * 2])
def test_a_backup_id_is_32_lowercase_hex_digits(value: str) -> None:
    assert backup_id(value) == value


@pytest.mark.parametrize(
    "value", ["", "0" * 31, "0" * 33, "A" * 32, "g" * 32, "0" * 31 + "\n", "../" + "0" * 29]
)
def test_anything_else_is_no_backup_id(value: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        backup_id(value, "backup_id")
    assert raised.value.field == "backup_id"


@pytest.mark.parametrize("value", ["web", "web/site.example/public_html", "a b/ü.txt", ".env"])
def test_a_home_path_is_relative_and_plain(value: str) -> None:
    assert home_path(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "/etc/shadow",
        "..",
        "../other_account",
        "web/../../etc",
        "web/./x",
        "web//x",
        "web/",
        "a\x00b",
        "a\nb",
        "x" * 4097,
        "é" * 2049,  # 4098 bytes in UTF-8
        "\udcff",  # a lone surrogate: no UTF-8 at all
    ],
)
def test_a_home_path_that_is_not_plain_is_refused_not_cleaned(value: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        home_path(value, "path")
    assert raised.value.field == "path"
