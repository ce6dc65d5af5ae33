-- Whether the PHP of the plan's accounts is kept to their homes (open_basedir, docs/web.md,
-- open_basedir per plan): on by default, as every account's pool had it before.
ALTER TABLE plans ADD COLUMN php_open_basedir BOOLEAN NOT NULL DEFAULT TRUE;
