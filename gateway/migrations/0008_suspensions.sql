-- Who suspended an account or a domain, and why: an administrator's suspension can be lifted
-- only by an administrator; an owner's suspension of its own site by the owner too. The user is
-- kept by name (not a key): the record outlives a deleted administrator.
ALTER TABLE accounts
    ADD COLUMN suspended_by ENUM('admin', 'owner') NULL,
    ADD COLUMN suspended_by_user VARCHAR(32) NULL,
    ADD COLUMN suspension_reason VARCHAR(500) NULL,
    ADD COLUMN suspended_at DATETIME(6) NULL;

ALTER TABLE domains
    ADD COLUMN suspended_by ENUM('admin', 'owner') NULL,
    ADD COLUMN suspended_by_user VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    ADD COLUMN suspension_reason VARCHAR(500) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    ADD COLUMN suspended_at DATETIME(6) NULL;

-- Suspensions made before this was recorded were all made by an administrator, or by an owner
-- through the domain routes; not knowing which, the stricter rule holds.
UPDATE accounts SET suspended_by = 'admin' WHERE status = 'suspended';
UPDATE domains SET suspended_by = 'admin' WHERE status = 'suspended';
