-- Search that stays fast under row-level security. `LIKE` is not leakproof, so
-- for the application's role PostgreSQL evaluates it only after the tenant
-- policy and cannot use the trigram indexes: a rare term scanned the whole
-- tenant. These functions run as the owner but read only the rows of the
-- transaction's tenant (the setting the policies read; no setting, no rows),
-- and return at most `cap` + 1 ids: the caller tells a rare term (these are all
-- its matches) from a common one (more than `cap`: it walks the list's order
-- and tests each row, which finds a page of a common term quickly).

CREATE FUNCTION portico_contact_matches(pattern text, cap integer)
RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    WITH tenant AS (
        SELECT nullif(current_setting('portico.tenant_id', true), '')::uuid AS id
    )
    (SELECT c.id
       FROM contacts c, tenant
      WHERE c.tenant_id = tenant.id AND c.search_text LIKE pattern
      LIMIT cap + 1)
    UNION
    (SELECT l.contact_id
       FROM contact_links l
       JOIN accounts a ON a.tenant_id = l.tenant_id AND a.id = l.account_id,
            tenant
      WHERE l.tenant_id = tenant.id AND a.search_text LIKE pattern
      LIMIT cap + 1)
$$;

CREATE FUNCTION portico_account_matches(account_kind text, pattern text, cap integer)
RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    SELECT a.id
      FROM accounts a
     WHERE a.tenant_id = nullif(current_setting('portico.tenant_id', true), '')::uuid
       AND a.kind = account_kind
       AND a.search_text LIKE pattern
     LIMIT cap + 1
$$;

REVOKE ALL ON FUNCTION portico_contact_matches(text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION portico_account_matches(text, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portico_contact_matches(text, integer) TO portico_app;
GRANT EXECUTE ON FUNCTION portico_account_matches(text, text, integer) TO portico_app;
