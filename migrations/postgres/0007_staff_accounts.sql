-- Staff accounts: a one-time password (given by an operator or an admin) must be
-- replaced at the next sign-in; a session epoch that ends every other session of
-- a staff user at once (a new password); and the single-use tokens of the
-- emailed password reset, of which only the SHA-256 is stored.

ALTER TABLE staff_users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
ALTER TABLE staff_users ADD COLUMN session_epoch integer NOT NULL DEFAULT 0;

CREATE TABLE staff_tokens (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    id            uuid NOT NULL,
    staff_user_id uuid NOT NULL,
    purpose       text NOT NULL CHECK (purpose IN ('reset')),
    -- SHA-256 of the secret; the secret itself is only ever in the email.
    token_hash    text NOT NULL,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz,
    revoked_at    timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, staff_user_id) REFERENCES staff_users (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX staff_tokens_hash_key ON staff_tokens (tenant_id, token_hash);
CREATE INDEX staff_tokens_user_idx ON staff_tokens (tenant_id, staff_user_id, purpose, created_at DESC);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['staff_tokens']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I '
            'USING (tenant_id = NULLIF(current_setting(''portico.tenant_id'', true), '''')::uuid) '
            'WITH CHECK (tenant_id = NULLIF(current_setting(''portico.tenant_id'', true), '''')::uuid)', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO portico_app', t);
    END LOOP;
END
$$;
