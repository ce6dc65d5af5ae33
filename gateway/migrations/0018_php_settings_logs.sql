-- PHP settings per site and the account's PHP-FPM pool limits, within bounds its plan sets
-- (docs/web.md, PHP settings per site); how long a plan keeps the sites' logs.
-- A site's settings as JSON text written by the gateway only (whole numbers, a boolean);
-- NULL: every default.
ALTER TABLE domains ADD COLUMN php_settings VARCHAR(512) NULL AFTER php_version;

-- NULL: the absolute bound (jopanel_rules.web.PHP_SETTING_RANGES, PHP_MAX_CHILDREN_MAX).
ALTER TABLE plans
    ADD COLUMN max_php_memory_mb INT UNSIGNED NULL,
    ADD COLUMN max_php_upload_mb INT UNSIGNED NULL,
    ADD COLUMN max_php_execution_seconds INT UNSIGNED NULL,
    ADD COLUMN max_php_input_vars INT UNSIGNED NULL,
    ADD COLUMN max_php_children INT UNSIGNED NULL,
    ADD COLUMN log_retention_days INT UNSIGNED NOT NULL DEFAULT 14;

-- An account's pool limits; no row: the defaults (ondemand, 8 workers).
CREATE TABLE php_pools (
    account_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    pm ENUM('ondemand', 'dynamic') NOT NULL,
    max_children INT UNSIGNED NOT NULL,
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    CONSTRAINT php_pools_account FOREIGN KEY (account_id) REFERENCES accounts (user_id)
        ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
