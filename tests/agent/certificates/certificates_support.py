"""Fixtures and helpers for the certificate tests: Pebble (the sandbox's ACME server) resolving
through the sandbox's named and validating against the sandbox's nginx, and a small ACME
client made with `acme`, as the panel's unprivileged worker uses it."""

from __future__ import annotations

import datetime
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest
import stack
from acme import challenges, client, crypto_util, messages
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jopanel.agent.dns.v1 import dns_pb2
from josepy.jwa import ES256
from josepy.jwk import JWK, JWKEC

from tests.agent.dns.dns_support import a, create_zone

if TYPE_CHECKING:
    from tests.agent.dns.dns_support import Stub as DnsStub


@pytest.fixture(scope="package")
def pebble(
    named: stack.Named, web_servers: None, web_port: int, sandbox: Path
) -> Iterator[stack.Pebble]:
    """Pebble for the agent's certificate tests: named's DNS, nginx's port for HTTP-01."""
    server = stack.Pebble(named.dns_port, web_port, sandbox / "logs")
    server.start()
    yield server
    server.stop()


async def zone_pointing_here(
    dns: DnsStub, zone: str, account: str, *labels: str
) -> dns_pb2.DnsZone:
    """A zone of the account whose apex and labels resolve to 127.0.0.1 (this server)."""
    records = [
        a(f"here{index:04d}", label, "127.0.0.1") for index, label in enumerate(["@", *labels])
    ]
    return await create_zone(dns, zone, account, *records)


@dataclass
class AcmeClient:
    """An ACME account at Pebble, trusting only the API's own CA."""

    acme: client.ClientV2
    account_key: JWK

    @classmethod
    def register(cls, pebble: stack.Pebble) -> AcmeClient:
        key = JWKEC(key=ec.generate_private_key(ec.SECP256R1()))
        # requests takes a CA file where acme's signature says bool.
        network = client.ClientNetwork(
            key,
            alg=ES256,
            verify_ssl=cast(bool, str(pebble.api_ca)),
            user_agent="jopanel-tests",
        )
        directory = client.ClientV2.get_directory(pebble.directory_url, network)
        acme = client.ClientV2(directory, network)
        registration = messages.NewRegistration.from_data(terms_of_service_agreed=True)
        network.account = acme.new_account(registration)
        return cls(acme, key)

    def http01(
        self, order: messages.OrderResource
    ) -> list[tuple[messages.ChallengeBody, str, str]]:
        """Each authorisation's HTTP-01 challenge: (challenge, token, key authorisation)."""
        found = []
        for authz in order.authorizations:
            for body in authz.body.challenges:
                if isinstance(body.chall, challenges.HTTP01):
                    validation = body.chall.validation(self.account_key)
                    found.append((body, body.chall.encode("token"), validation))
        return found

    def finish(self, order: messages.OrderResource, seconds: int = 60) -> messages.OrderResource:
        deadline = datetime.datetime.now() + datetime.timedelta(seconds=seconds)
        return self.acme.poll_and_finalize(order, deadline)


def csr_for(names: list[str]) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return crypto_util.make_csr(key_pem, names)


def leaf_names(fullchain_pem: str) -> list[str]:
    leaf = x509.load_pem_x509_certificates(fullchain_pem.encode())[0]
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return sorted(names.get_values_for_type(x509.DNSName))


def tls_peer(port: int, server_name: str, root_pem: str, path: str = "/") -> tuple[list[str], str]:
    """A TLS client that trusts only `root_pem`, over SNI `server_name` to nginx's HTTPS port:
    the DNS names of the certificate it was shown, and the answer's status line and body."""
    context = ssl.create_default_context(cadata=root_pem)
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=server_name) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
        assert der is not None
        request = f"GET {path} HTTP/1.1\r\nHost: {server_name}\r\nConnection: close\r\n\r\n"
        tls.sendall(request.encode())
        chunks = []
        while chunk := tls.recv(65536):
            chunks.append(chunk)
    names = x509.load_der_x509_certificate(der).extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    )
    answer = b"".join(chunks).decode("utf-8", "replace")
    return sorted(names.value.get_values_for_type(x509.DNSName)), answer
