-- Login identities: administrators and account owners. An owner's user name is its account name.
CREATE TABLE users (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(32) NOT NULL,
    role ENUM('admin', 'owner') NOT NULL,
    password_hash VARBINARY(60) NOT NULL,
    -- Bumped whenever earlier tokens must stop working (password change).
    token_version INT UNSIGNED NOT NULL DEFAULT 1,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY users_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Hosting accounts: one per owner, one Linux user on the server.
CREATE TABLE accounts (
    user_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    email VARCHAR(254) NULL,
    shell ENUM('nologin', 'bash', 'sh') NOT NULL,
    -- pending: recorded, not yet applied; deleting: removal under way.
    status ENUM('pending', 'active', 'suspended', 'deleting') NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    CONSTRAINT accounts_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Refresh tokens, stored as SHA-256 hashes. Each login starts a family; every refresh uses one
-- token and issues the next of the same family. A used token presented again is a replay: the
-- whole family is revoked.
CREATE TABLE refresh_tokens (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    token_hash BINARY(32) NOT NULL,
    family BINARY(16) NOT NULL,
    user_id BIGINT UNSIGNED NOT NULL,
    token_version INT UNSIGNED NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    used_at DATETIME(6) NULL,
    revoked_at DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY refresh_tokens_hash (token_hash),
    KEY refresh_tokens_family (family),
    CONSTRAINT refresh_tokens_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- Every privileged operation: who, what, on what, with which result, when.
CREATE TABLE audit_log (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    time DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    actor VARCHAR(32) NOT NULL,
    action VARCHAR(64) NOT NULL,
    target VARCHAR(255) NOT NULL,
    result ENUM('ok', 'error') NOT NULL,
    detail VARCHAR(1000) NOT NULL DEFAULT '',
    client VARCHAR(64) NOT NULL DEFAULT ''
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
