"""An upload the quota or a full disk stops removes its partial file (whose name no request
may name), and any other failure leaves it to resume. The kernel's own refusal is in
tests/agent/files/test_files_hostile.py, on kernels with a quota format."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from agent.system.files import helper


def _fail_with(code: int) -> None:
    raise OSError(code, os.strerror(code))


@pytest.mark.parametrize(
    ("code", "kept"), [(errno.EDQUOT, False), (errno.ENOSPC, False), (errno.EIO, True)]
)
def test_a_full_quota_or_disk_discards_the_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, kept: bool
) -> None:
    partial = tmp_path / helper.partial_name("big.bin")
    partial.write_bytes(b"what arrived")
    monkeypatch.setattr(helper, "_copy_in", lambda fd, most: _fail_with(code))
    folder = os.open(tmp_path, os.O_DIRECTORY)
    fd = os.open(partial, os.O_WRONLY)
    try:
        with pytest.raises(OSError, match=os.strerror(code)) as failed:
            helper._copy_in_or_discard(fd, 100, folder, partial.name)
    finally:
        os.close(fd)
        os.close(folder)
    assert failed.value.errno == code
    assert partial.exists() is kept
