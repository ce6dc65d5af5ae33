"""The nginx configuration JoPanel writes, rendered from validated values only.

Every value substituted below is a NewType that a validator returned (hostnames, account names,
ports, URLs, PHP versions) or a path from the agent's own configuration, which AgentConfig holds
to plain characters. None can contain whitespace, quotes, ';', braces or '$', so none can end a
directive or open a block.

Each site file starts with its record (sites.to_json) on a comment line: the files are the
agent's state. Logs: `access_log` names a path with a variable, so nginx opens it in the worker
when a request is logged (cached by open_log_file_cache) instead of holding one descriptor per
site in the master; there is no per-site error_log, the server's global one serves every site.
PHP's errors do not go there: each PHP site has its own log, /home/A/web/D/php-error.log, named
by its pool (a pool's only site) or by the site's requests (PHP_ADMIN_VALUE error_log, where
the pool has more sites), written by the account's own PHP inside its own tree (so the disk and
inode quotas count it), which no other account can read.

Proxy backends: a Unix socket in the account's socket folder (SocketBackend), or a TCP port on
127.0.0.1 that the configuration allows (proxy_ports). A port the configuration no longer allows
(a record from before the rule, or after the administrator narrowed it) renders as a 502 page
instead of a proxy, so narrowing the rule closes the site's path to that port at the next change.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from agent.config import AgentConfig
from agent.system.accounts.users import HOME_ROOT
from agent.system.certificates.files import CertificateFiles
from agent.system.web import php_fpm, webroots
from agent.system.web.records import (
    Backend,
    PhpBackend,
    ProxyBackend,
    RedirectBackend,
    Site,
    SocketBackend,
    StaticBackend,
    to_json,
)
from agent.validators import web as web_validators
from agent.validators.web import PhpSettings

SITE_HEADER: Final = "# jopanel-site: "
HTTP_FILE: Final = "_http.conf"  # '_' never starts a hostname, so never a site's file name
DEFAULT_FILE: Final = "_default.conf"
SUSPENDED_PAGE: Final = (
    "<!doctype html><title>Suspended</title>"
    "<h1>This website is suspended</h1><p>Please contact the owner of this site.</p>\\n"
)
PORT_REFUSED_PAGE: Final = (
    "This site's application port is not allowed on this server; "
    "its owner can move the application to a socket.\\n"
)
_EDIT_NOTE: Final = "# Written by jopanel-agent; edits are overwritten."
# The first location of every block (_challenges).
CHALLENGES: Final = "^~ /.well-known/acme-challenge/"
DOT_FILES_AND_CHALLENGES: Final = r"~ /\.(?!well-known/(?!acme-challenge/))"
# The PHP location's named captures: the script's path and the PATH_INFO after it.
SCRIPT: Final = "jopanel_script"
PATH_INFO: Final = "jopanel_path_info"
# What PHP receives (Debian's fastcgi_params, but SCRIPT_NAME from the PHP location's split,
# not $fastcgi_script_name, which is the whole path without fastcgi_split_path_info).
FASTCGI_PARAMS: Final = (
    ("QUERY_STRING", "$query_string"),
    ("REQUEST_METHOD", "$request_method"),
    ("CONTENT_TYPE", "$content_type"),
    ("CONTENT_LENGTH", "$content_length"),
    ("SCRIPT_NAME", f"${SCRIPT}"),
    ("SCRIPT_FILENAME", f"$document_root${SCRIPT}"),
    ("PATH_INFO", f"${PATH_INFO}"),
    ("REQUEST_URI", "$request_uri"),
    ("DOCUMENT_URI", "$document_uri"),
    ("DOCUMENT_ROOT", "$document_root"),
    ("SERVER_PROTOCOL", "$server_protocol"),
    ("REQUEST_SCHEME", "$scheme"),
    ("HTTPS", "$https if_not_empty"),
    ("GATEWAY_INTERFACE", "CGI/1.1"),
    ("SERVER_SOFTWARE", "nginx"),
    ("REMOTE_ADDR", "$remote_addr"),
    ("REMOTE_PORT", "$remote_port"),
    ("REMOTE_USER", "$remote_user"),
    ("SERVER_ADDR", "$server_addr"),
    ("SERVER_PORT", "$server_port"),
    ("SERVER_NAME", "$server_name"),
    ("REDIRECT_STATUS", "200"),
    ("PHP_ADMIN_VALUE", "$jopanel_php_admin if_not_empty"),
)


@dataclass(frozen=True)
class Layout:
    """What the templates need from the agent's configuration."""

    nginx_dir: Path
    listen: tuple[str, ...]
    log_root: Path
    php_run_dir: Path
    proxy_ports: web_validators.PortRanges = ()
    tls_listen: tuple[str, ...] = ("443", "[::]:443")
    certificates: CertificateFiles = field(default_factory=CertificateFiles)

    @classmethod
    def from_config(cls, config: AgentConfig) -> Layout:
        return cls(
            config.nginx_dir,
            config.web_listen,
            config.web_log_dir,
            config.php_run_dir,
            config.proxy_ports,
            config.web_tls_listen,
        )

    @property
    def https_port_suffix(self) -> str:
        """ ":<port>" for redirects to HTTPS when it is not on 443 (the sandbox), else ""."""
        port = self.tls_listen[0].rsplit(":", 1)[-1]
        return "" if port == "443" else f":{port}"


ERROR_LOG: Final = "error_log"
# Every value a PHP site may send: its error_log and its settings (php_fpm.php_ini).
ALL_SETTINGS: Final = frozenset(php_fpm.DEFAULT_INI) | {ERROR_LOG}
Pool = php_fpm.Pool


def pool_sites(sites: Iterable[Site]) -> dict[Pool, list[Site]]:
    """Each PHP pool (account, version) and the sites it serves, in the order given."""
    found: dict[Pool, list[Site]] = {}
    for site in sites:
        pool = pool_of(site)
        if pool is not None:
            found.setdefault(pool, []).append(site)
    return found


def pool_variations(pools: Mapping[Pool, list[Site]]) -> dict[Pool, frozenset[str]]:
    """For each PHP pool (account, version): the values in which any of its sites differs
    from the defaults its workers start with (php_fpm.render_pool).

    PHP-FPM keeps a PHP_ADMIN_VALUE in the worker after the request that sent it. So every
    site of the pool sends these values, each its own, with every request: a value one site
    set is set again by the next request of any other. The settings none of its sites changes
    are never sent, and stay the pool's defaults (docs/web.md, PHP settings). The error_log
    is sent by every site of a pool of two or more: the pool's own names the log of its only
    site (php_fpm.ErrorLogLinks). Another account's sites never count: their pools are
    their own.
    """
    found: dict[Pool, set[str]] = {}
    for pool, served in pools.items():
        varied = found[pool] = {ERROR_LOG} if len(served) > 1 else set()
        for site in served:
            assert isinstance(site.backend, PhpBackend)
            if site.backend.settings != _DEFAULT_SETTINGS:
                ini = php_fpm.php_ini(site.backend.settings)
                varied.update(
                    name for name, value in ini.items() if php_fpm.DEFAULT_INI[name] != value
                )
    return {pool: frozenset(varied) for pool, varied in found.items()}


_DEFAULT_SETTINGS: Final = PhpSettings()


def render_site(site: Site, layout: Layout, varied: Collection[str] = ALL_SETTINGS) -> str:
    """The site's record, its plain HTTP server block and, with a certificate, its HTTPS one.
    A PHP site sends its error_log and the settings `varied` among its pool's sites
    (pool_variations; every setting unless told).

    Every block answers /.well-known/acme-challenge/ first, from the panel's own folder for
    this domain: a `^~` prefix location wins over every regex location (PHP) and every shorter
    prefix (`/`), and no backend, suspension or redirect says `return` at server level (that
    would run before any location is chosen), so nothing of the site can swallow a challenge.
    """
    lines = [f"{SITE_HEADER}{to_json(site)}", _EDIT_NOTE, *_server(site, layout, varied, tls=False)]
    if site.https is not None:
        lines.extend(_server(site, layout, varied, tls=True))
    return "\n".join(lines) + "\n"


def pool_of(site: Site) -> Pool | None:
    """The PHP pool that serves the site, if it is a PHP site."""
    backend = site.backend
    return (site.account, backend.version) if isinstance(backend, PhpBackend) else None


def site_variations(site: Site, variations: Mapping[Pool, frozenset[str]]) -> frozenset[str]:
    """What `render_site` needs of pool_variations for this site."""
    pool = pool_of(site)
    return frozenset() if pool is None else variations[pool]


def _server(site: Site, layout: Layout, varied: Collection[str], *, tls: bool) -> list[str]:
    root = webroots.document_root(site.account, site.name)
    listen = (
        [f"    listen {address} ssl http2;" for address in layout.tls_listen]
        if tls
        else [f"    listen {address};" for address in layout.listen]
    )
    return [
        "server {",
        *listen,
        f"    server_name {' '.join(site.hostnames)};",
        *(_tls(site, layout) if tls else []),
        f"    root {root};",
        f"    access_log {layout.log_root}/$server_name/access.log combined;",
        # A link anywhere below the account's home (web, the domain folder, public_html
        # itself, or inside it) is followed only when its owner owns the target too, so an
        # account cannot publish another account's (or the system's) files through a link.
        # (from=$document_root would leave public_html itself unchecked: swapped for a link,
        # it served other accounts' files.)
        f"    disable_symlinks if_not_owner from={HOME_ROOT / site.account};",
        *_challenges(site, layout, dot_files=_serves_files(site, tls=tls)),
        *_answers(site, layout, varied, tls=tls),
        "}",
    ]


def _serves_files(site: Site, *, tls: bool) -> bool:
    """Whether the block serves the site's own files (static or PHP, not suspended or sent to
    HTTPS): only then are dot files refused."""
    https = site.https
    if site.offline or (not tls and https is not None and https.redirect_http):
        return False
    return isinstance(site.backend, StaticBackend | PhpBackend)


def _answers(site: Site, layout: Layout, varied: Collection[str], *, tls: bool) -> list[str]:
    https = site.https
    if not tls and https is not None and https.redirect_http:
        target = f"https://$host{layout.https_port_suffix}$request_uri"
        return ["    location / {", f'        return 301 "{target}";', "    }"]
    hsts = [_HSTS] if tls and https is not None and https.hsts else []
    return _suspended(hsts) if site.offline else _backend(site, layout, varied)


_HSTS: Final = '        add_header Strict-Transport-Security "max-age=31536000" always;'


def _tls(site: Site, layout: Layout) -> list[str]:
    """The certificate, and Mozilla's "intermediate" TLS settings (server level: Debian's
    nginx.conf sets ssl_protocols at http level, and a second one there would be refused)."""
    assert site.https is not None
    files = layout.certificates
    fingerprint = site.https.fingerprint
    lines = [
        f"    ssl_certificate {files.chain_path(site.name, fingerprint)};",
        f"    ssl_certificate_key {files.key_path(site.name, fingerprint)};",
        "    ssl_protocols TLSv1.2 TLSv1.3;",
        f"    ssl_ciphers {_INTERMEDIATE_CIPHERS};",
        "    ssl_prefer_server_ciphers off;",
        "    ssl_session_timeout 1d;",
        "    ssl_session_cache shared:jopanel_tls:10m;",
        "    ssl_session_tickets off;",
    ]
    if site.https.hsts:
        lines.append(_HSTS.removeprefix("    "))
    return lines


# Mozilla's intermediate configuration (version 5.7) without the DHE suites, which need
# ssl_dhparam; TLS 1.3's suites are OpenSSL's defaults.
_INTERMEDIATE_CIPHERS: Final = ":".join(
    [
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-RSA-CHACHA20-POLY1305",
    ]
)


def _challenges(site: Site, layout: Layout, *, dot_files: bool) -> list[str]:
    """HTTP-01 tokens from the panel's folder of this domain (root's; system/certificates).

    A block that serves the site's files also refuses its dot files (.git, .env, .htpasswd)
    but not the rest of /.well-known/: one regex location, first in the block so it wins over
    the PHP location, answers both from the challenge folder, where a dot file is never found
    (404). One location instead of two: each costs nginx a configuration of every module at
    every check and reload (docs/web.md, Scale). Other blocks (proxy, redirect, suspended) keep
    their dot paths and answer only the challenges, with a `^~` prefix location that wins over
    every other location.
    """
    match = DOT_FILES_AND_CHALLENGES if dot_files else CHALLENGES
    return [
        f"    location {match} {{",
        f"        root {layout.certificates.challenge_folder(site.name)};",
        "        disable_symlinks on;",
        "        default_type text/plain;",
        "        try_files $uri =404;",
        "    }",
    ]


def _suspended(headers: list[str]) -> list[str]:
    return [
        "    location / {",
        "        default_type text/html;",
        '        add_header Cache-Control "no-store" always;',
        *headers,
        f'        return 503 "{SUSPENDED_PAGE}";',
        "    }",
    ]


def _backend(site: Site, layout: Layout, varied: Collection[str]) -> list[str]:
    backend: Backend = site.backend
    match backend:
        case StaticBackend():
            return ["    index index.html index.htm;", *_files("=404")]
        case PhpBackend(version, settings):
            socket = php_fpm.socket_path(layout.php_run_dir, site.account, version)
            error_log = webroots.php_error_log(site.account, site.name)
            return [
                "    index index.php index.html index.htm;",
                *_files("/index.php$is_args$args"),
                *_php_values(error_log, settings, varied),
                *_php(socket),
            ]
        case ProxyBackend(port):
            if port in web_validators.RESERVED_PROXY_PORTS or not web_validators.in_ranges(
                port, layout.proxy_ports
            ):
                return ["    default_type text/plain;", f'    return 502 "{PORT_REFUSED_PAGE}";']
            return _proxy(f"http://127.0.0.1:{port}")
        case SocketBackend(path):
            # "unix:<path>:" - the colon ends the path; no URI follows, so the request's own
            # URI is passed on unchanged, as with a port.
            return _proxy(f"http://unix:{path}:")
        case RedirectBackend(url, status, preserve_path):
            target = url.removesuffix("/") + "$request_uri" if preserve_path else url
            # In `location /`, not at server level, so ACME challenges still reach theirs.
            return ["    location / {", f'        return {status} "{target}";', "    }"]


def _files(fallback: str) -> list[str]:
    return [
        # At server level, not in `location /`: nginx uses the server's own settings for a
        # request no location matches, so this is the same rule at one location less per site
        # (each location costs nginx a configuration of every module at every check and reload).
        f"    try_files $uri $uri/ {fallback};",
    ]


def _php(socket: Path) -> list[str]:
    """The PHP location splits the path as it matches: the script (a name ending in ".php"
    after something other than "/") and the PATH_INFO after it, for front controllers
    (/index.php/blog/post). One regular expression per PHP request, where
    `fastcgi_split_path_info` ran a second one over the same path (docs/web.md, Scale).

    The location has no fastcgi_param of its own, so it inherits the http level's
    (_http.conf: the parameters, SCRIPT_NAME and SCRIPT_FILENAME from this script,
    PATH_INFO and PHP_ADMIN_VALUE): a location with any fastcgi_param would inherit none and
    build its own list of 24 (docs/web.md, Scale)."""
    return [
        rf"    location ~ ^(?<{SCRIPT}>.*?[^/]\.php)(?<{PATH_INFO}>/.*)?$ {{",
        # Only scripts that exist run: no "/upload.jpg/x.php" handing an upload to PHP.
        f"        try_files ${SCRIPT} =404;",
        f"        fastcgi_pass unix:{socket};",
        "    }",
    ]


def _php_values(error_log: Path, settings: PhpSettings, varied: Collection[str]) -> list[str]:
    """The values that vary among its pool's sites (the error_log where the pool has two
    sites or more, the settings any of them changes), sent with each of its requests in ONE
    parameter (docs/web.md, PHP settings). A site alone in its pool with the default settings
    sends nothing: the pool's own values are its.

    PHP-FPM keeps a PHP_ADMIN_VALUE in the worker after the request that sent it, so a value
    one site sets would apply to the next request of another site of the pool served by the
    same worker: every site of the pool sends every value any of them changes
    (pool_variations). Only nginx can reach the pool's socket, so no one else can pass these
    values. The site's PHP errors go to its own log in the account's tree, not to nginx's
    (root's) error log. The values are a path of the agent's and whole numbers in fixed units
    from a validator: no text of anyone's.
    """
    seconds = settings.value("max_execution_time_seconds")
    post = settings.value("post_max_size_mb")
    ini = php_fpm.php_ini(settings)
    values = [f"{ERROR_LOG}={error_log}"] if ERROR_LOG in varied else []
    values += [f"{name}={ini[name]}" for name in ini if name in varied]
    joined = "\\n".join(values)  # nginx turns "\n" in a quoted string into a newline
    # Sent as PHP_ADMIN_VALUE by the http level's fastcgi_param (_http.conf).
    sent = [f'    set $jopanel_php_admin "{joined}";'] if values else []
    return [
        *sent,
        # nginx refuses a larger body itself (413) before PHP is asked. At server level: a
        # request to the front controller is first matched here, before try_files hands it on.
        f"    client_max_body_size {post}m;",
        # A script may run max_execution_time; nginx waits that long and a little more.
        f"    fastcgi_read_timeout {seconds + 30}s;",
    ]


def _proxy(target: str) -> list[str]:
    return [
        "    location / {",
        f"        proxy_pass {target};",
        "        proxy_http_version 1.1;",
        "        proxy_set_header Host $host;",
        "        proxy_set_header X-Real-IP $remote_addr;",
        "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "        proxy_set_header X-Forwarded-Proto $scheme;",
        "        proxy_set_header Upgrade $http_upgrade;",
        "        proxy_set_header Connection $jopanel_connection_upgrade;",
        "    }",
    ]


def render_support(layout: Layout) -> dict[str, str]:
    """The files every generation holds besides the sites: http-level settings, default server."""
    http = [
        _EDIT_NOTE,
        # Thousands of sites with up to 51 names each, names up to 253 characters: one bucket
        # must hold the longest name, and the table must be allowed to grow that far.
        "server_names_hash_max_size 65536;",
        "server_names_hash_bucket_size 512;",
        # Workers keep the busiest sites' access logs open instead of reopening per request.
        "open_log_file_cache max=1000 inactive=60s valid=1m min_uses=2;",
        "map $http_upgrade $jopanel_connection_upgrade {",
        "    default upgrade;",
        '    "" close;',
        "}",
        # The PHP sites' FastCGI parameters, once for all of them: their PHP location sets no
        # fastcgi_param, so it inherits these. The PHP location's captures name the script and
        # its PATH_INFO (_php); each site sets $jopanel_php_admin at server level (_php_values).
        # Elsewhere (another server of the administrator's that passes to FastCGI and inherits
        # these) the script is nginx's $fastcgi_script_name and the others are empty.
        *(f"fastcgi_param {name} {value};" for name, value in FASTCGI_PARAMS),
        *(
            line
            for variable, default in (
                ("jopanel_php_admin", '""'),
                (SCRIPT, "$fastcgi_script_name"),
                (PATH_INFO, '""'),
            )
            for line in (f'map "" ${variable} {{', f"    default {default};", "}")
        ),
    ]
    default = [
        _EDIT_NOTE,
        "# Answers requests for hostnames that no site serves.",
        "server {",
        *(f"    listen {address} default_server;" for address in layout.listen),
        "    server_name _;",
        "    default_type text/plain;",
        '    return 404 "No website is configured for this name.\\n";',
        "}",
    ]
    return {HTTP_FILE: "\n".join(http) + "\n", DEFAULT_FILE: "\n".join(default) + "\n"}


def render_include(live: Path) -> str:
    """conf.d/jopanel.conf: pulls the live generation into nginx's http block."""
    return f"{_EDIT_NOTE}\ninclude {live}/*.conf;\n"


def render_test_config(layout: Layout, staged: Path, sites: Iterable[str] | None = None) -> str:
    """A main configuration for `nginx -t` of a staged generation, before it goes live: every
    file, or (`sites` given) the http-level files and those site files only."""
    if sites is None:
        includes = [f"    include {staged}/*.conf;"]
    else:
        # '_' starts the agent's http-level files and never a site's (a hostname's) file name.
        includes = [f"    include {staged}/_*.conf;"]
        includes += [f"    include {staged}/{name};" for name in sites if not name.startswith("_")]
    return (
        "\n".join(
            [
                _EDIT_NOTE,
                "# Checks a staged generation of sites with nginx -t before it goes live.",
                f"user {webroots.WEB_SERVER_USER};",
                "error_log stderr;",
                "events {}",
                "http {",
                f"    include {layout.nginx_dir}/mime.types;",
                *includes,
                "}",
            ]
        )
        + "\n"
    )


def record_line(text: str) -> str | None:
    """The JSON record of a site file, or None when the file does not start with one."""
    first = text.split("\n", 1)[0]
    return first[len(SITE_HEADER) :] if first.startswith(SITE_HEADER) else None
