-- Contacts: customers and suppliers (one `accounts` table with a kind), customer
-- branches, the tenant-editable title and category lists, contacts and their
-- links to accounts. Same tables and columns as the PostgreSQL migration; INTEGERs
-- are INTEGERs, dates TEXT. Search is a LIKE scan (no trigram index).

ALTER TABLE tenants ADD COLUMN contact_required TEXT NOT NULL DEFAULT 'any_of'
    CHECK (contact_required IN ('any_of', 'first_and_last_name'));

CREATE TABLE accounts (
    tenant_id        BLOB NOT NULL REFERENCES tenants (id),
    id               BLOB NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('customer', 'supplier')),
    code             TEXT NOT NULL,
    name             TEXT NOT NULL,
    legal_name       TEXT,
    tax_id           TEXT,
    email            TEXT,
    phone            TEXT,
    street           TEXT,
    city             TEXT,
    state            TEXT,
    postal_code      TEXT,
    country          TEXT,
    owner_id         BLOB,
    branches_enabled INTEGER NOT NULL,
    active           INTEGER NOT NULL,
    sort_name        TEXT NOT NULL,
    search_text      TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, owner_id) REFERENCES staff_users (tenant_id, id)
);
CREATE UNIQUE INDEX accounts_code_key ON accounts (tenant_id, kind, lower(code));
-- Lists page by the folded name (lower case, no accents), then id.
CREATE INDEX accounts_sort_idx ON accounts (tenant_id, kind, sort_name, id);

CREATE TABLE branches (
    tenant_id   BLOB NOT NULL REFERENCES tenants (id),
    id          BLOB NOT NULL,
    account_id  BLOB NOT NULL,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    street      TEXT,
    city        TEXT,
    state       TEXT,
    postal_code TEXT,
    country     TEXT,
    active      INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id)
);
CREATE UNIQUE INDEX branches_code_key ON branches (tenant_id, account_id, lower(code));
CREATE INDEX branches_name_idx ON branches (tenant_id, account_id, name, id);

CREATE TABLE contact_titles (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id        BLOB NOT NULL,
    name      TEXT NOT NULL,
    sort      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX contact_titles_name_key ON contact_titles (tenant_id, lower(name));

CREATE TABLE contact_categories (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id        BLOB NOT NULL,
    name      TEXT NOT NULL,
    sort      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX contact_categories_name_key ON contact_categories (tenant_id, lower(name));

CREATE TABLE contacts (
    tenant_id          BLOB NOT NULL REFERENCES tenants (id),
    id                 BLOB NOT NULL,
    title_id           BLOB,
    first_name         TEXT,
    last_name          TEXT,
    nickname           TEXT,
    position           TEXT,
    department         TEXT,
    category_id        BLOB,
    owner_id           BLOB,
    notes              TEXT,
    preferences        TEXT,
    id_doc_type        TEXT,
    id_doc_number      TEXT,
    nationality        TEXT,
    licence_number     TEXT,
    licence_category   TEXT,
    licence_expiry     TEXT,
    email              TEXT,
    personal_email     TEXT,
    phone              TEXT,
    mobile             TEXT,
    fax                TEXT,
    facebook_url       TEXT,
    linkedin_url       TEXT,
    x_url              TEXT,
    street             TEXT,
    city               TEXT,
    state              TEXT,
    postal_code        TEXT,
    country            TEXT,
    email_opt_out      INTEGER NOT NULL,
    preferred_language TEXT,
    important_dates    TEXT NOT NULL DEFAULT '[]',
    display_name       TEXT NOT NULL,
    sort_name          TEXT NOT NULL,
    search_text        TEXT NOT NULL,
    archived_at        TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, title_id) REFERENCES contact_titles (tenant_id, id),
    FOREIGN KEY (tenant_id, category_id) REFERENCES contact_categories (tenant_id, id),
    FOREIGN KEY (tenant_id, owner_id) REFERENCES staff_users (tenant_id, id)
);
-- One person is one contact: the main email is unique per tenant, case-insensitively.
CREATE UNIQUE INDEX contacts_email_key ON contacts (tenant_id, lower(email)) WHERE email IS NOT NULL;
CREATE INDEX contacts_sort_idx ON contacts (tenant_id, sort_name, id);

CREATE TABLE contact_links (
    tenant_id  BLOB NOT NULL REFERENCES tenants (id),
    id         BLOB NOT NULL,
    contact_id BLOB NOT NULL,
    account_id BLOB NOT NULL,
    -- The account's kind, copied: it never changes, and lists filter on it.
    account_kind TEXT NOT NULL CHECK (account_kind IN ('customer', 'supplier')),
    position   TEXT,
    is_primary INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id)
);
CREATE UNIQUE INDEX contact_links_pair_key ON contact_links (tenant_id, contact_id, account_id);
CREATE INDEX contact_links_account_idx ON contact_links (tenant_id, account_id, contact_id);
-- At most one primary contact per account.
CREATE UNIQUE INDEX contact_links_primary_key ON contact_links (tenant_id, account_id) WHERE is_primary = 1;

-- An audited change can concern a second record (linking a contact concerns the
-- account too); each record's history shows events about it either way.
ALTER TABLE audit_events ADD COLUMN related_id BLOB;
CREATE INDEX audit_events_record_idx ON audit_events (tenant_id, subject_id, occurred_at DESC);
CREATE INDEX audit_events_related_idx ON audit_events (tenant_id, related_id, occurred_at DESC) WHERE related_id IS NOT NULL;

-- Existing companies get the seeded titles.
INSERT INTO contact_titles (tenant_id, id, name, sort)
SELECT t.id, randomblob(16), v.name, v.sort
FROM tenants t CROSS JOIN (SELECT 'Sr.' AS name, 1 AS sort UNION ALL SELECT 'Sra.', 2 UNION ALL SELECT 'Srta.', 3
    UNION ALL SELECT 'Lic.', 4 UNION ALL SELECT 'Ing.', 5 UNION ALL SELECT 'Dr.', 6 UNION ALL SELECT 'Dra.', 7) AS v;

-- Per-tenant API keys for the admin API: only a hash of the secret is kept.
CREATE TABLE api_keys (
    tenant_id    BLOB NOT NULL REFERENCES tenants (id),
    id           BLOB NOT NULL,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('admin', 'sales', 'purchasing', 'read_only')),
    key_hash     TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    created_by   BLOB,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX api_keys_hash_key ON api_keys (tenant_id, key_hash);
