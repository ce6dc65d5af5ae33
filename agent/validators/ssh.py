"""SshService's fields: public keys, their comments and fingerprints (jopanel_rules.ssh)."""

from __future__ import annotations

from typing import NewType

from agent.errors import InvalidArgument
from jopanel_rules.ssh import (
    COMMENT_PATTERN,
    COMMENT_RULE,
    FINGERPRINT_PATTERN,
    BadKey,
    PublicKey,
    parse_public_key,
)

SshKeyComment = NewType("SshKeyComment", str)
SshKeyFingerprint = NewType("SshKeyFingerprint", str)


def public_key(value: str, field: str = "public_key") -> PublicKey:
    """The key of one public key line; its own comment is dropped."""
    try:
        return parse_public_key(value)
    except BadKey as error:
        raise InvalidArgument(field, str(error)) from None


def key_comment(value: str, field: str = "comment") -> SshKeyComment:
    if not COMMENT_PATTERN.fullmatch(value):
        raise InvalidArgument(field, COMMENT_RULE)
    return SshKeyComment(value)


def fingerprint(value: str, field: str = "fingerprint") -> SshKeyFingerprint:
    if not FINGERPRINT_PATTERN.fullmatch(value):
        raise InvalidArgument(field, "must be SHA256: and 43 characters of base64")
    return SshKeyFingerprint(value)
