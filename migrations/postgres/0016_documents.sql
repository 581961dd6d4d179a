-- Documents a company shares with a customer (issue 12; suppliers' with issue
-- 13): a title, a type, the account and optionally one of its branches, and
-- its versions, each a stored file. The portal lists a document once it has a
-- version, by the day its current version was published.

CREATE TABLE documents (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    id            uuid NOT NULL,
    account_id    uuid NOT NULL,
    branch_id     uuid,
    -- The ERP's reference: integrations upsert by it.
    external_ref  text,
    title         text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('contract', 'certificate', 'price_list',
                      'catalogue', 'technical_sheet', 'policy', 'other')),
    -- The current version; 0 until the first file arrives.
    version       integer NOT NULL DEFAULT 0 CHECK (version >= 0),
    -- The day the current version was published (the day it was created
    -- until then): the lists' order.
    published_on  date NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
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
    tenant_id     uuid NOT NULL,
    document_id   uuid NOT NULL,
    version       integer NOT NULL CHECK (version > 0),
    -- The stored file: tenants/<tenant>/documents/<file_id>.
    file_id       uuid NOT NULL,
    -- The name it was uploaded with (cleaned), its type and size.
    file_name     text NOT NULL,
    content_type  text NOT NULL,
    size          bigint NOT NULL CHECK (size > 0),
    -- Hex SHA-256 of the bytes: uploading the current file again adds nothing.
    sha256        text NOT NULL,
    note          text,
    uploaded_at   timestamptz NOT NULL,
    -- Who uploaded it, by name as it was then.
    uploaded_by   text NOT NULL,
    PRIMARY KEY (tenant_id, document_id, version),
    FOREIGN KEY (tenant_id, document_id) REFERENCES documents (tenant_id, id) ON DELETE CASCADE
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['documents', 'document_versions']
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
