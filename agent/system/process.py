"""Starting system programs: argv lists only, a clean environment, typed failures.

Programs are started with asyncio.create_subprocess_exec and never through a shell, so no
argument is ever parsed as shell syntax. Secrets travel on stdin, never in argv (argv is
visible to every user in /proc/<pid>/cmdline and is logged here).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Final

from agent.errors import Internal

logger = logging.getLogger(__name__)

# Nothing from the agent's own environment leaks into programs: a fixed PATH of system
# directories, and the C locale so messages and formats are the same everywhere.
CLEAN_ENV: Final = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"}
DEFAULT_TIMEOUT: Final = 60.0


@dataclass(frozen=True)
class Completed:
    argv: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: bytes


class CommandFailed(Internal):
    """A program exited with an unexpected status or timed out.

    The client is told which program failed; its standard error goes to the log only.
    """

    def __init__(self, argv: Sequence[str], reason: str, stderr: bytes = b"") -> None:
        output = stderr.decode("utf-8", errors="replace").strip()
        super().__init__(f"{argv[0]} {reason}", detail=f"{list(argv)}: {output}")
        self.argv = tuple(argv)
        self.stderr = stderr


async def run(
    argv: Sequence[str],
    *,
    stdin: bytes | None = None,
    timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - on timeout the program is killed
    ok_codes: Collection[int] = (0,),
) -> Completed:
    """Runs argv and returns its output; raises CommandFailed unless it exits with an ok code."""
    logger.debug("running %s", list(argv))
    process = await asyncio.create_subprocess_exec(
        *argv,
        # Without input the program reads /dev/null, never the agent's own stdin.
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=dict(CLEAN_ENV),
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(stdin), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise CommandFailed(argv, f"timed out after {timeout:g} s") from None
    returncode = process.returncode
    assert returncode is not None  # communicate() returns after the process exited
    if returncode not in ok_codes:
        raise CommandFailed(argv, f"exited with status {returncode}", stderr)
    return Completed(tuple(argv), returncode, stdout, stderr)
