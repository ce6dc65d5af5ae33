-- VPN (issue 17). A plan says how many VPN clients each of its accounts may hold: 0, the
-- default, allows none, so no account gets a VPN before an administrator says so; NULL is
-- unlimited (the agent still holds every user to 100).
ALTER TABLE plans ADD COLUMN max_vpn_clients INT UNSIGNED NULL DEFAULT 0;

-- A VPN client: a certificate of its owner's, made by the agent. user_id is an account
-- owner's or an administrator's user (administrators hold clients of their own, on no plan).
-- public_id is the id the API knows (random). Revoking deletes the row; the agent keeps the
-- revoked certificate in its CRL.
CREATE TABLE vpn_clients (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    public_id CHAR(16) NOT NULL,
    user_id BIGINT UNSIGNED NOT NULL,
    name VARCHAR(31) NOT NULL,
    status ENUM('pending', 'active', 'revoking') NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY vpn_clients_public_id (public_id),
    UNIQUE KEY vpn_clients_name (user_id, name),
    CONSTRAINT vpn_clients_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
