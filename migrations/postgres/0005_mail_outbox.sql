-- The mail outbox: outgoing mail is written in the same transaction as the change
-- that causes it, and delivered afterwards by the dispatcher (to .eml files or
-- over SMTP). A row is pending while it has no sent_at and a next_attempt_at;
-- one that failed for good keeps its last_error and has neither.

CREATE TABLE mail_outbox (
    tenant_id       uuid NOT NULL REFERENCES tenants (id),
    id              uuid NOT NULL,
    to_address      text NOT NULL,
    to_name         text,
    subject         text NOT NULL,
    body_text       text NOT NULL,
    body_html       text,
    created_at      timestamptz NOT NULL,
    -- Delivery attempts started (a claim counts, so a crash mid-send counts too).
    attempts        integer NOT NULL DEFAULT 0,
    -- When the mail is (next) due; while an attempt runs, when its claim lapses.
    next_attempt_at timestamptz,
    sent_at         timestamptz,
    -- The transport's message for the last failure (never credentials).
    last_error      text,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX mail_outbox_pending_idx ON mail_outbox (tenant_id, next_attempt_at)
    WHERE sent_at IS NULL AND next_attempt_at IS NOT NULL;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['mail_outbox']
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
