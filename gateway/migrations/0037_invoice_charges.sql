-- One-off charges (docs/invoices.md, One-off charges): an administrator adds a line to an
-- account's next invoice (a set-up fee, an hour of work, a service the plans do not price).
-- Pending until a run puts it on the account's draft (invoice_id, in the draft's transaction);
-- then it no longer changes nor goes. The invoice keeps its own copy of the line.
CREATE TABLE invoice_charges (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    public_id CHAR(16) NOT NULL,
    account_id BIGINT UNSIGNED NOT NULL,
    description VARCHAR(200) NOT NULL,
    amount DECIMAL(12, 2) NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    invoice_id BIGINT UNSIGNED NULL,
    UNIQUE KEY invoice_charges_public_id (public_id),
    KEY invoice_charges_pending (account_id, invoice_id, created_at),
    CONSTRAINT invoice_charges_amount CHECK (amount > 0),
    CONSTRAINT invoice_charges_account FOREIGN KEY (account_id) REFERENCES accounts (user_id)
        ON DELETE CASCADE,
    CONSTRAINT invoice_charges_invoice FOREIGN KEY (invoice_id) REFERENCES invoices (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A line is a stretch of a plan (plan, starts_at, ends_at; price: the plan's for a period) or
-- a charge (description; price: its amount).
ALTER TABLE invoice_lines
    MODIFY plan VARCHAR(64) NULL,
    MODIFY starts_at DATETIME(6) NULL,
    MODIFY ends_at DATETIME(6) NULL,
    ADD COLUMN description VARCHAR(200) NULL,
    ADD CONSTRAINT invoice_lines_kind CHECK (
        (description IS NULL AND plan IS NOT NULL AND starts_at IS NOT NULL
            AND ends_at IS NOT NULL)
        OR (description IS NOT NULL AND plan IS NULL AND starts_at IS NULL AND ends_at IS NULL)
    );
