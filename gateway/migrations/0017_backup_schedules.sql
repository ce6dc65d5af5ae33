-- Backups per plan (docs/backups.md, "Schedules and retention"): when the scheduler backs an
-- account up (none, daily or weekly), how many backups it keeps (restic's --keep-daily,
-- --keep-weekly, --keep-monthly over whole backups), and how many backups an owner may start
-- per day (NULL: unlimited; administrators and the schedule are not counted), and the
-- repository scheduled backups go to ('': the server's local one; else a remote one's name).
ALTER TABLE plans
    ADD COLUMN backup_schedule ENUM('none', 'daily', 'weekly') NOT NULL DEFAULT 'daily',
    ADD COLUMN backup_keep_daily SMALLINT UNSIGNED NOT NULL DEFAULT 7,
    ADD COLUMN backup_keep_weekly SMALLINT UNSIGNED NOT NULL DEFAULT 4,
    ADD COLUMN backup_keep_monthly SMALLINT UNSIGNED NOT NULL DEFAULT 6,
    ADD COLUMN max_backups_per_day INT UNSIGNED NULL DEFAULT 3,
    ADD COLUMN backup_repository VARCHAR(32) NOT NULL DEFAULT '';

-- A job can be cancelled; who started it decides what it counts against.
ALTER TABLE jobs
    MODIFY COLUMN state ENUM('queued', 'running', 'succeeded', 'failed', 'cancelled') NOT NULL,
    ADD COLUMN origin ENUM('owner', 'admin', 'schedule') NOT NULL DEFAULT 'admin',
    ADD KEY jobs_account_kind_created (account_id, kind, created_at);
