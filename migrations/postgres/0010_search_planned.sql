-- Search functions planned for each term, and asking the trigram index for the
-- term's most distinctive part (the benchmark at 1,000,000 contacts,
-- docs/benchmarks/search.md, found both costs).
--
-- 1. A SQL function's statements are planned without their arguments' values,
--    so 0009's functions always read the trigram index, whatever the term:
--    for a term in every row ('correo.do') the bitmap held all 1,000,000 rows
--    (230 ms) and for a 2-character term (no trigram) the index was read whole
--    (2.5 s), where a scan stopped after cap + 1 matches takes about a
--    millisecond. The functions now build their statement with the values
--    written in (`portico_contact_matches_sql`, `portico_account_matches_sql`;
--    the benchmark explains the same text) and PL/pgSQL's EXECUTE plans it at
--    each call, so the planner's estimate from the column's statistics picks
--    the index for a rare term and a scan for a common one.
-- 2. The index intersects the lists of all the pattern's trigrams; a long
--    term such as an email address carries trigrams found in nearly every row
--    ('@co', 'orr', '.do'), whose lists the index reads whole (45 ms for one
--    match). The index is asked for the pattern's longest run of letters and
--    digits (`portico_search_probe`; the whole pattern when that run is under
--    three characters) and every row it returns is checked against the whole
--    pattern, an expression the index does not serve. Only for a long term
--    (over 14 characters): a short one has few trigrams, and the planner
--    estimates the whole pattern better than a part and its recheck.
-- The functions' statements never run in parallel: they stop after cap + 1
-- rows, sooner than workers start.

CREATE FUNCTION portico_search_probe(pattern text)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog
AS $$
    SELECT CASE WHEN length(pattern) <= 16 THEN pattern ELSE coalesce(
        (SELECT '%' || run[1] || '%'
           FROM regexp_matches(pattern, '[[:alnum:]]{3,}', 'g') AS run
          ORDER BY length(run[1]) DESC
          LIMIT 1),
        pattern) END
$$;

-- The statement `portico_contact_matches` runs for the transaction's tenant:
-- the contacts whose own text matches, then those linked to an account whose
-- text matches, at most cap + 1 ids in all. `UNION ALL` under one `LIMIT`
-- stops as soon as the contacts alone pass the cap (a common term: the
-- accounts are not read); a contact found both ways is listed twice, which
-- the list's `id IN (…)` does not mind, and which at worst makes a term near
-- the cap look common (the list then walks its order: the same rows).
-- NULL without a tenant.
CREATE FUNCTION portico_contact_matches_sql(pattern text, cap integer)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
    WITH t AS (
        SELECT nullif(current_setting('portico.tenant_id', true), '')::uuid AS tenant,
               portico_search_probe(pattern) AS probe
    )
    SELECT format(
        'SELECT m.id FROM (
           (SELECT c.id FROM contacts c
             WHERE c.tenant_id = %1$L AND c.search_text LIKE %2$L%3$s
             LIMIT %4$s)
           UNION ALL
           (SELECT l.contact_id FROM accounts a
              JOIN contact_links l ON l.tenant_id = a.tenant_id AND l.account_id = a.id
             WHERE a.tenant_id = %1$L AND a.search_text LIKE %2$L%5$s
             LIMIT %4$s)
         ) AS m (id)
         LIMIT %4$s',
        t.tenant, t.probe,
        CASE WHEN t.probe = pattern THEN ''
             ELSE format(' AND (c.search_text || '''') LIKE %L', pattern) END,
        cap + 1,
        CASE WHEN t.probe = pattern THEN ''
             ELSE format(' AND (a.search_text || '''') LIKE %L', pattern) END)
      FROM t
     WHERE t.tenant IS NOT NULL
$$;

-- The statement `portico_account_matches` runs: the accounts of a kind whose
-- text matches, at most cap + 1 ids. NULL without a tenant.
CREATE FUNCTION portico_account_matches_sql(account_kind text, pattern text, cap integer)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
    WITH t AS (
        SELECT nullif(current_setting('portico.tenant_id', true), '')::uuid AS tenant,
               portico_search_probe(pattern) AS probe
    )
    SELECT format(
        'SELECT a.id FROM accounts a
          WHERE a.tenant_id = %1$L AND a.kind = %2$L AND a.search_text LIKE %3$L%4$s
          LIMIT %5$s',
        t.tenant, account_kind, t.probe,
        CASE WHEN t.probe = pattern THEN ''
             ELSE format(' AND (a.search_text || '''') LIKE %L', pattern) END,
        cap + 1)
      FROM t
     WHERE t.tenant IS NOT NULL
$$;

CREATE OR REPLACE FUNCTION portico_contact_matches(pattern text, cap integer)
RETURNS SETOF uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
SET max_parallel_workers_per_gather = 0
AS $$
DECLARE
    statement text := portico_contact_matches_sql(pattern, cap);
BEGIN
    IF statement IS NOT NULL THEN
        RETURN QUERY EXECUTE statement;
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION portico_account_matches(account_kind text, pattern text, cap integer)
RETURNS SETOF uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
SET max_parallel_workers_per_gather = 0
AS $$
DECLARE
    statement text := portico_account_matches_sql(account_kind, pattern, cap);
BEGIN
    IF statement IS NOT NULL THEN
        RETURN QUERY EXECUTE statement;
    END IF;
END
$$;

REVOKE ALL ON FUNCTION portico_search_probe(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION portico_contact_matches_sql(text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION portico_account_matches_sql(text, text, integer) FROM PUBLIC;
