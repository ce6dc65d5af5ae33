-- A plan's disk quota is now enforced, and 0 MiB is no longer a choice (every account needs its
-- home). A plan that recorded 0 ("none allowed") gets the smallest quota there is instead.
UPDATE plans SET disk_quota_mb = 1 WHERE disk_quota_mb = 0;
