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
