"""Access tokens: verified ones are kept until they expire (issue 14), without a check less."""

from __future__ import annotations

import time

import jwt
import pytest

from gateway.auth import tokens
from gateway.auth.tokens import AccessClaims, InvalidToken, TokenIssuer

SECRET = b"s" * 32


def test_a_kept_token_answers_the_same_claims() -> None:
    issuer = TokenIssuer(SECRET, 300)
    token = issuer.issue(7, 3)
    assert issuer.verify(token) == issuer.verify(token) == AccessClaims(7, 3)


def test_a_kept_token_is_refused_once_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    issuer = TokenIssuer(SECRET, 300)
    token = issuer.issue(7, 3)
    issuer.verify(token)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 300 + tokens.LEEWAY_SECONDS + 1)
    with pytest.raises(InvalidToken):
        issuer.verify(token)
    assert token not in issuer._verified


def test_a_forged_signature_beside_a_kept_token_is_refused() -> None:
    issuer = TokenIssuer(SECRET, 300)
    token = issuer.issue(7, 3)
    issuer.verify(token)
    head, body, signature = token.split(".")
    forged_signature = f"{head}.{body}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    other_user = jwt.encode(
        {**jwt.decode(token, options={"verify_signature": False}), "sub": "8"},
        b"another secret of 32 bytes......",
        algorithm="HS256",
    )
    for forged in (forged_signature, other_user, token + " ", token[:-1]):
        with pytest.raises(InvalidToken):
            issuer.verify(forged)


def test_refused_tokens_are_not_kept_and_the_store_is_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tokens, "VERIFIED_TOKENS_KEPT", 3)
    issuer = TokenIssuer(SECRET, 300)
    for garbage in ("x" * 1_000_000, "a.b.c", ""):
        with pytest.raises(InvalidToken):
            issuer.verify(garbage)
    assert issuer._verified == {}
    issued = [issuer.issue(user, 1) for user in range(10)]
    for user, token in enumerate(issued):
        assert issuer.verify(token) == AccessClaims(user, 1)
        assert len(issuer._verified) <= 3
