-- The customer side's buying records (issue 12): the items catalogue and each
-- customer's own prices, quotes and orders with their lines, the events of each
-- (who requested, sent, accepted, authorized — the approval chain staff see),
-- the per-tenant counters behind human numbers (COT-000123, PED-000045), each
-- link's approval limit and the company's "nobody authorizes their own" rule.
--
-- Amounts, prices, quantities and rates are bigints of ten-thousandths, as in
-- 0014_sales (decision 0008).

CREATE TABLE items (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    id            uuid NOT NULL,
    -- The item's code is its reference: the ERP upserts by it.
    code          text NOT NULL,
    name          text NOT NULL,
    unit          text NOT NULL,
    currency      text NOT NULL,
    price         bigint NOT NULL CHECK (price >= 0),
    -- Percent, scale 4: 18% is 180000.
    tax_rate      bigint NOT NULL CHECK (tax_rate >= 0),
    active        boolean NOT NULL,
    digest        text NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX items_code_key ON items (tenant_id, lower(code));
-- The catalogue as people browse it: active items by code.
CREATE INDEX items_catalogue_idx ON items (tenant_id, lower(code)) WHERE active;

-- A customer's own price of an item; without one the item's price holds.
CREATE TABLE item_prices (
    tenant_id     uuid NOT NULL,
    account_id    uuid NOT NULL,
    item_id       uuid NOT NULL,
    price         bigint NOT NULL CHECK (price >= 0),
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, account_id, item_id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, item_id) REFERENCES items (tenant_id, id) ON DELETE CASCADE
);

-- The last number given in each series (quote, order) of a company.
CREATE TABLE document_counters (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    series        text NOT NULL,
    last          bigint NOT NULL,
    PRIMARY KEY (tenant_id, series)
);

-- Quotes (draft → sent → accepted / rejected; expired once past valid_until)
-- and orders (submitted → authorized → fulfilled / cancelled).
CREATE TABLE sales_orders (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    id            uuid NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('quote', 'order')),
    number        text NOT NULL,
    account_id    uuid NOT NULL,
    branch_id     uuid,
    status        text NOT NULL CHECK (
        (kind = 'quote' AND status IN ('draft', 'sent', 'accepted', 'rejected'))
        OR (kind = 'order' AND status IN ('submitted', 'authorized', 'fulfilled', 'cancelled'))),
    -- A quote someone accepted beyond their limit, waiting for an approver.
    awaiting_approval boolean NOT NULL DEFAULT false,
    issued_on     date NOT NULL,
    -- A quote's validity; an order's wished delivery date.
    valid_until   date,
    deliver_on    date,
    currency      text NOT NULL,
    subtotal      bigint NOT NULL,
    tax           bigint NOT NULL,
    total         bigint NOT NULL CHECK (total >= 0),
    -- The accepted quote an order was made from.
    quote_id      uuid,
    notes         text,
    -- Who created it: a contact in the portal, or nobody (staff, the ERP).
    created_by    uuid,
    -- Who accepted/authorized (or rejected) it in the portal, and their comment.
    decided_by    uuid,
    decided_at    timestamptz,
    comment       text,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, branch_id) REFERENCES branches (tenant_id, id),
    FOREIGN KEY (tenant_id, quote_id) REFERENCES sales_orders (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES contacts (tenant_id, id),
    FOREIGN KEY (tenant_id, decided_by) REFERENCES contacts (tenant_id, id)
);
CREATE UNIQUE INDEX sales_orders_number_key ON sales_orders (tenant_id, number);
CREATE INDEX sales_orders_portal_idx ON sales_orders (tenant_id, account_id, kind, branch_id, issued_on DESC, id DESC);
CREATE INDEX sales_orders_portal_account_idx ON sales_orders (tenant_id, account_id, kind, issued_on DESC, id DESC)
    WHERE branch_id IS NULL;
-- What waits for someone of the customer: submitted orders, quotes awaiting approval.
CREATE INDEX sales_orders_waiting_idx ON sales_orders (tenant_id, account_id, total)
    WHERE status = 'submitted' OR awaiting_approval;
-- An accepted quote is ordered once.
CREATE UNIQUE INDEX sales_orders_quote_key ON sales_orders (tenant_id, quote_id) WHERE quote_id IS NOT NULL;
CREATE INDEX sales_orders_list_idx ON sales_orders (tenant_id, kind, issued_on DESC, id DESC);

CREATE TABLE sales_order_lines (
    tenant_id     uuid NOT NULL,
    order_id      uuid NOT NULL,
    position      integer NOT NULL,
    item_id       uuid,
    item_code     text,
    description   text NOT NULL,
    unit          text NOT NULL,
    quantity      bigint NOT NULL,
    unit_price    bigint NOT NULL,
    tax_rate      bigint NOT NULL,
    net           bigint NOT NULL,
    tax           bigint NOT NULL,
    PRIMARY KEY (tenant_id, order_id, position),
    FOREIGN KEY (tenant_id, order_id) REFERENCES sales_orders (tenant_id, id) ON DELETE CASCADE
);

-- What happened to a quote or order, in order: the approval chain.
CREATE TABLE sales_order_events (
    tenant_id     uuid NOT NULL,
    order_id      uuid NOT NULL,
    seq           integer NOT NULL,
    occurred_at   timestamptz NOT NULL,
    -- `contact`, `staff`, `api_key` or `system`.
    actor_kind    text NOT NULL,
    actor_id      uuid,
    -- The name as it was then (people are renamed; the chain is not).
    actor_name    text NOT NULL,
    action        text NOT NULL,
    -- The actor's approval limit when it mattered (NULL: none set).
    approval_limit bigint,
    comment       text,
    PRIMARY KEY (tenant_id, order_id, seq),
    FOREIGN KEY (tenant_id, order_id) REFERENCES sales_orders (tenant_id, id) ON DELETE CASCADE
);

-- Up to what total a link's contact may accept quotes and authorize orders
-- (in the company's currency); NULL: the permission alone decides.
ALTER TABLE contact_links ADD COLUMN approval_limit bigint CHECK (approval_limit >= 0);

-- When on, nobody accepts or authorizes what they created themselves.
ALTER TABLE tenants ADD COLUMN four_eyes boolean NOT NULL DEFAULT false;
GRANT UPDATE (four_eyes) ON tenants TO portico_app;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['items', 'item_prices', 'document_counters', 'sales_orders',
                             'sales_order_lines', 'sales_order_events']
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
