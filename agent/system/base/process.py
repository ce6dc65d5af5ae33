"""Starting system programs: argv lists only, a clean environment, bounded time and output.

Programs are started with asyncio.create_subprocess_exec and never through a shell, so no
argument is ever parsed as shell syntax. Secrets travel on stdin, never in argv (argv is
visible to every user in /proc/<pid>/cmdline and is logged here).

Every run is bounded, so that one stuck or noisy program never stalls the agent:

- Time: each resource hands its programs the timeout its configuration gives it (`Limits`,
  built by AgentConfig.limits). A program still running then is killed together with its
  whole process group (it starts as the leader of a group of its own, so helpers it forked
  die with it), and the call raises ProgramTimedOut: UNAVAILABLE, naming the program and the
  configuration key. The RPC's lock is released with it; nothing waits on the program any more.
- Output: the agent keeps at most `output_bytes` of each of standard output and standard error
  (the last bytes: a program's verdict comes at its end). The rest is read and thrown away as
  it arrives, so the program never blocks on a full pipe and the agent's memory does not grow
  with what a program writes (a tenant's zone or crontab can make a checker talk a lot).
  `Completed.stdout_cut` and `stderr_cut` count what was thrown away; messages built from
  output say where it was cut (`tail`, `excerpt`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
from collections import deque
from collections.abc import AsyncIterator, Callable, Collection, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from agent.errors import Internal, TimedOut

logger = logging.getLogger(__name__)

# Nothing from the agent's own environment leaks into programs: a fixed PATH of system
# directories, and the C locale so messages and formats are the same everywhere.
CLEAN_ENV: Final = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"}
# The output kept of each stream, unless a resource's Limits say otherwise.
OUTPUT_BYTES: Final = 1024 * 1024
# How long a killed program may take to die before the agent answers without waiting for it.
KILL_GRACE: Final = 5.0
# How much of a failed program's standard error goes into the log line.
_DETAIL_CHARS: Final = 4000


@dataclass(frozen=True)
class Limits:
    """How long one program of a resource may run, and how much of its output is kept."""

    timeout: float  # seconds
    setting: str  # the configuration key of the timeout, named in the error message
    output_bytes: int = OUTPUT_BYTES  # per stream


@dataclass(frozen=True)
class Completed:
    argv: tuple[str, ...]
    returncode: int
    stdout: bytes  # the last Limits.output_bytes bytes
    stderr: bytes
    stdout_cut: int = 0  # bytes read before `stdout` and thrown away
    stderr_cut: int = 0


class CommandFailed(Internal):
    """A program exited with an unexpected status.

    The client is told which program failed; the tail of its standard error goes to the log.
    """

    def __init__(
        self, argv: Sequence[str], reason: str, stderr: bytes = b"", stderr_cut: int = 0
    ) -> None:
        super().__init__(f"{argv[0]} {reason}", detail=f"{list(argv)}: {tail(stderr, stderr_cut)}")
        self.argv = tuple(argv)
        self.stderr = stderr


class ProgramTimedOut(TimedOut):
    """A program outlived its resource's timeout and was killed with its process group."""

    def __init__(self, argv: Sequence[str], limits: Limits) -> None:
        super().__init__(
            f"{argv[0]} did not finish within {limits.timeout:g} s ({limits.setting}) and was "
            "stopped; try again, or ask the administrator to check the server"
        )
        self.argv = tuple(argv)


async def run(
    argv: Sequence[str],
    *,
    limits: Limits,
    stdin: bytes | None = None,
    ok_codes: Collection[int] = (0,),
    env: Mapping[str, str] | None = None,
) -> Completed:
    """Runs argv within `limits`; raises CommandFailed unless it exits with an ok code, and
    ProgramTimedOut when it outlives the timeout. `env` adds to the clean environment (a
    secret a program takes only from there: it is in no argv, and /proc/<pid>/environ is
    root's)."""
    logger.debug("running %s", list(argv))
    loop = asyncio.get_running_loop()
    transport, collector = await loop.subprocess_exec(
        lambda: _Collector(loop, limits.output_bytes),
        *argv,
        # Without input the program reads /dev/null, never the agent's own stdin.
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**CLEAN_ENV, **(env or {})},
        # Its own process group (set by the C fork code, no Python runs in the child), so a
        # timeout kills what it started too and no orphan keeps a pipe or a lock.
        process_group=0,
    )
    try:
        _feed(transport, stdin)
        async with asyncio.timeout(limits.timeout):
            await asyncio.shield(collector.finished)
    except TimeoutError:
        await _kill_group(transport, collector)
        logger.warning("%s: killed after %g s (%s)", list(argv), limits.timeout, limits.setting)
        raise ProgramTimedOut(argv, limits) from None
    except BaseException:  # cancelled, or the agent itself failed: leave no orphan either
        await _kill_group(transport, collector)
        raise
    finally:
        transport.close()
    completed = collector.completed(argv, transport.get_returncode())
    if completed.returncode not in ok_codes:
        reason = f"exited with status {completed.returncode}"
        raise CommandFailed(argv, reason, completed.stderr, completed.stderr_cut)
    return completed


class _Tail:
    """The last `limit` bytes of a stream, and how many bytes came before them."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._chunks: deque[bytes] = deque()
        self._kept = 0
        self.cut = 0

    def add(self, chunk: bytes) -> None:
        self._chunks.append(chunk)
        self._kept += len(chunk)
        while self._kept - len(self._chunks[0]) >= self._limit:  # wholly beyond the limit
            self.cut += len(self._chunks[0])
            self._kept -= len(self._chunks.popleft())

    def value(self) -> tuple[bytes, int]:
        excess = max(0, self._kept - self._limit)
        if excess:  # only the oldest chunk reaches past the limit
            self._chunks[0] = self._chunks[0][excess:]
        return b"".join(self._chunks), self.cut + excess


class _Collector(asyncio.SubprocessProtocol):
    """Keeps the tail of each output stream as it arrives, without flow control: the program
    never waits for the agent, and nothing piles up in a stream buffer."""

    def __init__(self, loop: asyncio.AbstractEventLoop, limit: int) -> None:
        self._outputs = {1: _Tail(limit), 2: _Tail(limit)}
        # Done when the program has exited and every pipe is closed (asyncio's connection_lost).
        self.finished: asyncio.Future[None] = loop.create_future()

    def pipe_data_received(self, fd: int, data: bytes | str) -> None:
        assert isinstance(data, bytes)  # pipes are binary
        self._outputs[fd].add(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.finished.done():
            self.finished.set_result(None)

    def completed(self, argv: Sequence[str], returncode: int | None) -> Completed:
        assert returncode is not None  # connection_lost comes after the exit
        stdout, stdout_cut = self._outputs[1].value()
        stderr, stderr_cut = self._outputs[2].value()
        return Completed(tuple(argv), returncode, stdout, stderr, stdout_cut, stderr_cut)


def _feed(transport: asyncio.SubprocessTransport, data: bytes | None) -> None:
    """Hands the input to the pipe and closes it once written; a program that exits without
    reading it only closes the pipe early (that is its exit status's business)."""
    pipe = transport.get_pipe_transport(0)
    if data is None or pipe is None:
        return
    assert isinstance(pipe, asyncio.WriteTransport)
    pipe.write(data)
    pipe.close()


async def _kill_group(transport: asyncio.SubprocessTransport, collector: _Collector) -> None:
    """Kills the program's whole process group, closes its pipes and waits for its exit, for
    KILL_GRACE at most: a program asleep in the kernel (on a dead file system) dies only when
    the kernel lets it, and the RPC must not wait for that. It is reaped whenever it goes.

    The group's id still names the program's group here: either the program has not exited,
    or a member of its group holds one of its pipes open (which is what was being waited for),
    and Linux gives no new process the id of a living process or group.
    """
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(transport.get_pid(), signal.SIGKILL)
    # Closed pipes end the wait even if something outside the group still holds them.
    transport.close()
    try:
        async with asyncio.timeout(KILL_GRACE):
            await asyncio.shield(collector.finished)
    except TimeoutError:
        logger.error("pid %d does not die after SIGKILL; going on without it", transport.get_pid())


def running(pid: int) -> bool:
    """Whether the process runs. A zombie has ended: a daemon's master that went to the
    background belongs to whichever process reaps orphans (a subreaper, in the sandbox the
    agent itself), which may not reap it at once, and /proc keeps its entry until then."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # pid (comm) state ...: comm may hold spaces and parentheses, the state follows the last ')'.
    fields = stat_line.rpartition(")")[2].split()
    return bool(fields) and fields[0] not in ("Z", "X")


def tail(data: bytes, cut: int = 0, limit: int = _DETAIL_CHARS) -> str:
    """The end of a program's output as text, marked where anything before it was left out."""
    text = data.decode("utf-8", errors="replace").strip()
    if len(text) > limit:
        cut += len(text[:-limit].encode())
        text = text[-limit:]
    return f"[... {cut} bytes cut ...] {text}" if cut else text


def excerpt(text: str, limit: int) -> str:
    """At most `limit` characters of a message, the start kept, marked where it was cut."""
    if len(text) <= limit:
        return text
    marker = " [... {} more characters cut]"
    kept = limit - len(marker.format(len(text)))
    return text[:kept] + marker.format(len(text) - kept)


async def run_lines(
    argv: Sequence[str],
    *,
    limits: Limits,
    on_line: Callable[[bytes], None],
    stdin: bytes | None = None,
    producer: Sequence[str] | None = None,
    interrupt_first: bool = False,
    env: Mapping[str, str] | None = None,
    producer_env: Mapping[str, str] | None = None,
) -> Completed:
    """Runs argv within `limits`, handing each line of its standard output to `on_line` as it
    arrives (restic's --json progress); standard error keeps its tail as in run().

    With `producer`, argv reads the producer's standard output through a pipe that the agent
    never reads (`mariadb-dump | restic backup --stdin`: the dump goes from one program to the
    other and never to a file). Each program leads a process group of its own; a timeout or a
    cancelled caller kills both groups. A producer that fails fails the call, as a failure of
    argv does. With `interrupt_first`, the groups get SIGINT and KILL_GRACE to end before the
    SIGKILL: restic then removes its lock from the repository, as it does on Ctrl-C. `env` adds
    to argv's clean environment, `producer_env` to the producer's, each to that program alone
    (restic's S3 keys must not reach a writer that runs as an account)."""
    logger.debug("running %s%s", f"{list(producer)} | " if producer else "", list(argv))
    started: list[asyncio.subprocess.Process] = []
    try:
        async with asyncio.timeout(limits.timeout):
            envs = (env or {}, producer_env or {})
            return await _run_lines(argv, limits, on_line, stdin, producer, started, envs)
    except TimeoutError:
        logger.warning("%s: killed after %g s (%s)", list(argv), limits.timeout, limits.setting)
        raise ProgramTimedOut(unwrapped(argv), limits) from None
    finally:
        if interrupt_first:
            await _interrupt(started)
        for process in started:
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(KILL_GRACE):
                        await process.wait()


async def _interrupt(started: list[asyncio.subprocess.Process]) -> None:
    running = [process for process in started if process.returncode is None]
    for process in running:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGINT)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(KILL_GRACE):
            for process in running:
                await process.wait()


async def _run_lines(
    argv: Sequence[str],
    limits: Limits,
    on_line: Callable[[bytes], None],
    stdin: bytes | None,
    producer: Sequence[str] | None,
    started: list[asyncio.subprocess.Process],
    envs: tuple[Mapping[str, str], Mapping[str, str]],
) -> Completed:
    first: asyncio.subprocess.Process | None = None
    source: int = subprocess.PIPE if stdin is not None else subprocess.DEVNULL
    pipe_ends: tuple[int, int] | None = None
    if producer is not None:
        pipe_ends = os.pipe()
        source = pipe_ends[0]
    try:
        if producer is not None and pipe_ends is not None:
            first = await _start(producer, subprocess.DEVNULL, pipe_ends[1], envs[1])
            started.append(first)
        second = await _start(argv, source, subprocess.PIPE, envs[0])
        started.append(second)
    finally:
        if pipe_ends is not None:  # the children hold their own copies
            os.close(pipe_ends[0])
            os.close(pipe_ends[1])
    feeding = asyncio.create_task(_write_stdin(second, stdin))
    errors = _Tail(limits.output_bytes)
    first_errors = _Tail(limits.output_bytes)
    assert second.stdout is not None
    assert second.stderr is not None
    await asyncio.gather(
        _each_line(second.stdout, on_line),
        _drain(second.stderr, errors),
        _drain(first.stderr, first_errors) if first and first.stderr else _nothing(),
        feeding,
    )
    await second.wait()
    if first is not None and producer is not None:
        await first.wait()
        # When both fail, argv's failure is the cause: the producer then only lost its pipe.
        if first.returncode != 0 and second.returncode == 0:
            stderr, cut = first_errors.value()
            reason = f"exited with status {first.returncode}"
            raise CommandFailed(unwrapped(producer), reason, stderr, cut)
    stderr, cut = errors.value()
    assert second.returncode is not None
    if second.returncode != 0:
        reason = f"exited with status {second.returncode}"
        raise CommandFailed(unwrapped(argv), reason, stderr, cut)
    return Completed(tuple(argv), second.returncode, b"", stderr, 0, cut)


# Programs that only set how the next one runs (priority, user): errors name the program after
# them, which is the one that failed.
_WRAPPERS: Final = frozenset({"nice", "ionice", "setpriv"})


def unwrapped(argv: Sequence[str]) -> list[str]:
    """argv without its leading wrappers and their options (`nice -n 19 restic ...` is
    `restic ...`)."""
    rest = list(argv)
    while len(rest) > 1 and rest[0] in _WRAPPERS:
        rest = rest[1:]
        while len(rest) > 1 and (rest[0].startswith("-") or rest[0].isdigit()):
            rest = rest[1:]
    return rest or list(argv)


async def _start(
    argv: Sequence[str], stdin: int, stdout: int, env: Mapping[str, str]
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *argv,
        stdin=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        env={**CLEAN_ENV, **env},
        process_group=0,
        limit=_LINE_LIMIT,
    )


# The longest line read from a program's output; restic's JSON lines are far shorter.
_LINE_LIMIT: Final = 1024 * 1024


async def _write_stdin(process: asyncio.subprocess.Process, data: bytes | None) -> None:
    if data is None or process.stdin is None:
        return
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        process.stdin.write(data)
        await process.stdin.drain()
    process.stdin.close()


async def _each_line(stream: asyncio.StreamReader, on_line: Callable[[bytes], None]) -> None:
    while line := await stream.readline():
        on_line(line)


async def _drain(stream: asyncio.StreamReader, keep: _Tail) -> None:
    while chunk := await stream.read(65536):
        keep.add(chunk)


async def _nothing() -> None:
    return None


@dataclass
class Streaming:
    """A program whose standard input and output the caller streams through itself."""

    argv: tuple[str, ...]
    process: asyncio.subprocess.Process
    errors: _Tail

    @property
    def stdin(self) -> asyncio.StreamWriter:
        assert self.process.stdin is not None
        return self.process.stdin

    @property
    def stdout(self) -> asyncio.StreamReader:
        assert self.process.stdout is not None
        return self.process.stdout

    async def wait(self) -> int:
        """Its exit status, once it has exited (after the caller read its output)."""
        return await self.process.wait()

    def stderr_tail(self) -> str:
        stderr, cut = self.errors.value()
        return tail(stderr, cut)


@asynccontextmanager
async def streaming(argv: Sequence[str], *, limits: Limits) -> AsyncIterator[Streaming]:
    """Starts argv with pipes for its standard input and output that the caller reads and
    writes as it goes (the file manager's uploads and downloads: the bytes pass through, never
    all of them in memory), its standard error kept as run() keeps it.

    The block is bounded by `limits.timeout` (ProgramTimedOut); whatever ends it (the end of
    the work, an error, a client that hung up) kills the program's process group if it still
    runs, so no helper outlives its request."""
    logger.debug("streaming %s", list(argv))
    process = await asyncio.create_subprocess_exec(
        *argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(CLEAN_ENV),
        process_group=0,
        limit=_STREAMING_LINE_LIMIT,
    )
    errors = _Tail(limits.output_bytes)
    assert process.stderr is not None
    draining = asyncio.create_task(_drain(process.stderr, errors))
    try:
        async with asyncio.timeout(limits.timeout):
            yield Streaming(tuple(argv), process, errors)
    except TimeoutError:
        logger.warning("%s: killed after %g s (%s)", list(argv), limits.timeout, limits.setting)
        raise ProgramTimedOut(unwrapped(argv), limits) from None
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(KILL_GRACE):
                    await process.wait()
        draining.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await draining


# The longest line a streamed program may write (a page of the file manager's listing).
_STREAMING_LINE_LIMIT: Final = 8 * 1024 * 1024
