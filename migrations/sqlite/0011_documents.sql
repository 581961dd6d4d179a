-- SQLite twin of postgres/0016_documents.sql. Documents a company shares with a customer (issue 12; suppliers' with issue
-- 13): a title, a type, the account and optionally one of its branches, and
-- its versions, each a stored file. The portal lists a document once it has a
-- version, by the day its current version was published.

CREATE TABLE documents (
    tenant_id     BLOB NOT NULL REFERENCES tenants (id),
    id            BLOB NOT NULL,
    account_id    BLOB NOT NULL,
    branch_id     BLOB,
    -- The ERP's reference: integrations upsert by it.
    external_ref  TEXT,
    title         TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('contract', 'certificate', 'price_list',
                      'catalogue', 'technical_sheet', 'policy', 'other')),
    -- The current version; 0 until the first file arrives.
    version       INTEGER NOT NULL DEFAULT 0 CHECK (version >= 0),
    -- The day the current version was published (the day it was created
    -- until then): the lists' order.
    published_on  TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, branch_id) REFERENCES branches (tenant_id, id)
);
CREATE UNIQUE INDEX documents_ref_key ON documents (tenant_id, external_ref)
    WHERE external_ref IS NOT NULL;
CREATE INDEX documents_portal_idx ON documents (tenant_id, account_id, branch_id, published_on DESC, id DESC);
CREATE INDEX documents_portal_account_idx ON documents (tenant_id, account_id, published_on DESC, id DESC)
    WHERE branch_id IS NULL;
CREATE INDEX documents_list_idx ON documents (tenant_id, published_on DESC, id DESC);

-- Every file a document had, the current one last; earlier ones stay downloadable.
CREATE TABLE document_versions (
    tenant_id     BLOB NOT NULL,
    document_id   BLOB NOT NULL,
    version       INTEGER NOT NULL CHECK (version > 0),
    -- The stored file: tenants/<tenant>/documents/<file_id>.
    file_id       BLOB NOT NULL,
    -- The name it was uploaded with (cleaned), its type and size.
    file_name     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL CHECK (size > 0),
    -- Hex SHA-256 of the bytes: uploading the current file again adds nothing.
    sha256        TEXT NOT NULL,
    note          TEXT,
    uploaded_at   TEXT NOT NULL,
    -- Who uploaded it, by name as it was then.
    uploaded_by   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, document_id, version),
    FOREIGN KEY (tenant_id, document_id) REFERENCES documents (tenant_id, id) ON DELETE CASCADE
);
