-- Deleting an account is one DeleteAccount call to the agent (which removes the account's whole
-- system side) and one DELETE of its user row: the foreign keys remove every row of the account
-- (docs/architecture.md, Cascades). Every table that refers to an account already cascades
-- (accounts, refresh_tokens, hosted_databases, database_users, cron_jobs, dns_zones, and below
-- them host_names, database_grants, dns_records); domains was the one that did not.
ALTER TABLE domains DROP FOREIGN KEY domains_account;

ALTER TABLE domains ADD CONSTRAINT domains_account FOREIGN KEY (account_id)
    REFERENCES accounts (user_id) ON DELETE CASCADE;
