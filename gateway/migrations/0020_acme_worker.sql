-- The ACME worker (docs/certificates.md, "The ACME worker"): certificate orders are jobs the
-- gateway queues and the worker (user jopanel-acme, with network) runs; the CA and the
-- account's contact are an administrator's setting; the ACME account key is root's file
-- /etc/jopanel/acme/account.key, handed to the worker by systemd (LoadCredential), so its copy
-- in MariaDB goes. scripts/install.sh writes an existing key to that file before this
-- migration runs, so an upgraded panel keeps its ACME account.
ALTER TABLE jobs
    MODIFY kind ENUM('backup', 'restore', 'certificate') NOT NULL,
    ADD KEY jobs_queue (kind, state, id);

-- One row (id 1) once an administrator has set them; until then the worker's gateway.toml
-- [acme] values (Let's Encrypt's production directory by default).
CREATE TABLE certificate_settings (
    id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
    directory_url VARCHAR(512) NOT NULL,
    email VARCHAR(254) NOT NULL DEFAULT '',
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    CONSTRAINT certificate_settings_one_row CHECK (id = 1)
) ENGINE=InnoDB;

DROP TABLE acme_accounts;
