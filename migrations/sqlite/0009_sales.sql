-- SQLite twin of postgres/0014_sales.sql. The customer side's money records (issue 12): invoices and credit notes with
-- their lines, payments, and the applications of payments and credit notes to
-- invoices (the remittance). An ERP pushes them through the admin API, upserted
-- by its external reference; the portal reads them through the contact's scope.
--
-- Money is exact: every amount, price, quantity and rate is a bigint holding
-- ten-thousandths (scale 4), converted to and from `rust_decimal` at the edge
-- (decision 0008). Sums stay exact on both backends.

CREATE TABLE invoices (
    tenant_id     BLOB NOT NULL REFERENCES tenants (id),
    id            BLOB NOT NULL,
    account_id    BLOB NOT NULL,
    branch_id     BLOB,
    kind          TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    number        TEXT NOT NULL,
    external_ref  TEXT NOT NULL,
    issued_on     TEXT NOT NULL,
    due_on        TEXT NOT NULL,
    currency      TEXT NOT NULL,
    subtotal      INTEGER NOT NULL,
    tax           INTEGER NOT NULL,
    total         INTEGER NOT NULL CHECK (total >= 0),
    -- What is still open: for an invoice, the total less the payments and
    -- credit notes applied to it; for a credit note, the credit not yet applied.
    balance       INTEGER NOT NULL CHECK (balance >= 0 AND balance <= total),
    notes         TEXT,
    -- A hash of what the ERP sent: the same record again changes nothing.
    digest        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, branch_id) REFERENCES branches (tenant_id, id)
);
CREATE UNIQUE INDEX invoices_external_ref_key ON invoices (tenant_id, external_ref);
CREATE UNIQUE INDEX invoices_number_key ON invoices (tenant_id, kind, lower(number));
-- Portal lists (decision 0005): one range per branch, one for account-level rows.
CREATE INDEX invoices_portal_idx ON invoices (tenant_id, account_id, branch_id, issued_on DESC, id DESC);
CREATE INDEX invoices_portal_account_idx ON invoices (tenant_id, account_id, issued_on DESC, id DESC)
    WHERE branch_id IS NULL;
-- Receivables: only what is still open.
CREATE INDEX invoices_open_idx ON invoices (tenant_id, account_id, due_on, id) WHERE balance > 0;
-- The back office's list of every customer's invoices.
CREATE INDEX invoices_list_idx ON invoices (tenant_id, issued_on DESC, id DESC);

CREATE TABLE invoice_lines (
    tenant_id     BLOB NOT NULL,
    invoice_id    BLOB NOT NULL,
    position      INTEGER NOT NULL,
    item_code     TEXT,
    description   TEXT NOT NULL,
    quantity      INTEGER NOT NULL,
    unit_price    INTEGER NOT NULL,
    -- Percent, scale 4: 18% is 180000.
    tax_rate      INTEGER NOT NULL,
    net           INTEGER NOT NULL,
    tax           INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, invoice_id, position),
    FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE payments (
    tenant_id     BLOB NOT NULL REFERENCES tenants (id),
    id            BLOB NOT NULL,
    account_id    BLOB NOT NULL,
    branch_id     BLOB,
    number        TEXT NOT NULL,
    external_ref  TEXT NOT NULL,
    received_on   TEXT NOT NULL,
    currency      TEXT NOT NULL,
    method        TEXT NOT NULL CHECK (method IN ('transfer', 'check', 'card', 'cash', 'other')),
    reference     TEXT,
    digest        TEXT NOT NULL,
    amount        INTEGER NOT NULL CHECK (amount > 0),
    -- The part not applied to any invoice (a credit on account).
    unapplied     INTEGER NOT NULL CHECK (unapplied >= 0 AND unapplied <= amount),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, branch_id) REFERENCES branches (tenant_id, id)
);
CREATE UNIQUE INDEX payments_external_ref_key ON payments (tenant_id, external_ref);
CREATE UNIQUE INDEX payments_number_key ON payments (tenant_id, lower(number));
CREATE INDEX payments_portal_idx ON payments (tenant_id, account_id, branch_id, received_on DESC, id DESC);
CREATE INDEX payments_portal_account_idx ON payments (tenant_id, account_id, received_on DESC, id DESC)
    WHERE branch_id IS NULL;
CREATE INDEX payments_open_idx ON payments (tenant_id, account_id, received_on, id) WHERE unapplied > 0;
CREATE INDEX payments_list_idx ON payments (tenant_id, received_on DESC, id DESC);

-- A payment's or a credit note's amount applied to one invoice.
CREATE TABLE applications (
    tenant_id     BLOB NOT NULL,
    source_id     BLOB NOT NULL,
    invoice_id    BLOB NOT NULL,
    amount        INTEGER NOT NULL CHECK (amount > 0),
    PRIMARY KEY (tenant_id, source_id, invoice_id),
    FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id)
);
CREATE INDEX applications_invoice_idx ON applications (tenant_id, invoice_id);
