"""Keys, CSRs and chain checks (agent/system/certificates/keys.py), with hostile chains: every
refusal is INVALID_ARGUMENT on chain_pem and says which rule, never echoing the chain."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from agent.errors import InvalidArgument
from agent.system.certificates import keys
from agent.validators.certificates import ChainPem
from agent.validators.common import Hostname
from tests.agent.certificates.chains import DAY, NOW, Authority, pem

NAMES = (Hostname("alice.test"), Hostname("www.alice.test"))


@pytest.fixture(scope="module")
def ca() -> tuple[Authority, Authority]:
    root = Authority.root()
    return root, root.intermediate()


@pytest.fixture(scope="module")
def key() -> bytes:
    return keys.new_key("ecdsa-p256")


def refusal(chain: str, key: bytes, names: tuple[Hostname, ...] = NAMES) -> str:
    with pytest.raises(InvalidArgument) as refused:
        keys.check_chain(ChainPem(chain), key, names, NOW)
    assert refused.value.field == "chain_pem"
    return refused.value.message


def test_keys_are_ecdsa_p256_or_rsa_2048() -> None:
    ecdsa = serialization.load_pem_private_key(keys.new_key("ecdsa-p256"), password=None)
    assert isinstance(ecdsa, ec.EllipticCurvePrivateKey)
    assert ecdsa.curve.name == "secp256r1"
    rsa_key = serialization.load_pem_private_key(keys.new_key("rsa-2048"), password=None)
    assert isinstance(rsa_key, rsa.RSAPrivateKey)
    assert rsa_key.key_size == 2048


def test_a_csr_asks_for_the_names_with_the_key(key: bytes) -> None:
    request = x509.load_pem_x509_csr(keys.csr(key, tuple(reversed(NAMES))).encode())
    assert request.is_signature_valid
    san = request.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == list(NAMES)
    private = serialization.load_pem_private_key(key, password=None)
    assert request.public_key() == private.public_key()


def test_a_good_chain_is_described(ca: tuple[Authority, Authority], key: bytes) -> None:
    _root, intermediate = ca
    leaf = intermediate.leaf(key, list(NAMES))
    described = keys.check_chain(ChainPem(pem(leaf, intermediate.certificate)), key, NAMES, NOW)
    assert described.names == NAMES
    assert described.key_type == "ecdsa-p256"
    assert described.not_after == leaf.not_valid_after_utc
    assert described.issuer == "CN=Test Intermediate"
    assert described.serial == f"{leaf.serial_number:x}"


def test_a_chain_for_another_key_is_refused(ca: tuple[Authority, Authority], key: bytes) -> None:
    _, intermediate = ca
    other = keys.new_key("ecdsa-p256")
    chain = pem(intermediate.leaf(other, list(NAMES)), intermediate.certificate)
    assert "not for this domain's key" in refusal(chain, key)


def test_a_chain_out_of_order_is_refused(ca: tuple[Authority, Authority], key: bytes) -> None:
    root, intermediate = ca
    chain = pem(intermediate.leaf(key, list(NAMES)), root.certificate, intermediate.certificate)
    assert "not in order" in refusal(chain, key)


def test_a_chain_signed_by_a_stranger_is_out_of_order(key: bytes) -> None:
    stranger, other = Authority.root("Stranger"), Authority.root()
    chain = pem(stranger.leaf(key, list(NAMES)), other.certificate)
    assert "not in order" in refusal(chain, key)


@pytest.mark.parametrize(
    "names",
    [
        ["alice.test"],  # a name of the site missing
        ["alice.test", "www.alice.test", "bob.test"],  # another account's name in it
        ["alice.test", "www.alice.test", "evil.alice.test"],  # a name below, not the site's
        ["*.alice.test", "alice.test"],  # a wildcard instead of the alias
    ],
)
def test_a_chain_for_other_names_is_refused(
    ca: tuple[Authority, Authority], key: bytes, names: list[str]
) -> None:
    _, intermediate = ca
    message = refusal(pem(intermediate.leaf(key, names), intermediate.certificate), key)
    assert "must name exactly the website's names" in message
    assert "bob.test" not in message
    assert "evil" not in message


def test_an_expired_or_future_chain_is_refused(ca: tuple[Authority, Authority], key: bytes) -> None:
    _, intermediate = ca
    expired = intermediate.leaf(key, list(NAMES), not_before=NOW - 90 * DAY, not_after=NOW - DAY)
    future = intermediate.leaf(key, list(NAMES), not_before=NOW + DAY, not_after=NOW + 90 * DAY)
    for leaf in (expired, future):
        assert "expired or not yet valid" in refusal(pem(leaf, intermediate.certificate), key)


def test_garbage_between_blocks_does_not_parse(key: bytes) -> None:
    broken = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
    assert "does not parse" in refusal(broken, key)


def test_imported_keys_are_p256_or_rsa_of_common_sizes() -> None:
    for bits in (2048, 3072, 4096):
        private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        text = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ).decode()
        stored = keys.imported_key(text)
        assert stored.startswith(b"-----BEGIN PRIVATE KEY-----")  # kept as PKCS#8
        assert keys.key_type_of(stored) == f"rsa-{bits}"
    assert keys.key_type_of(keys.imported_key(keys.new_key("ecdsa-p256").decode())) == "ecdsa-p256"


def test_weak_encrypted_or_broken_keys_are_refused() -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - refused
    p384 = ec.generate_private_key(ec.SECP384R1())
    encrypted = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"a passphrase"),
    )
    plain = serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    texts = [
        weak.private_bytes(serialization.Encoding.PEM, *plain).decode(),
        p384.private_bytes(serialization.Encoding.PEM, *plain).decode(),
        encrypted.decode(),
        "",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        "A" * 20_000,
        "ключ",
    ]
    for text in texts:
        with pytest.raises(InvalidArgument) as refused:
            keys.imported_key(text)
        assert refused.value.field == "key_pem"


@pytest.mark.parametrize(
    ("pattern", "name", "covered"),
    [
        ("alice.test", "alice.test", True),
        ("*.alice.test", "www.alice.test", True),
        ("*.alice.test", "alice.test", False),
        ("*.alice.test", "a.b.alice.test", False),
        ("*.test", "alice.test", True),
        ("www.alice.test", "alice.test", False),
        ("*alice.test", "xalice.test", False),
    ],
)
def test_what_a_certificate_name_covers(pattern: str, name: str, covered: bool) -> None:
    assert keys.covers(pattern, name) is covered


def test_an_imported_chain_covers_the_site_and_names_no_other_accounts_name(
    ca: tuple[Authority, Authority], key: bytes
) -> None:
    _, intermediate = ca

    def foreign(pattern: str) -> bool:
        return keys.covers(pattern, "bob.test")

    def check(names: list[str]) -> keys.Leaf:
        chain = pem(intermediate.leaf(key, names), intermediate.certificate)
        return keys.check_chain(ChainPem(chain), key, NAMES, NOW, foreign)

    assert check(["alice.test", "*.alice.test", "shop.alice.test"]).names == (
        "*.alice.test",
        "alice.test",
        "shop.alice.test",
    )
    for names, rule in [
        (["alice.test"], "uncovered: www.alice.test"),
        (["alice.test", "www.alice.test", "bob.test"], "another account holds"),
        (["*.test", "alice.test", "www.alice.test"], "another account holds"),  # bob.test too
    ]:
        with pytest.raises(InvalidArgument) as refused:
            check(names)
        assert rule in refused.value.message
