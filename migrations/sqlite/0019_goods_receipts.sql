-- SQLite twin of postgres/0024_goods_receipts.sql. Goods received against purchase orders (issue 13), as the ERP records
-- them: each receipt names the order's lines and the quantities accepted
-- and rejected (with why). Each order line keeps the running totals, which
-- the order's state (partially received, received) and, later, the
-- supplier invoices' matching read.

ALTER TABLE purchase_order_lines ADD COLUMN received INTEGER NOT NULL DEFAULT 0 CHECK (received >= 0);
ALTER TABLE purchase_order_lines ADD COLUMN rejected INTEGER NOT NULL DEFAULT 0 CHECK (rejected >= 0);

CREATE TABLE goods_receipts (
    tenant_id     BLOB NOT NULL REFERENCES tenants (id),
    id            BLOB NOT NULL,
    number        TEXT NOT NULL,
    external_ref  TEXT NOT NULL,
    digest        TEXT NOT NULL,
    order_id      BLOB NOT NULL,
    received_on   TEXT NOT NULL,
    notes         TEXT,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id) REFERENCES purchase_orders (tenant_id, id)
);
CREATE UNIQUE INDEX goods_receipts_number_key ON goods_receipts (tenant_id, number);
CREATE UNIQUE INDEX goods_receipts_external_ref_key ON goods_receipts (tenant_id, external_ref);
CREATE INDEX goods_receipts_order_idx ON goods_receipts (tenant_id, order_id, received_on);

CREATE TABLE goods_receipt_lines (
    tenant_id     BLOB NOT NULL,
    receipt_id    BLOB NOT NULL,
    -- The order line's position.
    position      INTEGER NOT NULL,
    accepted      INTEGER NOT NULL CHECK (accepted >= 0),
    rejected      INTEGER NOT NULL CHECK (rejected >= 0),
    reason        TEXT,
    PRIMARY KEY (tenant_id, receipt_id, position),
    FOREIGN KEY (tenant_id, receipt_id) REFERENCES goods_receipts (tenant_id, id) ON DELETE CASCADE
);
