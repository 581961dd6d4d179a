-- Contacts: customers and suppliers (one `accounts` table with a kind), customer
-- branches, the tenant-editable title and category lists, contacts and their
-- links to accounts. Same RLS and grants as the foundation tables.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE tenants ADD COLUMN contact_required text NOT NULL DEFAULT 'any_of'
    CHECK (contact_required IN ('any_of', 'first_and_last_name'));

CREATE TABLE accounts (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    id               uuid NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('customer', 'supplier')),
    code             text NOT NULL,
    name             text NOT NULL,
    legal_name       text,
    tax_id           text,
    email            text,
    phone            text,
    street           text,
    city             text,
    state            text,
    postal_code      text,
    country          text,
    owner_id         uuid,
    branches_enabled boolean NOT NULL,
    active           boolean NOT NULL,
    sort_name        text NOT NULL,
    search_text      text NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, owner_id) REFERENCES staff_users (tenant_id, id)
);
CREATE UNIQUE INDEX accounts_code_key ON accounts (tenant_id, kind, lower(code));
-- Lists page by the folded name (lower case, no accents), then id.
CREATE INDEX accounts_sort_idx ON accounts (tenant_id, kind, sort_name, id);
CREATE INDEX accounts_search_idx ON accounts USING gin (search_text gin_trgm_ops);

CREATE TABLE branches (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL,
    account_id  uuid NOT NULL,
    code        text NOT NULL,
    name        text NOT NULL,
    street      text,
    city        text,
    state       text,
    postal_code text,
    country     text,
    active      boolean NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id)
);
CREATE UNIQUE INDEX branches_code_key ON branches (tenant_id, account_id, lower(code));
CREATE INDEX branches_name_idx ON branches (tenant_id, account_id, name, id);

CREATE TABLE contact_titles (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id        uuid NOT NULL,
    name      text NOT NULL,
    sort      integer NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX contact_titles_name_key ON contact_titles (tenant_id, lower(name));

CREATE TABLE contact_categories (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id        uuid NOT NULL,
    name      text NOT NULL,
    sort      integer NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX contact_categories_name_key ON contact_categories (tenant_id, lower(name));

CREATE TABLE contacts (
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    id                 uuid NOT NULL,
    title_id           uuid,
    first_name         text,
    last_name          text,
    nickname           text,
    position           text,
    department         text,
    category_id        uuid,
    owner_id           uuid,
    notes              text,
    preferences        text,
    id_doc_type        text,
    id_doc_number      text,
    nationality        text,
    licence_number     text,
    licence_category   text,
    licence_expiry     date,
    email              text,
    personal_email     text,
    phone              text,
    mobile             text,
    fax                text,
    facebook_url       text,
    linkedin_url       text,
    x_url              text,
    street             text,
    city               text,
    state              text,
    postal_code        text,
    country            text,
    email_opt_out      boolean NOT NULL,
    preferred_language text,
    important_dates    jsonb NOT NULL DEFAULT '[]',
    display_name       text NOT NULL,
    sort_name          text NOT NULL,
    search_text        text NOT NULL,
    archived_at        timestamptz,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, title_id) REFERENCES contact_titles (tenant_id, id),
    FOREIGN KEY (tenant_id, category_id) REFERENCES contact_categories (tenant_id, id),
    FOREIGN KEY (tenant_id, owner_id) REFERENCES staff_users (tenant_id, id)
);
-- One person is one contact: the main email is unique per tenant, case-insensitively.
CREATE UNIQUE INDEX contacts_email_key ON contacts (tenant_id, lower(email)) WHERE email IS NOT NULL;
CREATE INDEX contacts_sort_idx ON contacts (tenant_id, sort_name, id);
CREATE INDEX contacts_search_idx ON contacts USING gin (search_text gin_trgm_ops);

CREATE TABLE contact_links (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    id         uuid NOT NULL,
    contact_id uuid NOT NULL,
    account_id uuid NOT NULL,
    -- The account's kind, copied: it never changes, and lists filter on it.
    account_kind text NOT NULL CHECK (account_kind IN ('customer', 'supplier')),
    position   text,
    is_primary boolean NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id)
);
CREATE UNIQUE INDEX contact_links_pair_key ON contact_links (tenant_id, contact_id, account_id);
CREATE INDEX contact_links_account_idx ON contact_links (tenant_id, account_id, contact_id);
-- At most one primary contact per account.
CREATE UNIQUE INDEX contact_links_primary_key ON contact_links (tenant_id, account_id) WHERE is_primary;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['accounts', 'branches', 'contact_titles', 'contact_categories', 'contacts', 'contact_links']
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

-- An audited change can concern a second record (linking a contact concerns the
-- account too); each record's history shows events about it either way.
ALTER TABLE audit_events ADD COLUMN related_id uuid;
CREATE INDEX audit_events_record_idx ON audit_events (tenant_id, subject_id, occurred_at DESC);
CREATE INDEX audit_events_related_idx ON audit_events (tenant_id, related_id, occurred_at DESC) WHERE related_id IS NOT NULL;

-- Existing companies get the seeded titles.
INSERT INTO contact_titles (tenant_id, id, name, sort)
SELECT t.id, gen_random_uuid(), v.name, v.sort
FROM tenants t CROSS JOIN (VALUES ('Sr.', 1), ('Sra.', 2), ('Srta.', 3), ('Lic.', 4), ('Ing.', 5), ('Dr.', 6), ('Dra.', 7)) AS v (name, sort);

-- Per-tenant API keys for the admin API: only a hash of the secret is kept.
CREATE TABLE api_keys (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    id           uuid NOT NULL,
    name         text NOT NULL,
    role         text NOT NULL CHECK (role IN ('admin', 'sales', 'purchasing', 'read_only')),
    key_hash     text NOT NULL,
    prefix       text NOT NULL,
    created_by   uuid,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX api_keys_hash_key ON api_keys (tenant_id, key_hash);
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys
    USING (tenant_id = NULLIF(current_setting('portico.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('portico.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE ON api_keys TO portico_app;
