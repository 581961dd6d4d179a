-- Foundation: the tenant registry, platform operators, staff users and the audit log.
-- Same tables and columns as the PostgreSQL migration; uuids are 16-byte blobs,
-- timestamps RFC 3339 text and JSON text. Isolation is by query scoping (no RLS).

CREATE TABLE tenants (
    id           BLOB PRIMARY KEY NOT NULL,
    slug         TEXT NOT NULL,
    name         TEXT NOT NULL,
    locale       TEXT NOT NULL,
    currency     TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
    max_contacts INTEGER,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX tenants_slug_key ON tenants (slug);

CREATE TABLE platform_operators (
    id              BLOB PRIMARY KEY NOT NULL,
    email           TEXT NOT NULL,
    name            TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    last_sign_in_at TEXT
);
CREATE UNIQUE INDEX platform_operators_email_key ON platform_operators (lower(email));

CREATE TABLE staff_users (
    tenant_id       BLOB NOT NULL REFERENCES tenants (id),
    id              BLOB NOT NULL,
    email           TEXT NOT NULL,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'sales', 'purchasing', 'read_only')),
    password_hash   TEXT,
    status          TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    locale          TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    last_sign_in_at TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX staff_users_email_key ON staff_users (tenant_id, lower(email));
-- The staff list pages by (name, id) within a tenant.
CREATE INDEX staff_users_name_idx ON staff_users (tenant_id, name, id);

CREATE TABLE audit_events (
    tenant_id    BLOB NOT NULL REFERENCES tenants (id),
    id           BLOB NOT NULL,
    occurred_at  TEXT NOT NULL,
    actor_kind   TEXT NOT NULL CHECK (actor_kind IN ('staff', 'operator', 'contact', 'system', 'api_key')),
    actor_id     BLOB,
    action       TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id   BLOB,
    changes      TEXT NOT NULL,
    request_id   TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_events_subject_idx ON audit_events (tenant_id, subject_kind, subject_id, occurred_at DESC);
CREATE INDEX audit_events_time_idx ON audit_events (tenant_id, occurred_at DESC, id DESC);
