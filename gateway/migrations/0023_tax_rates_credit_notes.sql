-- An account's own tax rate (issue 17, docs/invoices.md): tax depends on the customer (its
-- country, a reverse charge), not on what it buys, so it is per account, not per plan. No row:
-- the panel's rate (billing_settings). A new invoice copies the rate it used, so changing
-- it never changes an invoice already made. Goes with the account.
CREATE TABLE account_billing (
    account_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    tax_rate DECIMAL(5, 2) NOT NULL,
    CONSTRAINT account_billing_account FOREIGN KEY (account_id) REFERENCES accounts (user_id)
        ON DELETE CASCADE,
    CONSTRAINT account_billing_rate CHECK (tax_rate >= 0 AND tax_rate <= 100)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Credit notes (docs/invoices.md): voiding an issued invoice cancels it with a credit note of
-- the same amounts, negated, that has a number of its own: "CN-YYYY-NNNNNN", one sequence per
-- calendar year, without gaps (given in the voiding transaction, as an invoice's at issue).
-- Its amounts are the invoice's, which never change once issued, so they are not copied.
CREATE TABLE credit_note_numbers (
    year SMALLINT UNSIGNED NOT NULL PRIMARY KEY,
    last INT UNSIGNED NOT NULL
) ENGINE=InnoDB;

CREATE TABLE credit_notes (
    invoice_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    credit_number VARCHAR(16) NOT NULL,
    credited_at DATETIME(6) NOT NULL,
    UNIQUE KEY credit_notes_number (credit_number),
    KEY credit_notes_credited (credited_at),
    CONSTRAINT credit_notes_invoice FOREIGN KEY (invoice_id) REFERENCES invoices (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
