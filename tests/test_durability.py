"""The panel's MariaDB keeps every acknowledged commit across a crash or a power cut (sandbox)."""

from __future__ import annotations

import stack


def test_mariadb_syncs_every_commit(mariadb: stack.MariaDB) -> None:
    settings = mariadb.sql(
        "SELECT @@innodb_flush_log_at_trx_commit, @@innodb_doublewrite, @@sync_binlog"
    )
    assert settings.split() == ["1", "1", "1"]
