-- Service requests (issue 12): a customer's contact opens one (subject,
-- description, priority, optionally a branch, files); both sides talk in its
-- thread; staff move it between states. The first answer from the company
-- is kept, for the time it took.

CREATE TABLE service_requests (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    id            uuid NOT NULL,
    -- SOL-000123, from document_counters (series 'service_request').
    number        text NOT NULL,
    account_id    uuid NOT NULL,
    branch_id     uuid,
    subject       text NOT NULL,
    description   text NOT NULL,
    status        text NOT NULL CHECK (status IN ('open', 'in_progress', 'waiting_customer',
                      'resolved', 'closed')),
    priority      text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    -- The day it was opened: the lists' order.
    opened_on     date NOT NULL,
    -- Who opened it, by name as it was then (a contact, or staff for it).
    opened_by     text NOT NULL,
    -- When the company first wrote in its thread.
    first_answer_at timestamptz,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, branch_id) REFERENCES branches (tenant_id, id)
);
CREATE UNIQUE INDEX service_requests_number_key ON service_requests (tenant_id, number);
CREATE INDEX service_requests_portal_idx ON service_requests (tenant_id, account_id, branch_id, opened_on DESC, id DESC);
CREATE INDEX service_requests_portal_account_idx ON service_requests (tenant_id, account_id, opened_on DESC, id DESC)
    WHERE branch_id IS NULL;
CREATE INDEX service_requests_list_idx ON service_requests (tenant_id, opened_on DESC, id DESC);
CREATE INDEX service_requests_open_idx ON service_requests (tenant_id, account_id)
    WHERE status NOT IN ('resolved', 'closed');

-- The thread, in order: each entry a comment, a change of state, or both.
CREATE TABLE service_request_comments (
    tenant_id     uuid NOT NULL,
    request_id    uuid NOT NULL,
    seq           integer NOT NULL,
    occurred_at   timestamptz NOT NULL,
    -- `contact`, `staff`, `api_key` or `system`.
    author_kind   text NOT NULL,
    author_name   text NOT NULL,
    body          text,
    -- The state the request moved to with it.
    status        text,
    PRIMARY KEY (tenant_id, request_id, seq),
    FOREIGN KEY (tenant_id, request_id) REFERENCES service_requests (tenant_id, id) ON DELETE CASCADE
);

-- Files of a request: sent with it (seq 0) or with a comment of its thread.
CREATE TABLE service_request_files (
    tenant_id     uuid NOT NULL,
    request_id    uuid NOT NULL,
    -- The stored file: tenants/<tenant>/attachments/<file_id>.
    file_id       uuid NOT NULL,
    seq           integer NOT NULL,
    file_name     text NOT NULL,
    content_type  text NOT NULL,
    size          bigint NOT NULL CHECK (size > 0),
    sha256        text NOT NULL,
    PRIMARY KEY (tenant_id, request_id, file_id),
    FOREIGN KEY (tenant_id, request_id) REFERENCES service_requests (tenant_id, id) ON DELETE CASCADE
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['service_requests', 'service_request_comments', 'service_request_files']
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
