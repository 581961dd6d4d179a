-- SQLite twin of postgres/0021_ageing_indexes.sql (SQLite has no INCLUDE: the
-- summed columns end the key). The receivables' ageing sums each visible
-- branch's open documents from one range of these indexes.

CREATE INDEX invoices_ageing_idx ON invoices (tenant_id, account_id, branch_id, due_on, currency, kind, balance)
    WHERE balance > 0;
CREATE INDEX payments_ageing_idx ON payments (tenant_id, account_id, branch_id, received_on, currency, unapplied)
    WHERE unapplied > 0;
