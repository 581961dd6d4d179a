-- SQLite twin of postgres/0023_purchase_orders.sql. The supplier side's first records (issue 13): purchase orders the company
-- places with its suppliers (pushed by an ERP, upserted by its reference),
-- their lines with the supplier's answer to each (accepted, rejected with a
-- reason, or accepted with a promised date or another quantity), the events
-- of each order, and the back office's `purchases` area. An answer that
-- changes anything waits for staff (`awaiting_review`) before the order
-- counts as acknowledged.
--
-- Amounts, prices, quantities and rates are INTEGERs of ten-thousandths, as in
-- 0014_sales (decision 0008).

CREATE TABLE purchase_orders (
    tenant_id       BLOB NOT NULL REFERENCES tenants (id),
    id              BLOB NOT NULL,
    number          TEXT NOT NULL,
    external_ref    TEXT,
    digest          TEXT,
    -- The supplier, and the branch of it the order is placed with.
    account_id      BLOB NOT NULL,
    branch_id       BLOB,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'sent', 'acknowledged',
                        'partially_received', 'received', 'closed', 'cancelled')),
    -- The supplier answered with changes that staff have not decided yet.
    awaiting_review INTEGER NOT NULL DEFAULT 0,
    issued_on       TEXT NOT NULL,
    expected_on     TEXT,
    currency        TEXT NOT NULL,
    subtotal        INTEGER NOT NULL,
    tax             INTEGER NOT NULL,
    total           INTEGER NOT NULL CHECK (total >= 0),
    rounding        TEXT NOT NULL CHECK (rounding IN ('line', 'document')),
    notes           TEXT,
    -- The contact who answered last, when, with what note; staff's reason
    -- when they refused the answer.
    responded_by    BLOB,
    responded_at    TEXT,
    response_note   TEXT,
    review_note     TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, branch_id) REFERENCES branches (tenant_id, id),
    FOREIGN KEY (tenant_id, responded_by) REFERENCES contacts (tenant_id, id)
);
CREATE UNIQUE INDEX purchase_orders_number_key ON purchase_orders (tenant_id, number);
CREATE UNIQUE INDEX purchase_orders_external_ref_key ON purchase_orders (tenant_id, external_ref)
    WHERE external_ref IS NOT NULL;
-- The portal's lists, per branch and account-level (DESIGN.md §3).
CREATE INDEX purchase_orders_portal_idx ON purchase_orders (tenant_id, account_id, branch_id, issued_on DESC, id DESC);
CREATE INDEX purchase_orders_portal_account_idx ON purchase_orders (tenant_id, account_id, issued_on DESC, id DESC)
    WHERE branch_id IS NULL;
-- The back office's list, and its answers to review.
CREATE INDEX purchase_orders_list_idx ON purchase_orders (tenant_id, issued_on DESC, id DESC);
CREATE INDEX purchase_orders_review_idx ON purchase_orders (tenant_id, issued_on DESC, id DESC)
    WHERE awaiting_review = 1;
-- What waits for the supplier's acknowledgement.
CREATE INDEX purchase_orders_waiting_idx ON purchase_orders (tenant_id, account_id, issued_on DESC)
    WHERE status = 'sent' AND awaiting_review = 0;

CREATE TABLE purchase_order_lines (
    tenant_id     BLOB NOT NULL,
    order_id      BLOB NOT NULL,
    position      INTEGER NOT NULL,
    item_code     TEXT,
    description   TEXT NOT NULL,
    unit          TEXT NOT NULL,
    quantity      INTEGER NOT NULL,
    unit_price    INTEGER NOT NULL,
    tax_rate      INTEGER NOT NULL,
    net           INTEGER NOT NULL,
    tax           INTEGER NOT NULL,
    expected_on   TEXT,
    -- The supplier's answer to the line.
    ack           TEXT NOT NULL DEFAULT 'open' CHECK (ack IN ('open', 'accepted', 'rejected', 'changed')),
    ack_quantity  INTEGER,
    ack_date      TEXT,
    ack_reason    TEXT,
    PRIMARY KEY (tenant_id, order_id, position),
    FOREIGN KEY (tenant_id, order_id) REFERENCES purchase_orders (tenant_id, id) ON DELETE CASCADE
);

-- What happened to a purchase order, in order.
CREATE TABLE purchase_order_events (
    tenant_id     BLOB NOT NULL,
    order_id      BLOB NOT NULL,
    seq           INTEGER NOT NULL,
    occurred_at   TEXT NOT NULL,
    -- `contact`, `staff`, `api_key` or `system`.
    actor_kind    TEXT NOT NULL,
    actor_id      BLOB,
    actor_name    TEXT NOT NULL,
    action        TEXT NOT NULL,
    comment       TEXT,
    PRIMARY KEY (tenant_id, order_id, seq),
    FOREIGN KEY (tenant_id, order_id) REFERENCES purchase_orders (tenant_id, id) ON DELETE CASCADE
);
