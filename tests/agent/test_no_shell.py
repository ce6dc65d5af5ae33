"""No code under agent/ may start a shell (no sandbox needed).

The agent starts programs only through agent.system.process.run, with argv lists. These tests
read the source of every module under agent/ and fail on the ways Python has to reach a shell.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

AGENT = Path(__file__).resolve().parents[2] / "agent"
# Functions that hand a string to /bin/sh, by the name they are called or imported under.
SHELL_FUNCTIONS = frozenset(
    {"system", "popen", "create_subprocess_shell", "getoutput", "getstatusoutput"}
)
# Functions that start programs; with shell=<anything but False> they start a shell.
PROGRAM_STARTERS = frozenset(
    {"Popen", "run", "call", "check_call", "check_output", "create_subprocess_exec"}
)
# Lower-level ways to start a program, allowed in agent/system/base/process.py only.
LOW_LEVEL_STARTERS = frozenset(
    {"subprocess", "create_subprocess_exec", "posix_spawn", "posix_spawnp", "fork", "forkpty"}
    | {f"exec{suffix}" for suffix in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe")}
    | {f"spawn{suffix}" for suffix in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe")}
)


def called_name(node: ast.Call) -> str:
    function = node.func
    if isinstance(function, ast.Attribute):
        return function.attr
    return function.id if isinstance(function, ast.Name) else ""


def is_false(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def is_true(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and bool(node.value)


def names_used(tree: ast.AST) -> list[tuple[int, str]]:
    """Every name, attribute and imported name in the tree, with its line."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            found.append((node.lineno, node.attr))
        elif isinstance(node, ast.Name):
            found.append((node.lineno, node.id))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [(node.lineno, name) for name in modules + [a.name for a in node.names]]
    return found


def shell_uses(source: str) -> list[str]:
    """Each way `source` reaches a shell, as "line: what"."""
    tree = ast.parse(source)
    found = [f"{line}: {name}" for line, name in names_used(tree) if name in SHELL_FUNCTIONS]
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "shell" and is_true(node.value):
            found.append(f"{node.value.lineno}: shell={ast.unparse(node.value)}")
        if isinstance(node, ast.Call) and called_name(node) in PROGRAM_STARTERS:
            shell = [kw.value for kw in node.keywords if kw.arg == "shell"]
            if any(not is_false(value) for value in shell):
                found.append(f"{node.lineno}: {called_name(node)}(shell=...)")
    return found


def low_level_starts(source: str) -> list[str]:
    tree = ast.parse(source)
    return [f"{line}: {name}" for line, name in names_used(tree) if name in LOW_LEVEL_STARTERS]


@pytest.mark.parametrize(
    "source",
    [
        "import subprocess\nsubprocess.run('id', shell=True)",
        "import subprocess\nsubprocess.Popen(['id'], shell=1)",
        "import subprocess\nsubprocess.check_output(['id'], shell=options['shell'])",
        "start(['id'], shell=True)",
        "import os\nos.system('id')",
        "import os\nos.popen('id')",
        "import asyncio\nasyncio.create_subprocess_shell('id')",
        "from asyncio import create_subprocess_shell",
        "import subprocess\nsubprocess.getoutput('id')",
        "from subprocess import getstatusoutput as g",
        "run = os.system\nrun('id')",
    ],
)
def test_the_check_finds_each_way_to_a_shell(source: str) -> None:
    assert shell_uses(source)


def test_the_check_allows_argv_lists_and_shell_as_data() -> None:
    source = (
        "import asyncio\n"
        "asyncio.create_subprocess_exec('id', '-u')\n"
        "subprocess.run(['id'], shell=False)\n"
        "Account(name='a', shell=shell)\n"
    )
    assert shell_uses(source) == []


def agent_modules() -> dict[str, str]:
    modules = {str(path.relative_to(AGENT)): path.read_text() for path in AGENT.rglob("*.py")}
    assert len(modules) >= 10
    return modules


def test_no_agent_module_starts_a_shell() -> None:
    found = {name: uses for name, source in agent_modules().items() if (uses := shell_uses(source))}
    assert found == {}


def test_only_the_process_module_starts_programs() -> None:
    starting = {name for name, source in agent_modules().items() if low_level_starts(source)}
    # load.py is no part of the agent's process: the agent starts it through process.py as
    # an account (setpriv), and it starts the mariadb client as that account, argv only.
    assert starting == {"system/base/process.py", "system/backups/load.py"}
