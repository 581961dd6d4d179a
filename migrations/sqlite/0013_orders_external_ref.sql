-- SQLite twin of postgres/0018_orders_external_ref.sql. Quotes and orders an
-- ERP pushes through the admin API (issue 12): upserted by the ERP's own
-- reference, one per kind, with the digest of what was sent so a record sent
-- again unchanged writes nothing.

ALTER TABLE sales_orders ADD COLUMN external_ref TEXT;
ALTER TABLE sales_orders ADD COLUMN digest TEXT;
CREATE UNIQUE INDEX sales_orders_external_ref_key ON sales_orders (tenant_id, kind, external_ref)
    WHERE external_ref IS NOT NULL;
