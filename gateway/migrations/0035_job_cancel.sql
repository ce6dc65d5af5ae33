-- A running job's owner (or an administrator) asked it to stop (docs/certificates.md,
-- "Cancelling an order"): the ACME worker, another process, reads it at each stage of a
-- certificate order and stops before the next one. Jobs the agent runs are stopped by the
-- agent itself (CancelBackupJob) and never read it.
ALTER TABLE jobs ADD COLUMN cancel_asked BOOLEAN NOT NULL DEFAULT FALSE;
