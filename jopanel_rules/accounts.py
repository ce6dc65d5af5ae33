"""Account names: their shape and the names no account may take."""

from __future__ import annotations

import re
from typing import Final

# An account name is a Linux user name, a group name, a home folder, a mail local part and the
# prefix of its databases: lowercase, starting with a letter, 3 to 32 characters.
ACCOUNT_NAME_PATTERN: Final = re.compile(r"[a-z][a-z0-9_]{2,31}")
ACCOUNT_NAME_RULE: Final = "must match ^[a-z][a-z0-9_]{2,31}$"

# Names an account may never take: users and groups of Debian and of the services a hosting
# server runs, the panel's own, and mail role names (an account name becomes a mail local part).
# Names with '-' or a leading '_' (www-data, systemd-*, _apt) cannot pass the pattern anyway.
RESERVED_NAMES: Final = frozenset(
    {
        # Debian base users and groups
        "root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp",
        "proxy", "backup", "list", "irc", "gnats", "nobody", "nogroup", "adm", "tty", "disk",
        "kmem", "dialout", "fax", "voice", "cdrom", "floppy", "tape", "sudo", "audio", "dip",
        "operator", "src", "shadow", "utmp", "video", "sasl", "plugdev", "staff", "users",
        "input", "kvm", "render", "sgx", "netdev", "crontab", "messagebus", "sshd", "tss",
        "uuidd", "tcpdump", "polkitd", "avahi", "statd", "dnsmasq", "ntp", "ntpsec", "chrony",
        "wheel", "docker", "lxd", "systemd", "syslog", "landscape", "pollinate", "lpadmin",
        # services a hosting server runs
        "www", "web", "nginx", "apache", "apache2", "httpd", "php", "phpfpm", "mysql", "mariadb",
        "postgres", "redis", "memcache", "memcached", "bind", "named", "postfix", "postdrop",
        "dovecot", "dovenull", "exim", "vmail", "opendkim", "clamav", "amavis", "spamd",
        "ftp", "proftpd", "vsftpd", "sftp", "git", "certbot", "letsencrypt",
        "acme", "phpmyadmin", "roundcube", "mongodb", "elasticsearch", "rabbitmq",
        # the panel and administrative names
        "jopanel", "admin", "administrator", "toor", "sysadmin", "support", "panel",
        "localhost", "test", "guest", "default",
        # mail role names (RFC 2142)
        "postmaster", "hostmaster", "webmaster", "abuse", "noc", "security", "info",
        "mailer_daemon", "noreply",
    }
)  # fmt: skip
# Prefixes of names that the system or the panel may create later.
RESERVED_PREFIXES: Final = ("systemd", "jopanel")


def is_reserved(name: str) -> bool:
    """Whether no account may take `name` (a reserved name, or one with a reserved prefix)."""
    return name in RESERVED_NAMES or name.startswith(RESERVED_PREFIXES)
