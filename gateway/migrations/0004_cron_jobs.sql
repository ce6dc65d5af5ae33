-- Scheduled commands, run by cron as their account. public_id is the id the API and the
-- agent know (random, so ids reveal nothing about other accounts' jobs).
CREATE TABLE cron_jobs (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    public_id CHAR(16) NOT NULL,
    account_id BIGINT UNSIGNED NOT NULL,
    schedule VARCHAR(100) NOT NULL,
    command VARCHAR(1000) NOT NULL,
    enabled BOOLEAN NOT NULL,
    status ENUM('pending', 'active', 'deleting') NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    UNIQUE KEY cron_jobs_public_id (public_id),
    KEY cron_jobs_account (account_id, public_id),
    CONSTRAINT cron_jobs_account FOREIGN KEY (account_id) REFERENCES accounts (user_id)
        ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
