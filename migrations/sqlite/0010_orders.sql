-- SQLite twin of postgres/0015_orders.sql. The customer side's buying records (issue 12): the items catalogue and each
-- customer's own prices, quotes and orders with their lines, the events of each
-- (who requested, sent, accepted, authorized — the approval chain staff see),
-- the per-tenant counters behind human numbers (COT-000123, PED-000045), each
-- link's approval limit and the company's "nobody authorizes their own" rule.
--
-- Amounts, prices, quantities and rates are INTEGERs of ten-thousandths, as in
-- 0014_sales (decision 0008).

CREATE TABLE items (
    tenant_id     BLOB NOT NULL REFERENCES tenants (id),
    id            BLOB NOT NULL,
    -- The item's code is its reference: the ERP upserts by it.
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    unit          TEXT NOT NULL,
    currency      TEXT NOT NULL,
    price         INTEGER NOT NULL CHECK (price >= 0),
    -- Percent, scale 4: 18% is 180000.
    tax_rate      INTEGER NOT NULL CHECK (tax_rate >= 0),
    active        INTEGER NOT NULL,
    digest        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX items_code_key ON items (tenant_id, lower(code));
-- The catalogue as people browse it: active items by code.
CREATE INDEX items_catalogue_idx ON items (tenant_id, lower(code)) WHERE active = 1;

-- A customer's own price of an item; without one the item's price holds.
CREATE TABLE item_prices (
    tenant_id     BLOB NOT NULL,
    account_id    BLOB NOT NULL,
    item_id       BLOB NOT NULL,
    price         INTEGER NOT NULL CHECK (price >= 0),
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, account_id, item_id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id),
    FOREIGN KEY (tenant_id, item_id) REFERENCES items (tenant_id, id) ON DELETE CASCADE
);

-- The last number given in each series (quote, order) of a company.
CREATE TABLE document_counters (
    tenant_id     BLOB NOT NULL REFERENCES tenants (id),
    series        TEXT NOT NULL,
    last          INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, series)
);

-- Quotes (draft → sent → accepted / rejected; expired once past valid_until)
-- and orders (submitted → authorized → fulfilled / cancelled).
CREATE TABLE sales_orders (
    tenant_id     BLOB NOT NULL REFERENCES tenants (id),
    id            BLOB NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('quote', 'order')),
    number        TEXT NOT NULL,
    account_id    BLOB NOT NULL,
    branch_id     BLOB,
    status        TEXT NOT NULL CHECK (
        (kind = 'quote' AND status IN ('draft', 'sent', 'accepted', 'rejected'))
        OR (kind = 'order' AND status IN ('submitted', 'authorized', 'fulfilled', 'cancelled'))),
    -- A quote someone accepted beyond their limit, waiting for an approver.
    awaiting_approval INTEGER NOT NULL DEFAULT 0,
    issued_on     TEXT NOT NULL,
    -- A quote's validity; an order's wished delivery TEXT.
    valid_until   TEXT,
    deliver_on    TEXT,
    currency      TEXT NOT NULL,
    subtotal      INTEGER NOT NULL,
    tax           INTEGER NOT NULL,
    total         INTEGER NOT NULL CHECK (total >= 0),
    -- The accepted quote an order was made from.
    quote_id      BLOB,
    notes         TEXT,
    -- Who created it: a contact in the portal, or nobody (staff, the ERP).
    created_by    BLOB,
    -- Who accepted/authorized (or rejected) it in the portal, and their comment.
    decided_by    BLOB,
    decided_at    TEXT,
    comment       TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
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
    WHERE status = 'submitted' OR awaiting_approval = 1;
-- An accepted quote is ordered once.
CREATE UNIQUE INDEX sales_orders_quote_key ON sales_orders (tenant_id, quote_id) WHERE quote_id IS NOT NULL;
CREATE INDEX sales_orders_list_idx ON sales_orders (tenant_id, kind, issued_on DESC, id DESC);

CREATE TABLE sales_order_lines (
    tenant_id     BLOB NOT NULL,
    order_id      BLOB NOT NULL,
    position      INTEGER NOT NULL,
    item_id       BLOB,
    item_code     TEXT,
    description   TEXT NOT NULL,
    unit          TEXT NOT NULL,
    quantity      INTEGER NOT NULL,
    unit_price    INTEGER NOT NULL,
    tax_rate      INTEGER NOT NULL,
    net           INTEGER NOT NULL,
    tax           INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, order_id, position),
    FOREIGN KEY (tenant_id, order_id) REFERENCES sales_orders (tenant_id, id) ON DELETE CASCADE
);

-- What happened to a quote or order, in order: the approval chain.
CREATE TABLE sales_order_events (
    tenant_id     BLOB NOT NULL,
    order_id      BLOB NOT NULL,
    seq           INTEGER NOT NULL,
    occurred_at   TEXT NOT NULL,
    -- `contact`, `staff`, `api_key` or `system`.
    actor_kind    TEXT NOT NULL,
    actor_id      BLOB,
    -- The name as it was then (people are renamed; the chain is not).
    actor_name    TEXT NOT NULL,
    action        TEXT NOT NULL,
    -- The actor's approval limit when it mattered (NULL: none set).
    approval_limit INTEGER,
    comment       TEXT,
    PRIMARY KEY (tenant_id, order_id, seq),
    FOREIGN KEY (tenant_id, order_id) REFERENCES sales_orders (tenant_id, id) ON DELETE CASCADE
);

-- Up to what total a link's contact may accept quotes and authorize orders
-- (in the company's currency); NULL: the permission alone decides.
ALTER TABLE contact_links ADD COLUMN approval_limit INTEGER CHECK (approval_limit >= 0);

-- When on, nobody accepts or authorizes what they created themselves.
ALTER TABLE tenants ADD COLUMN four_eyes INTEGER NOT NULL DEFAULT 0;
