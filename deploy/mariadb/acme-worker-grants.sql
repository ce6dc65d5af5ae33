-- The ACME worker's MariaDB user (docs/certificates.md, "The ACME worker"): unix_socket
-- authentication (the server checks the connecting process is the system user jopanel-acme),
-- and only what running certificate jobs and renewals needs: no password hash, no other
-- tenant data, no DELETE, no schema change. Applied after the migrations (table grants need
-- the tables), by scripts/install.sh and by the sandbox's scripts/stack.py.
CREATE USER IF NOT EXISTS 'jopanel-acme'@'localhost' IDENTIFIED VIA unix_socket;
GRANT SELECT, UPDATE ON jopanel.jobs TO 'jopanel-acme'@'localhost';
GRANT SELECT (id, name) ON jopanel.users TO 'jopanel-acme'@'localhost';
GRANT SELECT (id, name, account_id) ON jopanel.domains TO 'jopanel-acme'@'localhost';
GRANT SELECT, INSERT, UPDATE ON jopanel.certificates TO 'jopanel-acme'@'localhost';
GRANT SELECT ON jopanel.certificate_settings TO 'jopanel-acme'@'localhost';
GRANT INSERT ON jopanel.audit_log TO 'jopanel-acme'@'localhost';
GRANT SELECT, INSERT, UPDATE ON jopanel.panel_certificate TO 'jopanel-acme'@'localhost';
