-- Which companies have background work, without opening a transaction per
-- company. The mail dispatcher (every 30 s) and the import sweep (every
-- minute) used to list every company and read each one's outbox or imports in
-- a transaction of its own: with 10,000 companies, hundreds of transactions a
-- second per instance for nothing. Row-level security keeps the application
-- from reading across companies, so these owner functions answer only which
-- companies (ids, nothing of their rows); the work itself is still done in
-- each company's own transaction.

CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at)
    WHERE sent_at IS NULL AND next_attempt_at IS NOT NULL;
CREATE INDEX contact_imports_running_idx ON contact_imports (tenant_id)
    WHERE state IN ('checking', 'importing');

-- Companies with mail due by `due_by` (pending and not claimed past it).
CREATE FUNCTION portico_tenants_with_due_mail(due_by timestamptz)
RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    SELECT DISTINCT tenant_id FROM mail_outbox
     WHERE sent_at IS NULL AND next_attempt_at IS NOT NULL AND next_attempt_at <= due_by
$$;

-- Companies with an import being checked or imported.
CREATE FUNCTION portico_tenants_with_running_imports()
RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    SELECT DISTINCT tenant_id FROM contact_imports WHERE state IN ('checking', 'importing')
$$;

REVOKE ALL ON FUNCTION portico_tenants_with_due_mail(timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION portico_tenants_with_running_imports() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portico_tenants_with_due_mail(timestamptz) TO portico_app;
GRANT EXECUTE ON FUNCTION portico_tenants_with_running_imports() TO portico_app;
