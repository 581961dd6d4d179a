-- SQLite twin of postgres/0017_service_requests.sql. Service requests (issue 12): a customer's contact opens one (subject,
-- description, priority, optionally a branch, files); both sides talk in its
-- thread; staff move it between states. The first answer from the company
-- is kept, for the time it took.

CREATE TABLE service_requests (
    tenant_id     BLOB NOT NULL REFERENCES tenants (id),
    id            BLOB NOT NULL,
    -- SOL-000123, from document_counters (series 'service_request').
    number        TEXT NOT NULL,
    account_id    BLOB NOT NULL,
    branch_id     BLOB,
    subject       TEXT NOT NULL,
    description   TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'waiting_customer',
                      'resolved', 'closed')),
    priority      TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    -- The day it was opened: the lists' order.
    opened_on     TEXT NOT NULL,
    -- Who opened it, by name as it was then (a contact, or staff for it).
    opened_by     TEXT NOT NULL,
    -- When the company first wrote in its thread.
    first_answer_at TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
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
    tenant_id     BLOB NOT NULL,
    request_id    BLOB NOT NULL,
    seq           INTEGER NOT NULL,
    occurred_at   TEXT NOT NULL,
    -- `contact`, `staff`, `api_key` or `system`.
    author_kind   TEXT NOT NULL,
    author_name   TEXT NOT NULL,
    body          TEXT,
    -- The state the request moved to with it.
    status        TEXT,
    PRIMARY KEY (tenant_id, request_id, seq),
    FOREIGN KEY (tenant_id, request_id) REFERENCES service_requests (tenant_id, id) ON DELETE CASCADE
);

-- Files of a request: sent with it (seq 0) or with a comment of its thread.
CREATE TABLE service_request_files (
    tenant_id     BLOB NOT NULL,
    request_id    BLOB NOT NULL,
    -- The stored file: tenants/<tenant>/attachments/<file_id>.
    file_id       BLOB NOT NULL,
    seq           INTEGER NOT NULL,
    file_name     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL CHECK (size > 0),
    sha256        TEXT NOT NULL,
    PRIMARY KEY (tenant_id, request_id, file_id),
    FOREIGN KEY (tenant_id, request_id) REFERENCES service_requests (tenant_id, id) ON DELETE CASCADE
);
