-- pm static: every worker of an account's pools always runs (docs/web.md, Static pools). It
-- costs memory while idle, so a plan grants it (off by default: idle accounts cost no worker).
ALTER TABLE php_pools MODIFY pm ENUM('ondemand', 'dynamic', 'static') NOT NULL;
ALTER TABLE plans ADD COLUMN php_static_pools BOOLEAN NOT NULL DEFAULT FALSE;
