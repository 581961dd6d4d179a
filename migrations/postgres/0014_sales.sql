-- The customer side's money records (issue 12): invoices and credit notes with
-- their lines, payments, and the applications of payments and credit notes to
-- invoices (the remittance). An ERP pushes them through the admin API, upserted
-- by its external reference; the portal reads them through the contact's scope.
--
-- Money is exact: every amount, price, quantity and rate is a bigint holding
-- ten-thousandths (scale 4), converted to and from `rust_decimal` at the edge
-- (decision 0008). Sums stay exact on both backends.

CREATE TABLE invoices (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    id            uuid NOT NULL,
    account_id    uuid NOT NULL,
    branch_id     uuid,
    kind          text NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    number        text NOT NULL,
    external_ref  text NOT NULL,
    issued_on     date NOT NULL,
    due_on        date NOT NULL,
    currency      text NOT NULL,
    subtotal      bigint NOT NULL,
    tax           bigint NOT NULL,
    total         bigint NOT NULL CHECK (total >= 0),
    -- What is still open: for an invoice, the total less the payments and
    -- credit notes applied to it; for a credit note, the credit not yet applied.
    balance       bigint NOT NULL CHECK (balance >= 0 AND balance <= total),
    notes         text,
    -- A hash of what the ERP sent: the same record again changes nothing.
    digest        text NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
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
    tenant_id     uuid NOT NULL,
    invoice_id    uuid NOT NULL,
    position      integer NOT NULL,
    item_code     text,
    description   text NOT NULL,
    quantity      bigint NOT NULL,
    unit_price    bigint NOT NULL,
    -- Percent, scale 4: 18% is 180000.
    tax_rate      bigint NOT NULL,
    net           bigint NOT NULL,
    tax           bigint NOT NULL,
    PRIMARY KEY (tenant_id, invoice_id, position),
    FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE payments (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    id            uuid NOT NULL,
    account_id    uuid NOT NULL,
    branch_id     uuid,
    number        text NOT NULL,
    external_ref  text NOT NULL,
    received_on   date NOT NULL,
    currency      text NOT NULL,
    method        text NOT NULL CHECK (method IN ('transfer', 'check', 'card', 'cash', 'other')),
    reference     text,
    digest        text NOT NULL,
    amount        bigint NOT NULL CHECK (amount > 0),
    -- The part not applied to any invoice (a credit on account).
    unapplied     bigint NOT NULL CHECK (unapplied >= 0 AND unapplied <= amount),
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
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
    tenant_id     uuid NOT NULL,
    source_id     uuid NOT NULL,
    invoice_id    uuid NOT NULL,
    amount        bigint NOT NULL CHECK (amount > 0),
    PRIMARY KEY (tenant_id, source_id, invoice_id),
    FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id)
);
CREATE INDEX applications_invoice_idx ON applications (tenant_id, invoice_id);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['invoices', 'invoice_lines', 'payments', 'applications']
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
