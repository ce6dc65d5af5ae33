-- The file manager's archives and extractions run as jobs (docs/files.md): two more kinds.
-- For both, `subject` is the archive's path in the home and `result` the folder or archive it
-- made there.
ALTER TABLE jobs MODIFY kind ENUM('backup', 'restore', 'certificate', 'archive', 'extract') NOT NULL;
