"""How a website answers requests (its backend), in the three shapes the gateway holds it, and
the only place that converts between them:

    wire (Backend: PhpBackend | StaticBackend | ProxyBackend | RedirectBackend, the API's)
      <-> record (store.domains.BackendColumns, the `domains` row's backend columns)
      ->  proto (web_pb2.WebDomain's `backend` oneof, what the agent takes)

The record is the one the flows hold: routes turn the body's backend into it (columns_of),
services and the reconcile send it to the agent (site_spec), and the wire mapper reads it back
(backend_of). A new backend kind is one model here and one branch in each of these three.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal, Self

from jopanel.agent.web.v1 import web_pb2 as pb
from pydantic import BaseModel, ConfigDict, Field, model_validator

from gateway.store.domains import BackendColumns
from gateway.validation import Port, RedirectUrl, Unprocessable
from jopanel_rules.web import PHP_SETTING_RANGES, SOCKET_PATH_MAX


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PhpBackend(_Strict):
    type: Literal["php"]
    version: Annotated[str, Field(pattern=r"^[0-9]\.[0-9]{1,2}$", examples=["8.2"])]


class StaticBackend(_Strict):
    type: Literal["static"]


class ProxyBackend(_Strict):
    """Exactly one of socket_path and port."""

    type: Literal["proxy"]
    socket_path: Annotated[
        str | None,
        Field(
            max_length=SOCKET_PATH_MAX,
            pattern=r"^/[a-z0-9._/-]+\.sock$",
            examples=["/home/.apps/alice/shop.sock"],
            description="The account's application listening on a Unix socket in its socket"
            " folder: /home/.apps/<account>/<name>.sock (the safe choice: no other account can"
            " take it)",
        ),
    ] = None
    port: Port | None = Field(
        default=None,
        description="An application listening on 127.0.0.1 at this port, where the server"
        " allows it (none by default; never the server's own services' ports)",
    )

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        if (self.socket_path is None) == (self.port is None):
            raise Unprocessable("set either socket_path or port")
        return self


class RedirectBackend(_Strict):
    type: Literal["redirect"]
    url: RedirectUrl
    code: Literal[301, 302] = 301
    preserve_path: bool = False


AnyBackend = PhpBackend | StaticBackend | ProxyBackend | RedirectBackend
Backend = Annotated[AnyBackend, Field(discriminator="type")]


def columns_of(backend: AnyBackend) -> BackendColumns:
    """The wire backend as the record holds it."""
    if isinstance(backend, PhpBackend):
        return BackendColumns("php", php_version=backend.version)
    if isinstance(backend, ProxyBackend):
        return BackendColumns("proxy", proxy_port=backend.port, proxy_socket=backend.socket_path)
    if isinstance(backend, RedirectBackend):
        return BackendColumns(
            "redirect",
            redirect_url=backend.url,
            redirect_code=backend.code,
            redirect_preserve_path=backend.preserve_path,
        )
    return BackendColumns("static")


def backend_of(columns: BackendColumns) -> AnyBackend:
    """The recorded backend as the API shows it."""
    if columns.backend == "php":
        return PhpBackend(type="php", version=str(columns.php_version))
    if columns.backend == "proxy":
        return ProxyBackend(type="proxy", port=columns.proxy_port, socket_path=columns.proxy_socket)
    if columns.backend == "redirect":
        return RedirectBackend(
            type="redirect",
            url=str(columns.redirect_url),
            code=301 if columns.redirect_code == 301 else 302,
            preserve_path=bool(columns.redirect_preserve_path),
        )
    return StaticBackend(type="static")


def site_spec(
    name: str,
    account: str,
    aliases: list[str],
    columns: BackendColumns,
    log_retention_days: int = 0,
) -> pb.WebDomain:
    """The website as CreateWebDomain and UpdateWebDomain take it (with its account's plan's
    log retention; 0: the agent's default)."""
    spec = pb.WebDomain(
        name=name, account=account, aliases=aliases, log_retention_days=log_retention_days
    )
    if columns.backend == "php":
        spec.php.version = str(columns.php_version)
        if columns.php_settings:
            spec.php.settings.CopyFrom(php_settings_spec(columns.php_settings))
    elif columns.backend == "proxy" and columns.proxy_socket:
        spec.proxy.socket_path = columns.proxy_socket
    elif columns.backend == "proxy":
        spec.proxy.port = columns.proxy_port or 0
    elif columns.backend == "redirect":
        spec.redirect.url = str(columns.redirect_url)
        spec.redirect.code = (
            pb.REDIRECT_CODE_PERMANENT
            if columns.redirect_code == 301
            else pb.REDIRECT_CODE_TEMPORARY
        )
        spec.redirect.preserve_path = bool(columns.redirect_preserve_path)
    else:
        spec.static.SetInParent()
    return spec


def spec_columns(site: pb.WebDomain) -> BackendColumns:
    """The record columns of a website as the agent holds it (site_spec's inverse); a PHP
    site's values are left to the caller, who checks them against the plan."""
    kind = site.WhichOneof("backend")
    if kind == "php":
        return BackendColumns("php", php_version=site.php.version)
    if kind == "redirect":
        return BackendColumns(
            "redirect",
            redirect_url=site.redirect.url,
            redirect_code=301 if site.redirect.code == pb.REDIRECT_CODE_PERMANENT else 302,
            redirect_preserve_path=site.redirect.preserve_path,
        )
    if kind == "proxy" and site.proxy.WhichOneof("target") == "socket_path":
        return BackendColumns("proxy", proxy_socket=site.proxy.socket_path)
    if kind == "proxy":
        return BackendColumns("proxy", proxy_port=site.proxy.port)
    return BackendColumns("static")


def php_settings_spec(text: str) -> pb.PhpSettings:
    """A site's recorded PHP settings (JSON text the gateway wrote) as the agent takes them."""
    values = json.loads(text)
    return pb.PhpSettings(
        **{name: int(values[name]) for name in PHP_SETTING_RANGES},
        display_errors=bool(values["display_errors"]),
    )
