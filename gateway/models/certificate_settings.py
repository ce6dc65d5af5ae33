"""The panel's certificate authority on the wire (administrators only)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from gateway.store.certificate_settings import AcmeSettingsRecord

# https only (an ACME directory must be: RFC 8555 section 6.1), a host name and an optional
# port, then a path of printable ASCII: no user name or password in it, no space.
DirectoryUrl = Annotated[
    str,
    Field(
        pattern=r"^https://[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::[0-9]{1,5})?(?:/[!-~]*)?$",
        max_length=512,
    ),
]
# An address the CA may write to before a certificate expires; empty: none.
AccountEmail = Annotated[
    str,
    Field(
        pattern=r"^$|^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+$",
        max_length=254,
    ),
]


class CertificateAuthority(BaseModel):
    model_config = ConfigDict(extra="forbid")

    directory_url: DirectoryUrl = Field(
        description=(
            "The ACME directory certificates are ordered from: Let's Encrypt's production"
            " directory by default, its staging one"
            " (https://acme-staging-v02.api.letsencrypt.org/directory) for trials, or any"
            " https URL of a private CA"
        ),
        examples=["https://acme-v02.api.letsencrypt.org/directory"],
    )
    email: AccountEmail = Field(
        default="",
        description="The ACME account's contact, warned by the CA of problems; empty: none",
        examples=["hostmaster@example.net"],
    )


def certificate_authority_of(record: AcmeSettingsRecord) -> CertificateAuthority:
    return CertificateAuthority(directory_url=record.directory_url, email=record.email)
