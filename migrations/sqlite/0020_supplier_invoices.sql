-- SQLite twin of postgres/0025_supplier_invoices.sql. Supplier invoices (issue 13): what a supplier bills against one of the
-- company's purchase orders, pre-matched before it reaches the company (each
-- line's result kept with it: `exceptions`, the codes of what did not match),
-- then approved or rejected (with a reason the supplier reads) by staff.
-- Each order line keeps what its supplier invoices bill (`invoiced`,
-- rejected invoices apart), which the next invoice's match reads; the
-- company sets how far a billed price may stray from the order's.

ALTER TABLE purchase_order_lines ADD COLUMN invoiced INTEGER NOT NULL DEFAULT 0 CHECK (invoiced >= 0);
-- Percent, scale 4 (2% is 20000).
ALTER TABLE tenants ADD COLUMN price_tolerance INTEGER NOT NULL DEFAULT 20000 CHECK (price_tolerance >= 0);

CREATE TABLE supplier_invoices (
    tenant_id     BLOB NOT NULL REFERENCES tenants (id),
    id            BLOB NOT NULL,
    -- The supplier's own number, as typed and normalised (decision 0013).
    number        TEXT NOT NULL,
    number_key    TEXT NOT NULL,
    account_id    BLOB NOT NULL,
    -- The order's branch, so the portal reads invoices as it reads orders.
    branch_id     BLOB,
    order_id      BLOB NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'rejected', 'paid')),
    matched       INTEGER NOT NULL,
    issued_on     TEXT NOT NULL,
    due_on        TEXT NOT NULL,
    currency      TEXT NOT NULL,
    subtotal      INTEGER NOT NULL,
    tax           INTEGER NOT NULL,
    total         INTEGER NOT NULL CHECK (total >= 0),
    tax_id        TEXT NOT NULL,
    -- The supplier's note on its exceptions; the invoice's own exceptions.
    note          TEXT,
    exceptions    TEXT NOT NULL,
    -- Why staff rejected it.
    reject_reason TEXT,
    submitted_by  BLOB,
    decided_at    TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, branch_id) REFERENCES branches (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id) REFERENCES purchase_orders (tenant_id, id),
    FOREIGN KEY (tenant_id, submitted_by) REFERENCES contacts (tenant_id, id)
);
-- One live invoice per supplier and normalised number (a rejected one may
-- be sent again).
CREATE UNIQUE INDEX supplier_invoices_number_key ON supplier_invoices (tenant_id, account_id, number_key)
    WHERE status <> 'rejected';
CREATE INDEX supplier_invoices_portal_idx ON supplier_invoices (tenant_id, account_id, branch_id, issued_on DESC, id DESC);
CREATE INDEX supplier_invoices_portal_account_idx ON supplier_invoices (tenant_id, account_id, issued_on DESC, id DESC)
    WHERE branch_id IS NULL;
-- The back office's inbox: exceptions first, then the matched.
CREATE INDEX supplier_invoices_inbox_idx ON supplier_invoices (tenant_id, matched, issued_on DESC, id DESC)
    WHERE status = 'submitted';
CREATE INDEX supplier_invoices_list_idx ON supplier_invoices (tenant_id, issued_on DESC, id DESC);
CREATE INDEX supplier_invoices_order_idx ON supplier_invoices (tenant_id, order_id);

CREATE TABLE supplier_invoice_lines (
    tenant_id     BLOB NOT NULL,
    invoice_id    BLOB NOT NULL,
    -- The order line it bills.
    position      INTEGER NOT NULL,
    quantity      INTEGER NOT NULL,
    unit_price    INTEGER NOT NULL,
    tax_rate      INTEGER NOT NULL,
    net           INTEGER NOT NULL,
    tax           INTEGER NOT NULL,
    exceptions    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, invoice_id, position),
    FOREIGN KEY (tenant_id, invoice_id) REFERENCES supplier_invoices (tenant_id, id) ON DELETE CASCADE
);
