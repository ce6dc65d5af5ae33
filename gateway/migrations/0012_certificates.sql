-- Certificates (issue 12): one per website, issued from the ACME directory in gateway.toml.
-- The key and chain are the agent's (root's); this row is what the owner sees: the state of
-- the last attempt, and what the installed certificate covers until when.
CREATE TABLE certificates (
    domain_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    status ENUM('issuing', 'valid', 'failed') NOT NULL,
    -- acme: issued here and renewed on its own; upload: bought elsewhere, never renewed here.
    source ENUM('acme', 'upload') NOT NULL DEFAULT 'acme',
    key_type ENUM('ecdsa-p256', 'rsa-2048', 'rsa-3072', 'rsa-4096') NOT NULL DEFAULT 'ecdsa-p256',
    redirect_http BOOLEAN NOT NULL DEFAULT FALSE,
    hsts BOOLEAN NOT NULL DEFAULT FALSE,
    -- The installed certificate (empty / NULL until the first one is installed).
    names TEXT NOT NULL DEFAULT '',
    issuer VARCHAR(1024) NOT NULL DEFAULT '',
    not_before DATETIME NULL,
    not_after DATETIME NULL,
    fingerprint CHAR(64) NULL,
    -- The last attempt, and why it failed, in the owner's words ('' when it did not).
    last_attempt_at DATETIME(6) NULL,
    last_error VARCHAR(2000) NOT NULL DEFAULT '',
    -- Renewal (gateway/renewals.py): failed attempts in a row, and when to try next (a third
    -- of the lifetime before expiry, later after failures). NULL: not renewed on its own.
    failures INT UNSIGNED NOT NULL DEFAULT 0,
    next_attempt_at DATETIME(6) NULL,
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    CONSTRAINT certificates_domain FOREIGN KEY (domain_id) REFERENCES domains (id)
        ON DELETE CASCADE,
    KEY certificates_next_attempt (next_attempt_at)
) ENGINE=InnoDB;

-- The panel's ACME account at one directory: its key (ECDSA P-256, PEM). Readable by the
-- gateway, which signs its requests; docs/certificates.md says why it is not the agent's yet.
CREATE TABLE acme_accounts (
    directory_url VARCHAR(512) NOT NULL PRIMARY KEY,
    key_pem TEXT NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB;
