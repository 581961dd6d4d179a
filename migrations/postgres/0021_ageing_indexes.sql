-- The receivables' ageing (issue 12, docs/benchmarks/portal.md): a contact's
-- ageing sums the open documents of the branches it sees. With only
-- `invoices_open_idx (tenant_id, account_id, due_on, id)` it read every open
-- document of the customer and dropped those of hidden branches (13 ms for a
-- customer with 20,000 open invoices). These indexes hold the branch and the
-- summed columns, so each branch's sum is an index-only range.

CREATE INDEX invoices_ageing_idx ON invoices (tenant_id, account_id, branch_id, due_on)
    INCLUDE (currency, kind, balance) WHERE balance > 0;
CREATE INDEX payments_ageing_idx ON payments (tenant_id, account_id, branch_id, received_on)
    INCLUDE (currency, unapplied) WHERE unapplied > 0;
