-- The contacts linked to accounts whose text matches, as one set. For a term
-- too common to collect (over the cap), the contacts' list walks its order and
-- tests each row; testing "linked to a matching account" with a lookup per row
-- cost more than the walk itself for a term of middling frequency ('123' at
-- 1,000,000 contacts: about 4,000 lookups, 25 ms of a 32 ms page, see
-- docs/benchmarks/search.md). The list now asks this function first and, when
-- the set is small enough to send back (up to the cap the data layer gives),
-- tests each walked row against the set; past it, it keeps the per-row test.
-- Same shape as migration 0010's functions: the statement is built with its
-- values written in (`…_sql`, which the benchmark explains) and planned per
-- call, for the transaction's tenant only (NULL without a tenant).

CREATE FUNCTION portico_linked_contact_matches_sql(pattern text, cap integer)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
    WITH t AS (
        SELECT nullif(current_setting('portico.tenant_id', true), '')::uuid AS tenant,
               portico_search_probe(pattern) AS probe
    )
    SELECT format(
        'SELECT l.contact_id FROM accounts a
           JOIN contact_links l ON l.tenant_id = a.tenant_id AND l.account_id = a.id
          WHERE a.tenant_id = %1$L AND a.search_text LIKE %2$L%3$s
          LIMIT %4$s',
        t.tenant, t.probe,
        CASE WHEN t.probe = pattern THEN ''
             ELSE format(' AND (a.search_text || '''') LIKE %L', pattern) END,
        cap + 1)
      FROM t
     WHERE t.tenant IS NOT NULL
$$;

CREATE FUNCTION portico_linked_contact_matches(pattern text, cap integer)
RETURNS SETOF uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
SET max_parallel_workers_per_gather = 0
AS $$
DECLARE
    statement text := portico_linked_contact_matches_sql(pattern, cap);
BEGIN
    IF statement IS NOT NULL THEN
        RETURN QUERY EXECUTE statement;
    END IF;
END
$$;

REVOKE ALL ON FUNCTION portico_linked_contact_matches_sql(text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION portico_linked_contact_matches(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portico_linked_contact_matches(text, integer) TO portico_app;
