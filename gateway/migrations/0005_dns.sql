-- Authoritative DNS zones served by bind9, and their records. A zone belongs to one account
-- and must be named after one of its domains. Record data is stored as JSON in the shape of
-- the API (typed per record type); the agent renders zone files from it.
CREATE TABLE dns_zones (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(253) NOT NULL,
    account_id BIGINT UNSIGNED NOT NULL,
    status ENUM('pending', 'active', 'deleting') NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY dns_zones_name (name),
    KEY dns_zones_account (account_id, name),
    CONSTRAINT dns_zones_account FOREIGN KEY (account_id) REFERENCES accounts (user_id)
        ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

CREATE TABLE dns_records (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    public_id CHAR(16) NOT NULL,
    zone_id BIGINT UNSIGNED NOT NULL,
    name VARCHAR(253) NOT NULL,
    type VARCHAR(8) NOT NULL,
    ttl INT UNSIGNED NOT NULL,
    data JSON NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY dns_records_public_id (zone_id, public_id),
    KEY dns_records_zone (zone_id, name, type),
    CONSTRAINT dns_records_zone FOREIGN KEY (zone_id) REFERENCES dns_zones (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
