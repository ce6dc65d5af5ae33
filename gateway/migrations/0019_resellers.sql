-- Resellers (docs/resellers.md): users who sell hosting on plans of their own, within totals
-- an administrator gives them. NULL means unlimited, 0 none allowed, as for plans.
ALTER TABLE users MODIFY role ENUM('admin', 'owner', 'reseller') NOT NULL;

CREATE TABLE resellers (
    user_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    email VARCHAR(254) NULL,
    -- Totals every account on the reseller's plans reserves its plan's limits from.
    max_accounts INT UNSIGNED NULL,
    disk_quota_mb INT UNSIGNED NULL,
    max_domains INT UNSIGNED NULL,
    max_databases INT UNSIGNED NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    CONSTRAINT resellers_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A plan belongs to administrators (NULL) or to one reseller; an account belongs to its plan's
-- reseller, so the plan is the one place that says whose an account is. Deleting a reseller
-- deletes its plans; the plan key of `accounts` (no cascade) refuses it while any account is
-- on one of them.
ALTER TABLE plans
    ADD COLUMN reseller_id BIGINT UNSIGNED NULL AFTER name,
    ADD KEY plans_reseller (reseller_id, name),
    ADD CONSTRAINT plans_reseller FOREIGN KEY (reseller_id) REFERENCES resellers (user_id)
        ON DELETE CASCADE;

-- A reseller's suspension of its account: the owner cannot lift it, an administrator can.
ALTER TABLE accounts MODIFY suspended_by ENUM('admin', 'owner', 'reseller') NULL;
ALTER TABLE domains MODIFY suspended_by ENUM('admin', 'owner', 'reseller') NULL;
