-- A proxy backend may be a Unix socket in the account's socket folder instead of a TCP port
-- (docs/web.md); a plan limits the files an account may own beside the space they take.
ALTER TABLE domains ADD COLUMN proxy_socket VARCHAR(255) NULL AFTER proxy_port;
ALTER TABLE plans ADD COLUMN inode_quota INT UNSIGNED NULL AFTER disk_quota_mb;
