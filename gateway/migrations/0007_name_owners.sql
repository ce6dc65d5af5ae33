-- One owner per name, in both directions (docs/security.md, Names). A name's descendants are
-- the rows whose name ends with '.' + name: reversed character by character, that is a prefix,
-- so an index on the reversed name answers "anything below X?" with one range scan. Ancestors
-- are exact lookups on the primary and unique keys.
ALTER TABLE host_names
    ADD COLUMN reversed VARCHAR(253) AS (REVERSE(name)) PERSISTENT,
    ADD KEY host_names_reversed (reversed);

ALTER TABLE dns_zones
    ADD COLUMN reversed VARCHAR(253) AS (REVERSE(name)) PERSISTENT,
    ADD KEY dns_zones_reversed (reversed);

-- Every claim of a name (a domain, an alias, a zone, a move) takes this one row's lock, so two
-- claims of related names (alice.test and www.alice.test) cannot both pass their checks.
CREATE TABLE name_claims (
    id TINYINT UNSIGNED NOT NULL PRIMARY KEY
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

INSERT INTO name_claims (id) VALUES (1);
