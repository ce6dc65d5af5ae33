-- Hosting plans: limits an account's resources. NULL means unlimited; 0 means none allowed.
CREATE TABLE plans (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(64) NOT NULL,
    max_domains INT UNSIGNED NULL,
    max_aliases INT UNSIGNED NULL,
    max_databases INT UNSIGNED NULL,
    max_cron_jobs INT UNSIGNED NULL,
    disk_quota_mb INT UNSIGNED NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    UNIQUE KEY plans_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every account has a plan; the first one, "default", is unlimited.
INSERT INTO plans (name) VALUES ('default');

ALTER TABLE accounts ADD COLUMN plan_id BIGINT UNSIGNED NULL AFTER shell;

UPDATE accounts SET plan_id = (SELECT id FROM plans WHERE name = 'default');

ALTER TABLE accounts MODIFY plan_id BIGINT UNSIGNED NOT NULL,
    ADD CONSTRAINT accounts_plan FOREIGN KEY (plan_id) REFERENCES plans (id);

-- Websites. The backend columns that do not belong to the backend are NULL.
CREATE TABLE domains (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(253) NOT NULL,
    account_id BIGINT UNSIGNED NOT NULL,
    backend ENUM('static', 'php', 'proxy', 'redirect') NOT NULL,
    php_version VARCHAR(8) NULL,
    proxy_port SMALLINT UNSIGNED NULL,
    redirect_url VARCHAR(2048) NULL,
    redirect_code SMALLINT UNSIGNED NULL,
    redirect_preserve_path BOOLEAN NULL,
    status ENUM('pending', 'active', 'suspended', 'deleting') NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    UNIQUE KEY domains_name (name),
    KEY domains_account (account_id, name),
    CONSTRAINT domains_account FOREIGN KEY (account_id) REFERENCES accounts (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

-- Every host name the server answers for, domain names and aliases alike: unique server-wide.
CREATE TABLE host_names (
    name VARCHAR(253) NOT NULL PRIMARY KEY,
    domain_id BIGINT UNSIGNED NOT NULL,
    is_alias BOOLEAN NOT NULL,
    KEY host_names_domain (domain_id),
    CONSTRAINT host_names_domain FOREIGN KEY (domain_id) REFERENCES domains (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
