-- The supplier side's first records (issue 13): purchase orders the company
-- places with its suppliers (pushed by an ERP, upserted by its reference),
-- their lines with the supplier's answer to each (accepted, rejected with a
-- reason, or accepted with a promised date or another quantity), the events
-- of each order, and the back office's `purchases` area. An answer that
-- changes anything waits for staff (`awaiting_review`) before the order
-- counts as acknowledged.
--
-- Amounts, prices, quantities and rates are bigints of ten-thousandths, as in
-- 0014_sales (decision 0008).

CREATE TABLE purchase_orders (
    tenant_id       uuid NOT NULL REFERENCES tenants (id),
    id              uuid NOT NULL,
    number          text NOT NULL,
    external_ref    text,
    digest          text,
    -- The supplier, and the branch of it the order is placed with.
    account_id      uuid NOT NULL,
    branch_id       uuid,
    status          text NOT NULL CHECK (status IN ('draft', 'sent', 'acknowledged',
                        'partially_received', 'received', 'closed', 'cancelled')),
    -- The supplier answered with changes that staff have not decided yet.
    awaiting_review boolean NOT NULL DEFAULT false,
    issued_on       date NOT NULL,
    expected_on     date,
    currency        text NOT NULL,
    subtotal        bigint NOT NULL,
    tax             bigint NOT NULL,
    total           bigint NOT NULL CHECK (total >= 0),
    rounding        text NOT NULL CHECK (rounding IN ('line', 'document')),
    notes           text,
    -- The contact who answered last, when, with what note; staff's reason
    -- when they refused the answer.
    responded_by    uuid,
    responded_at    timestamptz,
    response_note   text,
    review_note     text,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
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
    WHERE awaiting_review;
-- What waits for the supplier's acknowledgement.
CREATE INDEX purchase_orders_waiting_idx ON purchase_orders (tenant_id, account_id, issued_on DESC)
    WHERE status = 'sent' AND NOT awaiting_review;

CREATE TABLE purchase_order_lines (
    tenant_id     uuid NOT NULL,
    order_id      uuid NOT NULL,
    position      integer NOT NULL,
    item_code     text,
    description   text NOT NULL,
    unit          text NOT NULL,
    quantity      bigint NOT NULL,
    unit_price    bigint NOT NULL,
    tax_rate      bigint NOT NULL,
    net           bigint NOT NULL,
    tax           bigint NOT NULL,
    expected_on   date,
    -- The supplier's answer to the line.
    ack           text NOT NULL DEFAULT 'open' CHECK (ack IN ('open', 'accepted', 'rejected', 'changed')),
    ack_quantity  bigint,
    ack_date      date,
    ack_reason    text,
    PRIMARY KEY (tenant_id, order_id, position),
    FOREIGN KEY (tenant_id, order_id) REFERENCES purchase_orders (tenant_id, id) ON DELETE CASCADE
);

-- What happened to a purchase order, in order.
CREATE TABLE purchase_order_events (
    tenant_id     uuid NOT NULL,
    order_id      uuid NOT NULL,
    seq           integer NOT NULL,
    occurred_at   timestamptz NOT NULL,
    -- `contact`, `staff`, `api_key` or `system`.
    actor_kind    text NOT NULL,
    actor_id      uuid,
    actor_name    text NOT NULL,
    action        text NOT NULL,
    comment       text,
    PRIMARY KEY (tenant_id, order_id, seq),
    FOREIGN KEY (tenant_id, order_id) REFERENCES purchase_orders (tenant_id, id) ON DELETE CASCADE
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['purchase_orders', 'purchase_order_lines', 'purchase_order_events']
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
