"""The docs name files that exist: a test, module or script named in docs/ or the README that
was moved or removed would send the reader (and the security table's "shown by") nowhere."""

from __future__ import annotations

import re
from pathlib import Path

TOP = Path(__file__).resolve().parents[1]
_PATH = re.compile(
    r"\b((?:tests|agent|gateway|scripts|deploy|jopanel_rules|webui/src)/[\w./-]*?"
    r"\.(?:py|sh|sql|tsx|ts|toml|service|conf\.in|conf))\b"
)
# Placeholders that name a kind of file, not one file.
_PATTERNS = ("NNNN",)


def _named(text: str) -> set[str]:
    return {m for m in _PATH.findall(text) if not any(p in m for p in _PATTERNS)}


def test_every_file_the_docs_name_exists() -> None:
    missing = {
        f"{doc.relative_to(TOP)}: {name}"
        for doc in [*sorted((TOP / "docs").glob("*.md")), TOP / "README.md"]
        for name in _named(doc.read_text())
        if not (TOP / name).exists()
    }
    assert not missing, sorted(missing)


def test_the_check_reads_paths_as_written() -> None:
    assert _named(
        "see tests/gateway/accounts/test_accounts.py::x and webui/src/app/router.tsx"
    ) == {
        "tests/gateway/accounts/test_accounts.py",
        "webui/src/app/router.tsx",
    }
