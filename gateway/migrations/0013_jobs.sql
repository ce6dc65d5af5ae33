-- Long work the agent does for an account (backups and restores; later certificates, archives,
-- rebuilds): one row per job, its state and its last progress as the agent streamed it.
-- public_id is the id the API knows (random). `subject` is what the job acts on (for a restore,
-- the backup's id); `result` what it made (for a backup, the new backup's id).
CREATE TABLE jobs (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    public_id CHAR(32) NOT NULL,
    account_id BIGINT UNSIGNED NOT NULL,
    kind ENUM('backup', 'restore') NOT NULL,
    state ENUM('queued', 'running', 'succeeded', 'failed') NOT NULL,
    stage VARCHAR(16) NOT NULL DEFAULT '',
    percent TINYINT UNSIGNED NOT NULL DEFAULT 0,
    bytes_done BIGINT UNSIGNED NOT NULL DEFAULT 0,
    bytes_total BIGINT UNSIGNED NOT NULL DEFAULT 0,
    files_done BIGINT UNSIGNED NOT NULL DEFAULT 0,
    files_total BIGINT UNSIGNED NOT NULL DEFAULT 0,
    subject VARCHAR(255) NOT NULL DEFAULT '',
    result VARCHAR(255) NOT NULL DEFAULT '',
    error VARCHAR(500) NOT NULL DEFAULT '',
    created_by VARCHAR(64) NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    started_at DATETIME(6) NULL,
    finished_at DATETIME(6) NULL,
    UNIQUE KEY jobs_public_id (public_id),
    KEY jobs_account (account_id, public_id),
    CONSTRAINT jobs_account FOREIGN KEY (account_id) REFERENCES accounts (user_id)
        ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
