-- Hosted MariaDB databases and their users, each owned by one account and named with the
-- account as prefix. Removing an account's record removes these records with it; the agent
-- drops the real databases and users when it deletes the account.
CREATE TABLE hosted_databases (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(64) NOT NULL,
    account_id BIGINT UNSIGNED NOT NULL,
    status ENUM('pending', 'active', 'deleting') NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY hosted_databases_name (name),
    KEY hosted_databases_account (account_id, name),
    CONSTRAINT hosted_databases_account FOREIGN KEY (account_id) REFERENCES accounts (user_id)
        ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

CREATE TABLE database_users (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(80) NOT NULL,
    account_id BIGINT UNSIGNED NOT NULL,
    status ENUM('pending', 'active', 'deleting') NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY database_users_name (name),
    KEY database_users_account (account_id, name),
    CONSTRAINT database_users_account FOREIGN KEY (account_id) REFERENCES accounts (user_id)
        ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

CREATE TABLE database_grants (
    user_id BIGINT UNSIGNED NOT NULL,
    database_id BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (user_id, database_id),
    KEY database_grants_database (database_id),
    CONSTRAINT database_grants_user FOREIGN KEY (user_id) REFERENCES database_users (id)
        ON DELETE CASCADE,
    CONSTRAINT database_grants_database FOREIGN KEY (database_id)
        REFERENCES hosted_databases (id) ON DELETE CASCADE
) ENGINE=InnoDB;
