"""A private /tmp, /var/tmp and /dev/shm for every account's cron jobs and SSH sessions.

The shared temporary folders are every user's: one tenant's job could read what another's left
world-readable there, race for a predictable name, or fill /dev/shm (memory, half of it by
default) and /tmp for everyone. pam_namespace gives each session of an account its own:
- /tmp and /var/tmp are the account's own folder (`user` method), bind-mounted over them in the
  session's mount namespace: `/home/.jopanel-tmp/<name>` and `/home/.jopanel-vartmp/<name>`.
  Sessions of one account share it (tmux's socket is found from the next login); the folders
  holding the instances are root's, mode 000, so no account reaches another's. They are on
  /home's file system, so what an account leaves in its /tmp counts against its disk quota
  there, as its home does (in /tmp itself, on the root file system, a cron job could fill
  that), and in /home (root's, 0711) no account can make an entry at their names.
- /dev/shm is a tmpfs of SHM_SIZE_MB per session (`tmpfs` method), gone when the session ends.

Three files say so, written when they differ (`prepare`, at the agent's start):
- NAMESPACE_FILE (namespace.d): which folders, and how;
- PAM_PROFILE, a pam-auth-update profile: pam_namespace for members of the accounts' group
  only, in Debian's common-session and common-session-noninteractive (sshd, su and cron read
  them); root and system users keep the shared folders. An administrator who turned the
  profile off (`pam-auth-update --disable jopanel-accounts`) keeps it off (`--package`
  respects that choice), and is told so in the agent's log at each start;
- TMPFILES_FILE: systemd-tmpfiles makes the instance folders at boot, before any session, and
  empties the /tmp one then (as /tmp is emptied).

An instance folder's parent must be root's and mode 000, or pam_namespace refuses the session:
`prepare` moves whatever else is there aside and makes the folder again. The eighth session's
agent kept the instances in /tmp/.jopanel-tmp and /var/tmp/.jopanel-tmp: `prepare` removes
those folders (FORMER_PARENTS) when they are still root's.

PHP is not a PAM session: its workers' scripts have their own temporary folder (open_basedir,
upload_tmp_dir, sys_temp_dir, and TMPDIR for the programs they start: web/php_fpm.py).
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import stat
from pathlib import Path
from typing import Final

from agent.system.base import files, process
from agent.system.base.process import Limits

logger = logging.getLogger(__name__)

NAMESPACE_FILE: Final = Path("/etc/security/namespace.d/jopanel-accounts.conf")
PAM_PROFILE: Final = Path("/usr/share/pam-configs/jopanel-accounts")
TMPFILES_FILE: Final = Path("/etc/tmpfiles.d/jopanel-accounts.conf")
# The folders polyinstantiated (the `user` method), and the root folder in /home that holds
# their instances.
POLYINSTANTIATED: Final = (
    (Path("/tmp"), Path("/home/.jopanel-tmp")),  # noqa: S108
    (Path("/var/tmp"), Path("/home/.jopanel-vartmp")),  # noqa: S108
)
FORMER_PARENTS: Final = (Path("/tmp/.jopanel-tmp"), Path("/var/tmp/.jopanel-tmp"))  # noqa: S108
SHM_SIZE_MB: Final = 64


def instance_parents() -> tuple[Path, ...]:
    return tuple(parent for _, parent in POLYINSTANTIATED)


def render_namespace() -> str:
    lines = [
        "# Written by jopanel-agent; edits are overwritten (docs/security.md, Temporary folders).",
        "# polydir   instance_prefix   method   users without polyinstantiation",
    ]
    for root, parent in POLYINSTANTIATED:
        lines.append(f"{root} {parent}/ user root")
    shm = f"/dev/shm /dev/shm/ tmpfs:mntopts=size={SHM_SIZE_MB}m,nosuid,nodev root"  # noqa: S108
    lines.append(shm)
    return "\n".join(lines) + "\n"


def render_pam_profile(group: str) -> str:
    # No Session-Interactive-Only line at all: pam-auth-update then adds the lines to
    # common-session-noninteractive too (cron's), which "no" would not.
    return (
        "Name: JoPanel: a private /tmp, /var/tmp and /dev/shm for each hosting account\n"
        "Default: yes\n"
        "Priority: 0\n"
        "Session-Type: Additional\n"
        "Session:\n"
        f"\t[success=1 default=ignore]\tpam_succeed_if.so quiet user notingroup {group}\n"
        "\trequired\tpam_namespace.so\n"
    )


def render_tmpfiles() -> str:
    lines = ["# Written by jopanel-agent: pam_namespace's instance folders (private_tmp.py)."]
    tmp, var_tmp = instance_parents()
    # D: emptied at boot, as /tmp is; d: kept, as /var/tmp is.
    lines += [f"D {tmp} 0000 root root -", f"d {var_tmp} 0000 root root -"]
    return "\n".join(lines) + "\n"


async def prepare(group: str, limits: Limits) -> None:
    """Writes the three files where they differ (the profile for members of `group`), runs
    pam-auth-update when the profile changed, and makes sure each instance folder's parent
    is root's mode-000 folder."""
    files.write_if_changed(NAMESPACE_FILE, render_namespace(), 0o644)
    files.write_if_changed(TMPFILES_FILE, render_tmpfiles(), 0o644)
    # Also when an earlier start wrote the profile but pam-auth-update did not finish.
    if files.write_if_changed(PAM_PROFILE, render_pam_profile(group), 0o644) or not enabled():
        await process.run(["pam-auth-update", "--package"], limits=limits)
        if not enabled():
            logger.warning(
                "accounts' cron jobs and SSH sessions keep the shared /tmp: pam-auth-update left"
                " /etc/pam.d/common-session* without pam_namespace (the profile %s turned off,"
                " or the files edited by hand)",
                PAM_PROFILE,
            )
    for parent in instance_parents():
        make_instance_parent(parent)
    for former in FORMER_PARENTS:
        remove_former_parent(former)


def remove_former_parent(path: Path) -> None:
    """Removes an earlier agent's instance folder with what it holds, when it is root's folder
    (anything else there is some user's entry in a shared folder: left alone)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(info.st_mode) and info.st_uid == 0:
        # rmtree walks by descriptors and follows no link (shutil's fd-based version).
        shutil.rmtree(path, ignore_errors=True)


def enabled(pam_dir: Path = Path("/etc/pam.d")) -> bool:
    """Whether cron's and sshd's common session files run pam_namespace."""
    try:
        return all(
            "pam_namespace.so" in (pam_dir / name).read_text()
            for name in ("common-session", "common-session-noninteractive")
        )
    except OSError:
        return False


def make_instance_parent(parent: Path) -> None:
    """Makes `parent` root's folder of mode 000. Whatever else has the name (a folder, a link,
    a file: in /home only root could have put it there) is renamed aside first: rename never
    follows a link."""
    for _ in range(8):
        try:
            info = os.lstat(parent)
        except FileNotFoundError:
            with contextlib.suppress(FileExistsError):  # planted meanwhile
                os.mkdir(parent, 0)
            continue  # looked at again, as made (mode 0 whatever the umask) or as planted
        if stat.S_ISDIR(info.st_mode) and info.st_uid == 0 and info.st_gid == 0:
            if stat.S_IMODE(info.st_mode) != 0:
                _chmod_folder(parent)
                continue
            return
        aside = parent.with_name(f"{parent.name}.planted-{secrets.token_hex(4)}")
        logger.warning("%s was not root's folder (uid %d): moved to %s", parent, info.st_uid, aside)
        os.rename(parent, aside)
    raise RuntimeError(f"{parent} keeps being replaced; pam_namespace would refuse sessions")


def _chmod_folder(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        os.fchmod(fd, 0)
    finally:
        os.close(fd)


def remove_instances(name: str) -> int:
    """Removes a deleted account's instance folders with what they hold (only its sessions
    reach them); the number left. Relative to each parent's descriptor, following no link."""
    left = 0
    for parent in instance_parents():
        try:
            fd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            continue  # no instances made there
        try:
            shutil.rmtree(name, dir_fd=fd)
        except FileNotFoundError:
            pass
        except OSError as error:
            logger.warning("could not remove %s/%s: %s", parent, name, error)
            left += 1
        finally:
            os.close(fd)
    return left
