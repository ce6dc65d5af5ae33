-- A shell over SSH where the plan allows it (issue 16, docs/sftp.md): off by default, so every
-- account stays SFTP-only until an administrator gives its plan a shell.
ALTER TABLE plans ADD COLUMN ssh_shell BOOLEAN NOT NULL DEFAULT FALSE;
