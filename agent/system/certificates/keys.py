"""Keys, CSRs and the checks a chain passes before it is installed (pure: no files).

The agent makes every key itself and never sends one anywhere; what leaves it is a CSR. A
chain brought back from a CA (or uploaded) is installed only when it is exactly what the key
and the site need: in order, each certificate signed by the next; the leaf for this key; the
leaf's DNS names exactly the site's names (no more: a chain carrying another account's name
is refused as surely as one that misses a name); every certificate within its validity period.
Trust in a root is not checked here: which CA is trusted is the administrator's choice of ACME
directory, and a bought certificate may come from any public CA.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
from collections.abc import Callable, Collection
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import NameOID

from agent.errors import Internal, InvalidArgument
from agent.validators.certificates import ChainPem
from agent.validators.common import Hostname

FIELD = "chain_pem"


@dataclass(frozen=True)
class Leaf:
    """What the agent reports of an installed certificate."""

    names: tuple[str, ...]
    key_type: str
    not_before: datetime.datetime
    not_after: datetime.datetime
    issuer: str
    serial: str
    fingerprint_sha256: str


def new_key(key_type: str) -> bytes:
    """A new private key in PEM (PKCS#8, unencrypted: it is protected by its file's mode)."""
    key: CertificateIssuerPrivateKeyTypes
    if key_type == "ecdsa-p256":
        key = ec.generate_private_key(ec.SECP256R1())
    elif key_type == "rsa-2048":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        raise Internal(f"unknown key type {key_type}")
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def key_type_of(key_pem: bytes) -> str:
    key = _load_key(key_pem)
    return "ecdsa-p256" if isinstance(key, ec.EllipticCurvePrivateKey) else f"rsa-{key.key_size}"


IMPORTABLE_RSA_BITS = (2048, 3072, 4096)
MAX_KEY_BYTES = 16 * 1024


def imported_key(key_pem: str) -> bytes:
    """An owner's own key (a bought certificate's), checked and in the form the agent stores
    (PKCS#8 PEM); INVALID_ARGUMENT on key_pem otherwise, never echoing it."""
    if len(key_pem.encode()) > MAX_KEY_BYTES:
        raise InvalidArgument("key_pem", f"must be at most {MAX_KEY_BYTES} bytes")
    try:
        key = serialization.load_pem_private_key(key_pem.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError):
        raise InvalidArgument("key_pem", "must be an unencrypted PEM private key") from None
    strong = (
        isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1)
    ) or (isinstance(key, rsa.RSAPrivateKey) and key.key_size in IMPORTABLE_RSA_BITS)
    if not strong:
        raise InvalidArgument("key_pem", "must be ECDSA P-256 or RSA of 2048, 3072 or 4096 bits")
    assert isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def covers(pattern: str, name: str) -> bool:
    """A certificate name covers a host name: equal, or a wildcard for exactly one label."""
    if pattern == name:
        return True
    return pattern.startswith("*.") and name.partition(".")[2] == pattern[2:]


def csr(key_pem: bytes, names: Collection[Hostname]) -> str:
    """A CSR for the names (the first is the subject's common name), signed by the key."""
    ordered = sorted(names)
    key = _load_key(key_pem)
    request = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ordered[0])]))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(name) for name in ordered]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    return request.public_bytes(serialization.Encoding.PEM).decode("ascii")


def check_chain(
    chain: ChainPem,
    key_pem: bytes,
    names: Collection[Hostname],
    now: datetime.datetime,
    foreign: Callable[[str], bool] | None = None,
) -> Leaf:
    """The chain's leaf, once the chain passed every check; else INVALID_ARGUMENT on chain_pem
    saying which check failed (never echoing the chain).

    An issued chain names exactly the site's names. An imported one (`foreign` given: whether
    a certificate name covers a name another account holds) must cover them and may name
    others, none of another account's."""
    try:
        certificates = x509.load_pem_x509_certificates(chain.encode("ascii"))
    except ValueError:
        raise InvalidArgument(FIELD, "does not parse as PEM certificates") from None
    leaf = certificates[0]
    if _public_der(leaf.public_key()) != _public_der(_load_key(key_pem).public_key()):
        raise InvalidArgument(FIELD, "the first certificate is not for this domain's key")
    for child, parent in itertools.pairwise(certificates):
        try:
            child.verify_directly_issued_by(parent)
        except (ValueError, TypeError, InvalidSignature):
            raise InvalidArgument(
                FIELD, "is not in order: each certificate must be signed by the next"
            ) from None
    wanted, got = set(names), set(dns_names(leaf))
    if foreign is None and got != wanted:
        missing = ", ".join(sorted(wanted - got)) or "none"
        raise InvalidArgument(
            FIELD,
            f"must name exactly the website's names ({', '.join(sorted(wanted))}); "
            f"missing: {missing}; {len(got - wanted)} other name(s)",
        )
    if foreign is not None:
        _check_cover(wanted, got, foreign)
    for certificate in certificates:
        if not certificate.not_valid_before_utc <= now < certificate.not_valid_after_utc:
            raise InvalidArgument(FIELD, "holds a certificate that is expired or not yet valid")
    return describe(leaf, key_type_of(key_pem))


def _check_cover(wanted: set[Hostname], got: set[str], foreign: Callable[[str], bool]) -> None:
    uncovered = sorted(name for name in wanted if not any(covers(p, name) for p in got))
    if uncovered:
        raise InvalidArgument(
            FIELD, f"does not cover every name of the website; uncovered: {', '.join(uncovered)}"
        )
    if any(foreign(pattern) for pattern in got):
        raise InvalidArgument(FIELD, "names a name another account holds on this server")


def leaf_of(chain: str, key_pem: bytes) -> Leaf:
    """The installed chain's leaf, described (the chain was checked when it was installed)."""
    return describe(x509.load_pem_x509_certificates(chain.encode("ascii"))[0], key_type_of(key_pem))


def describe(leaf: x509.Certificate, key_type: str) -> Leaf:
    return Leaf(
        names=tuple(sorted(dns_names(leaf))),
        key_type=key_type,
        not_before=leaf.not_valid_before_utc,
        not_after=leaf.not_valid_after_utc,
        issuer=leaf.issuer.rfc4514_string(),
        serial=f"{leaf.serial_number:x}",
        fingerprint_sha256=hashlib.sha256(
            leaf.public_bytes(serialization.Encoding.DER)
        ).hexdigest(),
    )


def dns_names(certificate: x509.Certificate) -> list[str]:
    try:
        extension = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    return extension.value.get_values_for_type(x509.DNSName)


def _load_key(key_pem: bytes) -> ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(key_pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise Internal("a stored key is neither ECDSA nor RSA")
    return key


def _public_der(key: object) -> bytes:
    if not isinstance(key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        return b""
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
