-- Suspending a reseller (docs/resellers.md, Suspending a reseller): the reseller's own state,
-- who suspended it and why; and, on each account, whether its suspension was made by its
-- reseller's suspension, so unsuspending the reseller lifts exactly those and no suspension an
-- administrator made of the account on its own.
ALTER TABLE resellers
    ADD COLUMN status ENUM('active', 'suspended') NOT NULL DEFAULT 'active',
    ADD COLUMN suspended_by_user VARCHAR(32) NULL,
    ADD COLUMN suspension_reason VARCHAR(500) NULL,
    ADD COLUMN suspended_at DATETIME(6) NULL;

ALTER TABLE accounts
    ADD COLUMN suspended_with_reseller BOOLEAN NOT NULL DEFAULT FALSE;
