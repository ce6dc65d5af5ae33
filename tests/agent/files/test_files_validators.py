"""FileService's validators on their own, with hostile input (no sandbox needed)."""

from __future__ import annotations

import pytest

from agent.errors import InvalidArgument
from agent.validators import files as validators


@pytest.mark.parametrize(
    "value",
    [
        "",
        "/etc/shadow",
        "../x",
        "a/../b",
        "a/./b",
        "a//b",
        "a/",
        ".",
        "..",
        "a\x00b",
        "a\nb",
        "a\x7fb",
        "a\u009bb",
        "a\x1b[2J",
        "é" * 2049,
        "a/" + "é" * 128,
        "x" * 256,
        "a/" * 2048 + "b",
        "\udcff",
        ".jopanel-upload-abc",
        "web/.jopanel-edit-1234",
    ],
)
def test_a_path_that_is_not_plainly_below_the_home_is_refused(value: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        validators.path(value)
    assert refused.value.field == "path"


@pytest.mark.parametrize(
    "value", ["a", "web/shop.example/public_html/index.php", "x" * 255, "é/ü", ".htaccess", "a b"]
)
def test_a_plain_path_passes(value: str) -> None:
    assert validators.path(value) == value


def test_the_home_is_a_path_only_where_a_field_allows_it() -> None:
    assert validators.path("", home=True) == ""
    with pytest.raises(InvalidArgument):
        validators.path("")


@pytest.mark.parametrize(("source", "destination"), [("a", "a"), ("a", "a/b"), ("a/b", "a/b/c/d")])
def test_a_move_into_itself_is_refused(source: str, destination: str) -> None:
    with pytest.raises(InvalidArgument):
        validators.elsewhere(validators.FilePath(source), validators.FilePath(destination))


def test_a_move_beside_itself_passes() -> None:
    validators.elsewhere(validators.FilePath("a"), validators.FilePath("ab"))


@pytest.mark.parametrize("mode", [-1, 0o1000, 0o4755, 0o2755, 0o1777, 0o7777])
def test_special_mode_bits_are_refused(mode: int) -> None:
    with pytest.raises(InvalidArgument):
        validators.mode(mode)


def test_names_are_single_segments_without_repeats() -> None:
    assert validators.names(["a", "b"]) == ["a", "b"]
    for values in ([], ["a/b"], ["a", "a"], [".."], ["x"] * 1001):
        with pytest.raises(InvalidArgument):
            validators.names(values)


@pytest.mark.parametrize("token", ["!!", "Lw==", "YS9i", "x" * 500, "AA=="])
def test_a_page_token_that_no_answer_gave_is_refused(token: str) -> None:
    with pytest.raises(InvalidArgument):
        validators.page_token(token)


def test_a_page_token_round_trips() -> None:
    assert validators.page_token(validators.next_page_token("index.php")) == "index.php"


def test_a_text_above_2_mib_is_refused() -> None:
    assert validators.text("é" * 1024) == "é".encode() * 1024
    with pytest.raises(InvalidArgument):
        validators.text("a" * (2 * 1024 * 1024 + 1))
