"""A small CA of the tests' own, for chains the agent must refuse or accept (no sandbox)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

NOW = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Authority:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @classmethod
    def root(cls, name: str = "Test Root") -> Authority:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = _name(name)
        builder = _builder(subject, subject, key.public_key(), NOW - 30 * DAY, NOW + 3650 * DAY)
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        return cls(key, builder.sign(key, hashes.SHA256()))

    def intermediate(self, name: str = "Test Intermediate") -> Authority:
        key = ec.generate_private_key(ec.SECP256R1())
        builder = _builder(
            _name(name), self.certificate.subject, key.public_key(), NOW - 30 * DAY, NOW + 900 * DAY
        ).add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
        return Authority(key, builder.sign(self.key, hashes.SHA256()))

    def leaf(
        self,
        key_pem: bytes,
        names: Sequence[str],
        *,
        not_before: datetime.datetime = NOW - DAY,
        not_after: datetime.datetime = NOW + 89 * DAY,
    ) -> x509.Certificate:
        key = serialization.load_pem_private_key(key_pem, password=None)
        public = key.public_key()
        assert isinstance(public, ec.EllipticCurvePublicKey | rsa.RSAPublicKey)
        builder = _builder(_name(names[0]), self.certificate.subject, public, not_before, not_after)
        san = x509.SubjectAlternativeName([x509.DNSName(n) for n in names])
        return builder.add_extension(san, False).sign(self.key, hashes.SHA256())

    def sign_csr(self, csr_pem: str) -> x509.Certificate:
        """A leaf for the CSR's key and names, as a CA answers an order."""
        csr = x509.load_pem_x509_csr(csr_pem.encode())
        public = csr.public_key()
        assert isinstance(public, ec.EllipticCurvePublicKey | rsa.RSAPublicKey)
        san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = san.get_values_for_type(x509.DNSName)
        builder = _builder(
            _name(names[0]), self.certificate.subject, public, NOW - DAY, NOW + 89 * DAY
        )
        return builder.add_extension(san, False).sign(self.key, hashes.SHA256())


def pem(*certificates: x509.Certificate) -> str:
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certificates)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(
    subject: x509.Name,
    issuer: x509.Name,
    public: ec.EllipticCurvePublicKey | rsa.RSAPublicKey,
    not_before: datetime.datetime,
    not_after: datetime.datetime,
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
