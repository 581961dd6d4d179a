-- Contact photos (the file store keeps the bytes; the row keeps which file) and
-- contact imports: an uploaded CSV file, its dry run and its real run, with one
-- result row per line of the file.

ALTER TABLE contacts ADD COLUMN photo_id BLOB;

CREATE TABLE contact_imports (
    tenant_id   BLOB NOT NULL REFERENCES tenants (id),
    id          BLOB NOT NULL,
    file_name   TEXT NOT NULL,
    created_by  BLOB NOT NULL,
    created_at  TEXT NOT NULL,
    -- checking → checked → importing → imported; or failed from either run.
    state       TEXT NOT NULL CHECK (state IN ('checking', 'checked', 'importing', 'imported', 'failed')),
    -- Touched as the work goes on: a stale "checking" or "importing" was interrupted.
    updated_at  TEXT NOT NULL,
    total_rows  INTEGER NOT NULL DEFAULT 0,
    creates     INTEGER NOT NULL DEFAULT 0,
    updates     INTEGER NOT NULL DEFAULT 0,
    links       INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    errors      INTEGER NOT NULL DEFAULT 0,
    -- A message id when the whole file failed (unreadable, no usable columns…).
    failure     TEXT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES staff_users (tenant_id, id)
);
CREATE INDEX contact_imports_recent_idx ON contact_imports (tenant_id, created_at DESC, id DESC);

CREATE TABLE contact_import_rows (
    tenant_id   BLOB NOT NULL,
    import_id   BLOB NOT NULL,
    line        INTEGER NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('create', 'update', 'link', 'unchanged', 'error')),
    contact_id  BLOB,
    name        TEXT NOT NULL,
    email       TEXT,
    -- Changed field names, linked account codes or error messages, as JSON.
    detail      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, import_id, line),
    FOREIGN KEY (tenant_id, import_id) REFERENCES contact_imports (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_import_rows_action_idx ON contact_import_rows (tenant_id, import_id, action, line);
