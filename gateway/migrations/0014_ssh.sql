-- SFTP/SSH sign-in (issue 16): each account's public keys, and whether its owner may sign in
-- at all. public_id is the id the API knows (random: ids reveal nothing about other accounts'
-- keys); the agent knows a key by its fingerprint. A key may be on two accounts (whoever holds
-- it may then sign in to both, which is the accounts' own choice), not twice on one.
CREATE TABLE ssh_keys (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    public_id CHAR(16) CHARACTER SET ascii NOT NULL,
    account_id BIGINT UNSIGNED NOT NULL,
    fingerprint VARCHAR(60) CHARACTER SET ascii NOT NULL,
    key_type VARCHAR(40) CHARACTER SET ascii NOT NULL,
    bits INT UNSIGNED NOT NULL,
    comment VARCHAR(100) NOT NULL,
    public_key TEXT CHARACTER SET ascii NOT NULL,
    status ENUM('pending', 'active', 'deleting') NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY ssh_keys_public_id (public_id),
    UNIQUE KEY ssh_keys_account_fingerprint (account_id, fingerprint),
    KEY ssh_keys_account (account_id, public_id),
    CONSTRAINT ssh_keys_account FOREIGN KEY (account_id) REFERENCES accounts (user_id)
        ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- An account without a row may sign in (the default); administrators switch it off.
CREATE TABLE ssh_access (
    account_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    enabled BOOLEAN NOT NULL,
    CONSTRAINT ssh_access_account FOREIGN KEY (account_id) REFERENCES accounts (user_id)
        ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
