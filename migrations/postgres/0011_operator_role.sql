-- Operator work gets its own role. `portico_app` (companies' sites, portals and
-- API) keeps what serving a company needs: it reads the tenant registry and may
-- change only its own company's row, only the columns a company sets itself,
-- and it cannot see platform operators at all (their password hashes). The
-- operator console and the CLI connect as `portico_operator`, which adds the
-- registry writes and the operators' table to what the application may do
-- (creating a company also writes that company's first rows, under RLS).

DO $$
BEGIN
    CREATE ROLE portico_operator LOGIN;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

GRANT portico_app TO portico_operator;

REVOKE ALL ON platform_operators FROM portico_app;
GRANT SELECT, INSERT, UPDATE ON platform_operators TO portico_operator;

REVOKE INSERT, UPDATE ON tenants FROM portico_app;
GRANT SELECT ON tenants TO portico_app;
GRANT UPDATE (contact_required, policy_version, updated_at) ON tenants TO portico_app;
GRANT SELECT, INSERT, UPDATE ON tenants TO portico_operator;

-- Every company resolves any slug (sign-in pages, portals), so the registry is
-- readable; a company's transaction updates its own row only; operators any.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
CREATE POLICY registry_read ON tenants FOR SELECT USING (true);
CREATE POLICY own_row ON tenants FOR UPDATE TO portico_app
    USING (id = NULLIF(current_setting('portico.tenant_id', true), '')::uuid)
    WITH CHECK (id = NULLIF(current_setting('portico.tenant_id', true), '')::uuid);
CREATE POLICY operator_all ON tenants TO portico_operator
    USING (true) WITH CHECK (true);
