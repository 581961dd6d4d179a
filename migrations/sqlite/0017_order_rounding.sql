-- SQLite twin of postgres/0022_order_rounding.sql: each quote and order keeps
-- the tax rounding it was totalled with (decision 0012).

ALTER TABLE sales_orders ADD COLUMN rounding TEXT NOT NULL DEFAULT 'line'
    CHECK (rounding IN ('line', 'document'));
