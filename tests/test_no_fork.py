"""No code of ours forks a Python process or switches users inside one (no sandbox needed).

The agent, the test runner and the scripts all hold gRPC channels or servers, and gRPC's
threads do not survive a plain fork(): the child runs gRPC's fork handlers and Python code
before its exec, and crashes at random ("Other threads are currently calling into gRPC,
skipping fork() handlers", then SIGSEGV). subprocess takes the safe vfork/exec path only when
it has no Python code or credential change to run in the child, so a program that must run as
another user is started as `setpriv --reuid=... --regid=... --clear-groups -- argv`
(tests/agent/support.py: as_account; agent/system/web/webroots.py), never with user=, group=,
extra_groups= or preexec_fn=, and nothing calls os.fork or changes its own uid.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parents[1]
FOLDERS = ("agent", "gateway", "scripts", "tests")
# Functions that start programs, by the name they are called under.
PROGRAM_STARTERS = frozenset(
    {"Popen", "run", "call", "check_call", "check_output", "create_subprocess_exec"}
)
# Keywords that make subprocess run code in a forked child before exec.
CHILD_CODE = frozenset({"user", "group", "extra_groups", "preexec_fn"})
# Calls that fork the Python process itself or change its credentials.
FORKS = frozenset(
    {"fork", "forkpty", "setuid", "setgid", "seteuid", "setegid", "setresuid", "setresgid"}
    | {"setreuid", "setregid", "setgroups", "initgroups"}
)


def called_name(node: ast.Call) -> str:
    function = node.func
    if isinstance(function, ast.Attribute):
        return function.attr
    return function.id if isinstance(function, ast.Name) else ""


def fork_uses(source: str) -> list[str]:
    """Each place in `source` that forks with code in the child or switches users, as
    "line: what"."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = called_name(node)
            if name in FORKS:
                found.append(f"{node.lineno}: {name}()")
            if name in PROGRAM_STARTERS:
                found += [
                    f"{node.lineno}: {name}({kw.arg}=...)"
                    for kw in node.keywords
                    if kw.arg in CHILD_CODE
                ]
        elif isinstance(node, ast.ImportFrom) and node.module in {"os", "pty"}:
            found += [f"{node.lineno}: import {a.name}" for a in node.names if a.name in FORKS]
    return found


# The forms the check must find, built from the names above so that this file holds none of
# them itself (the house-rule scan reads every file as text).
CHILD_CODE_CALLS = [
    f"{starter}(['id'], {keyword}=1000)"
    for starter in ("subprocess.run", "subprocess.Popen", "asyncio.create_subprocess_exec")
    for keyword in sorted(CHILD_CODE)
]
FORK_CALLS = [f"{module}.{name}()" for module in ("os", "pty") for name in sorted(FORKS)]


@pytest.mark.parametrize("source", [*CHILD_CODE_CALLS, *FORK_CALLS, "from os import fork"])
def test_the_check_finds_each_fork_and_user_switch(source: str) -> None:
    assert fork_uses(source)


def test_the_check_allows_setpriv_and_other_user_keywords() -> None:
    # The keyword built from its name, as the forms above are: no call of its own shows here.
    user = "user"
    source = (
        "subprocess.run(['setpriv', '--reuid=alice', '--', 'id'], check=True)\n"
        f"aiomysql.connect({user}='root', unix_socket=path)\n"
        f"Request({user}='alice', database='shop')\n"
    )
    assert fork_uses(source) == []


def test_no_module_forks_or_runs_a_program_as_another_user_in_process() -> None:
    modules = [path for folder in FOLDERS for path in (TOP / folder).rglob("*.py")]
    assert len(modules) > 50
    found = {
        str(path.relative_to(TOP)): uses
        for path in modules
        if path != Path(__file__).resolve() and (uses := fork_uses(path.read_text()))
    }
    assert found == {}
