-- Each quote and order keeps the tax rounding it was totalled with (decision
-- 0012): a company changing its rule changes the documents created after, and
-- an order made from a quote, a drafted quote priced later and an ERP's
-- status change keep the rule of the document they continue.

ALTER TABLE sales_orders ADD COLUMN rounding text NOT NULL DEFAULT 'line'
    CHECK (rounding IN ('line', 'document'));
