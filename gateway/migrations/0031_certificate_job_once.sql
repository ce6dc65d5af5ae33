-- One certificate order per website (and one for the panel) at a time, kept by the database:
-- two requests that arrive together cannot both queue an order (docs/certificates.md, "The
-- request answers 202 with its job"). The key is set only while such a job is queued or
-- running; NULL otherwise, and NULLs never collide.
ALTER TABLE jobs
    ADD COLUMN unfinished_order VARCHAR(300) AS (
        IF(kind IN ('certificate', 'panel_certificate') AND state IN ('queued', 'running'),
           CONCAT(kind, ':', subject), NULL)
    ) PERSISTENT,
    ADD UNIQUE KEY jobs_unfinished_order (unfinished_order);
