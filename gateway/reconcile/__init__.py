"""Reconcile: the panel's records (MariaDB) against what the agent reports exists on the system.

MariaDB holds what should exist; the system holds what does. A crash between the steps of the
consistency rule (gateway/consistency.py) leaves a `pending` or `deleting` record, and hands on
the server (a Linux user removed, a site file deleted, a crontab edited) leave records that the
system no longer matches. A reconcile reads the system through the agent's List RPCs, then the
records, and for each resource:

- `pending`, and the system has it: the creation got through; the record becomes active.
- `pending`, and the system lacks it: the creation is applied again from the record, then the
  record becomes active; when the agent refuses it (the reason the request failed), it is
  rolled back (the record goes), as the request would have done. Applying again rather than
  rolling back at once matters after a gateway crash: the agent finishes a call whose client
  hung up, so a creation may still land after the reconcile looked, and a rolled-back record
  would leave it on the system with no record. An account comes back with its system password
  locked (the panel keeps only the hash of its panel password, which still signs in). A
  database user is the exception: its password is not kept, so it is rolled back, with a
  delete on the system in case its creation landed.
- `deleting`: the deletion was asked for; it is finished (agent delete, then the record).
  A domain's files are kept (the request may have said keep_files; files are never removed on
  a guess); an account's home goes with the account, as the request said.
- active, and the system lacks it: applied again from the record (CreateAccount with a locked
  system password, CreateWebDomain with the recorded spec, an empty database, the zone with
  its recorded records, the account's crontab).
- active, and a field differs (suspension, shell, disk quota, aliases, backend, a cron job, a
  DNS record, a grant): the recorded value is applied again.
- on the system with no record (an account, site, database, user, cron job or zone made
  outside the panel), a site of another account, a database user whose password is unknown:
  reported as drift and left alone. A reconcile never deletes a tenant's files or data.

A reconcile runs while no write request is under way in this gateway (WriteBarrier: writes
that arrive meanwhile wait for it), so a pending or deleting record it sees was left by a
crash, never by a request still at work; it cannot undo a creation under way. Each repair
re-reads its record's status first, and is written to the audit log with its outcome.
"""

from __future__ import annotations

from gateway.reconcile.barrier import RECONCILE_PATH, WriteBarrier
from gateway.reconcile.report import Finding, ReconcileReport, Trigger
from gateway.reconcile.service import Reconciler

__all__ = ["RECONCILE_PATH", "Finding", "ReconcileReport", "Reconciler", "Trigger", "WriteBarrier"]
