-- Invoices (issue 17, section 2; docs/invoices.md). A plan's price is per billing period;
-- NULL: the plan is not billed.
ALTER TABLE plans
    ADD COLUMN price DECIMAL(12, 2) NULL DEFAULT NULL,
    ADD COLUMN billing_period ENUM('month', 'year') NOT NULL DEFAULT 'month';

-- The panel's one set of billing settings: the currency of every invoice, the tax rate (in
-- percent) put on new invoices, and the seller's name and address printed on them.
CREATE TABLE billing_settings (
    id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
    currency CHAR(3) NOT NULL,
    tax_rate DECIMAL(5, 2) NOT NULL,
    seller VARCHAR(1000) NOT NULL,
    CONSTRAINT billing_settings_one CHECK (id = 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO billing_settings (id, currency, tax_rate, seller) VALUES (1, 'EUR', 0.00, '');

-- Which plan each account was on, from when: what pro-rating reads. Written by the triggers
-- below whatever code creates an account or changes its plan, so no flow can forget it.
CREATE TABLE account_plan_history (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id BIGINT UNSIGNED NOT NULL,
    plan_id BIGINT UNSIGNED NOT NULL,
    since DATETIME(6) NOT NULL,
    KEY account_plan_history_account (account_id, since),
    CONSTRAINT account_plan_history_account FOREIGN KEY (account_id)
        REFERENCES accounts (user_id) ON DELETE CASCADE,
    CONSTRAINT account_plan_history_plan FOREIGN KEY (plan_id)
        REFERENCES plans (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO account_plan_history (account_id, plan_id, since)
    SELECT user_id, plan_id, created_at FROM accounts;
CREATE TRIGGER accounts_plan_created AFTER INSERT ON accounts FOR EACH ROW
    INSERT INTO account_plan_history (account_id, plan_id, since)
    VALUES (NEW.user_id, NEW.plan_id, NOW(6));
CREATE TRIGGER accounts_plan_changed AFTER UPDATE ON accounts FOR EACH ROW
    INSERT INTO account_plan_history (account_id, plan_id, since)
    SELECT NEW.user_id, NEW.plan_id, NOW(6) FROM DUAL WHERE NOT (NEW.plan_id <=> OLD.plan_id);

-- The last number given in each year: numbers are given when an invoice is issued, in the
-- issuing transaction, so a number is never skipped nor given twice.
CREATE TABLE invoice_numbers (
    year SMALLINT UNSIGNED NOT NULL PRIMARY KEY,
    last INT UNSIGNED NOT NULL
) ENGINE=InnoDB;

-- Invoices outlive their account (accounting keeps them): account_id becomes NULL and the
-- name stays. One invoice per account and run (`billed_at`, a period boundary).
CREATE TABLE invoices (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    public_id CHAR(16) NOT NULL,
    number VARCHAR(16) NULL,
    account_id BIGINT UNSIGNED NULL,
    account_name VARCHAR(32) NOT NULL,
    billed_at DATETIME(6) NOT NULL,
    period_start DATETIME(6) NOT NULL,
    currency CHAR(3) NOT NULL,
    tax_rate DECIMAL(5, 2) NOT NULL,
    net DECIMAL(12, 2) NOT NULL,
    tax DECIMAL(12, 2) NOT NULL,
    gross DECIMAL(12, 2) NOT NULL,
    status ENUM('draft', 'issued', 'paid', 'void') NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    issued_at DATETIME(6) NULL,
    settled_at DATETIME(6) NULL,
    UNIQUE KEY invoices_public_id (public_id),
    UNIQUE KEY invoices_number (number),
    UNIQUE KEY invoices_run (account_id, billed_at),
    KEY invoices_status (status, public_id),
    CONSTRAINT invoices_account FOREIGN KEY (account_id) REFERENCES accounts (user_id)
        ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE invoice_lines (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    invoice_id BIGINT UNSIGNED NOT NULL,
    position SMALLINT UNSIGNED NOT NULL,
    plan VARCHAR(64) NOT NULL,
    starts_at DATETIME(6) NOT NULL,
    ends_at DATETIME(6) NOT NULL,
    price DECIMAL(12, 2) NOT NULL,
    amount DECIMAL(12, 2) NOT NULL,
    UNIQUE KEY invoice_lines_position (invoice_id, position),
    CONSTRAINT invoice_lines_invoice FOREIGN KEY (invoice_id) REFERENCES invoices (id)
        ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
