-- Foundation: the tenant registry, platform operators, staff users and the audit log.
-- Tenant-owned tables are keyed (tenant_id, id), protected by forced row-level
-- security on the per-transaction setting `portico.tenant_id`, and reached by the
-- application through the `portico_app` role, which owns nothing.

DO $$
BEGIN
    CREATE ROLE portico_app LOGIN;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

CREATE TABLE tenants (
    id           uuid PRIMARY KEY,
    slug         text NOT NULL,
    name         text NOT NULL,
    locale       text NOT NULL,
    currency     text NOT NULL,
    status       text NOT NULL CHECK (status IN ('active', 'suspended')),
    max_contacts integer,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE UNIQUE INDEX tenants_slug_key ON tenants (slug);

CREATE TABLE platform_operators (
    id              uuid PRIMARY KEY,
    email           text NOT NULL,
    name            text NOT NULL,
    password_hash   text NOT NULL,
    created_at      timestamptz NOT NULL,
    last_sign_in_at timestamptz
);
CREATE UNIQUE INDEX platform_operators_email_key ON platform_operators (lower(email));

CREATE TABLE staff_users (
    tenant_id       uuid NOT NULL REFERENCES tenants (id),
    id              uuid NOT NULL,
    email           text NOT NULL,
    name            text NOT NULL,
    role            text NOT NULL CHECK (role IN ('owner', 'admin', 'sales', 'purchasing', 'read_only')),
    password_hash   text,
    status          text NOT NULL CHECK (status IN ('active', 'disabled')),
    locale          text,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    last_sign_in_at timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX staff_users_email_key ON staff_users (tenant_id, lower(email));
-- The staff list pages by (name, id) within a tenant.
CREATE INDEX staff_users_name_idx ON staff_users (tenant_id, name, id);

CREATE TABLE audit_events (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    id           uuid NOT NULL,
    occurred_at  timestamptz NOT NULL,
    actor_kind   text NOT NULL CHECK (actor_kind IN ('staff', 'operator', 'contact', 'system', 'api_key')),
    actor_id     uuid,
    action       text NOT NULL,
    subject_kind text NOT NULL,
    subject_id   uuid,
    changes      jsonb NOT NULL,
    request_id   text,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_events_subject_idx ON audit_events (tenant_id, subject_kind, subject_id, occurred_at DESC);
CREATE INDEX audit_events_time_idx ON audit_events (tenant_id, occurred_at DESC, id DESC);

ALTER TABLE staff_users ENABLE ROW LEVEL SECURITY;
ALTER TABLE staff_users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON staff_users
    USING (tenant_id = NULLIF(current_setting('portico.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('portico.tenant_id', true), '')::uuid);

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_events
    USING (tenant_id = NULLIF(current_setting('portico.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('portico.tenant_id', true), '')::uuid);

GRANT USAGE ON SCHEMA public TO portico_app;
GRANT SELECT, INSERT, UPDATE ON tenants, platform_operators, staff_users TO portico_app;
-- The audit log is append-only for the application.
GRANT SELECT, INSERT ON audit_events TO portico_app;
