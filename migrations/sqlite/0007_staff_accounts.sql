-- Staff accounts: a one-time password (given by an operator or an admin) must be
-- replaced at the next sign-in; a session epoch that ends every other session of
-- a staff user at once (a new password); and the single-use tokens of the
-- emailed password reset, of which only the SHA-256 is stored.

ALTER TABLE staff_users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff_users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;

CREATE TABLE staff_tokens (
    tenant_id     BLOB NOT NULL REFERENCES tenants (id),
    id            BLOB NOT NULL,
    staff_user_id BLOB NOT NULL,
    purpose       TEXT NOT NULL CHECK (purpose IN ('reset')),
    -- SHA-256 of the secret; the secret itself is only ever in the email.
    token_hash    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    used_at       TEXT,
    revoked_at    TEXT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, staff_user_id) REFERENCES staff_users (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX staff_tokens_hash_key ON staff_tokens (tenant_id, token_hash);
CREATE INDEX staff_tokens_user_idx ON staff_tokens (tenant_id, staff_user_id, purpose, created_at DESC);
