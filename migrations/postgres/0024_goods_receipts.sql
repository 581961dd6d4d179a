-- Goods received against purchase orders (issue 13), as the ERP records
-- them: each receipt names the order's lines and the quantities accepted
-- and rejected (with why). Each order line keeps the running totals, which
-- the order's state (partially received, received) and, later, the
-- supplier invoices' matching read.

ALTER TABLE purchase_order_lines ADD COLUMN received bigint NOT NULL DEFAULT 0 CHECK (received >= 0);
ALTER TABLE purchase_order_lines ADD COLUMN rejected bigint NOT NULL DEFAULT 0 CHECK (rejected >= 0);

CREATE TABLE goods_receipts (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    id            uuid NOT NULL,
    number        text NOT NULL,
    external_ref  text NOT NULL,
    digest        text NOT NULL,
    order_id      uuid NOT NULL,
    received_on   date NOT NULL,
    notes         text,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id) REFERENCES purchase_orders (tenant_id, id)
);
CREATE UNIQUE INDEX goods_receipts_number_key ON goods_receipts (tenant_id, number);
CREATE UNIQUE INDEX goods_receipts_external_ref_key ON goods_receipts (tenant_id, external_ref);
CREATE INDEX goods_receipts_order_idx ON goods_receipts (tenant_id, order_id, received_on);

CREATE TABLE goods_receipt_lines (
    tenant_id     uuid NOT NULL,
    receipt_id    uuid NOT NULL,
    -- The order line's position.
    position      integer NOT NULL,
    accepted      bigint NOT NULL CHECK (accepted >= 0),
    rejected      bigint NOT NULL CHECK (rejected >= 0),
    reason        text,
    PRIMARY KEY (tenant_id, receipt_id, position),
    FOREIGN KEY (tenant_id, receipt_id) REFERENCES goods_receipts (tenant_id, id) ON DELETE CASCADE
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['goods_receipts', 'goods_receipt_lines']
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
