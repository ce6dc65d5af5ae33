-- The panel's own host name gets its certificate from ACME (docs/certificates.md, "The
-- panel's own host name"): an administrator's order is a `panel_certificate` job the ACME
-- worker runs, and this one row is what GET /api/v1/server/certificate shows of the last
-- attempt and the renewals. The key and chain are the agent's (root's); the host name is the
-- agent's configuration, so it is not stored here.
-- The panel's job belongs to no account (NULL): administrators see it in GET /api/v1/jobs,
-- owners never do (their listing filters on their own account).
ALTER TABLE jobs
    MODIFY kind ENUM('backup', 'restore', 'certificate', 'archive', 'extract', 'panel_certificate') NOT NULL,
    MODIFY account_id BIGINT UNSIGNED NULL;

CREATE TABLE panel_certificate (
    id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
    status ENUM('issuing', 'valid', 'failed') NOT NULL,
    names TEXT NOT NULL DEFAULT '',
    issuer VARCHAR(1024) NOT NULL DEFAULT '',
    not_before DATETIME NULL,
    not_after DATETIME NULL,
    fingerprint CHAR(64) NULL,
    last_attempt_at DATETIME(6) NULL,
    last_error VARCHAR(2000) NOT NULL DEFAULT '',
    -- Renewal, as the sites' (gateway/renewal_policy.py): failed attempts in a row, and when
    -- to try next. NULL: not renewed on its own (a first issue that failed).
    failures INT UNSIGNED NOT NULL DEFAULT 0,
    next_attempt_at DATETIME(6) NULL,
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    CONSTRAINT panel_certificate_one_row CHECK (id = 1)
) ENGINE=InnoDB;
