-- Contact photos (the file store keeps the bytes; the row keeps which file) and
-- contact imports: an uploaded CSV file, its dry run and its real run, with one
-- result row per line of the file.

ALTER TABLE contacts ADD COLUMN photo_id uuid;

CREATE TABLE contact_imports (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL,
    file_name   text NOT NULL,
    created_by  uuid NOT NULL,
    created_at  timestamptz NOT NULL,
    -- checking → checked → importing → imported; or failed from either run.
    state       text NOT NULL CHECK (state IN ('checking', 'checked', 'importing', 'imported', 'failed')),
    -- Touched as the work goes on: a stale "checking" or "importing" was interrupted.
    updated_at  timestamptz NOT NULL,
    total_rows  integer NOT NULL DEFAULT 0,
    creates     integer NOT NULL DEFAULT 0,
    updates     integer NOT NULL DEFAULT 0,
    links       integer NOT NULL DEFAULT 0,
    unchanged   integer NOT NULL DEFAULT 0,
    errors      integer NOT NULL DEFAULT 0,
    -- A message id when the whole file failed (unreadable, no usable columns…).
    failure     text,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES staff_users (tenant_id, id)
);
CREATE INDEX contact_imports_recent_idx ON contact_imports (tenant_id, created_at DESC, id DESC);

CREATE TABLE contact_import_rows (
    tenant_id   uuid NOT NULL,
    import_id   uuid NOT NULL,
    line        integer NOT NULL,
    action      text NOT NULL CHECK (action IN ('create', 'update', 'link', 'unchanged', 'error')),
    contact_id  uuid,
    name        text NOT NULL,
    email       text,
    -- Changed field names, linked account codes or error messages, as JSON.
    detail      jsonb NOT NULL,
    PRIMARY KEY (tenant_id, import_id, line),
    FOREIGN KEY (tenant_id, import_id) REFERENCES contact_imports (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_import_rows_action_idx ON contact_import_rows (tenant_id, import_id, action, line);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['contact_imports', 'contact_import_rows']
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
