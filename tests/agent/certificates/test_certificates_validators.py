"""CertificateService's validators with hostile input (no sandbox): a token names a file and a
key authorisation is its content, so neither may carry a path, a newline or nginx syntax."""

from __future__ import annotations

import pytest
from jopanel.agent.certificates.v1 import certificates_pb2

from agent.errors import InvalidArgument
from agent.validators import certificates as validators
from tests.agent.certificates.chains import Authority, pem

TOKEN = "A" * 22 + "b-_9"
THUMBPRINT = "T" * 43

HOSTILE_TOKENS = [
    "", "A" * 21, "A" * 129, "../" + "A" * 22, "A" * 22 + "/x", "A" * 22 + "\n", "A" * 22 + ".",
    "A" * 22 + " ", "A" * 22 + ";", "A" * 22 + "$host", "A" * 22 + "=", "A" * 22 + "+",
    "\u0410" * 22, "A" * 22 + "\x00", ".well-known",
]  # fmt: skip


@pytest.mark.parametrize("token", HOSTILE_TOKENS)
def test_hostile_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        validators.challenge_token(token)
    assert refused.value.field == "token"


def test_a_token_in_base64url_is_kept() -> None:
    assert validators.challenge_token(TOKEN) == TOKEN


@pytest.mark.parametrize(
    "value",
    [
        "",
        TOKEN,
        f"{TOKEN}.",
        f"{TOKEN}.{THUMBPRINT[:-1]}",
        f"{TOKEN}.{THUMBPRINT}A",
        f"{TOKEN}.{THUMBPRINT}\n",
        f"{TOKEN}x.{THUMBPRINT}",  # another token's authorisation
        f"{TOKEN}.{THUMBPRINT[:-1]}=",
        f"{TOKEN}.{THUMBPRINT}.{THUMBPRINT}",
        f"{TOKEN}.{'<' * 43}",
    ],
)
def test_key_authorisations_must_be_the_tokens(value: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        validators.key_authorization(value, validators.challenge_token(TOKEN))
    assert refused.value.field == "key_authorization"


def test_a_key_authorisation_for_the_token_is_kept() -> None:
    value = f"{TOKEN}.{THUMBPRINT}"
    assert validators.key_authorization(value, validators.challenge_token(TOKEN)) == value


@pytest.mark.parametrize("value", [certificates_pb2.KEY_TYPE_UNSPECIFIED, 3, -1, 2**31 - 1])
def test_key_types_outside_the_enum_are_refused(value: int) -> None:
    with pytest.raises(InvalidArgument) as refused:
        validators.key_type(value)  # type: ignore[arg-type]
    assert refused.value.field == "key_type"


def test_the_two_key_types() -> None:
    assert validators.key_type(certificates_pb2.KEY_TYPE_ECDSA_P256) == "ecdsa-p256"
    assert validators.key_type(certificates_pb2.KEY_TYPE_RSA_2048) == "rsa-2048"


def one_certificate() -> str:
    return pem(Authority.root().certificate)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "hello",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        "x" + one_certificate(),
        one_certificate() + "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        one_certificate() * 11,
        one_certificate() + " " * (64 * 1024),
    ],
)
def test_chains_are_certificate_blocks_only_and_bounded(value: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        validators.chain_pem(value)
    assert refused.value.field == "chain_pem"


def test_a_chain_of_certificate_blocks_is_kept() -> None:
    chain = one_certificate() + "\n" + one_certificate()
    assert validators.chain_pem(chain) == chain
