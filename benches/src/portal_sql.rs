//! The SQL one request of the app runs, as PostgreSQL logged it, and what
//! the portal benchmark makes of it: a pgbench script that runs the same
//! statements with the same values the same way (prepared, in the same
//! transactions), and the plans of the statements that read the sales.
//!
//! The statements are caught by turning `log_statement` on for the
//! application's role in the benchmark's database only (`ALTER ROLE … IN
//! DATABASE … SET`, read by connections opened afterwards), reading what the
//! server log gained during one request, and turning it off again.

use std::{io::Read, path::Path};

use anyhow::{Context, bail, ensure};
use sqlx::{Connection, PgConnection, Row};
use uuid::Uuid;

/// One statement as the server received it.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The server process that ran it (the log line's `[pid]`; 0 without one).
    pub pid: u32,
    /// Sent as text by the simple-query protocol (`BEGIN; SELECT set_config(…)`,
    /// `COMMIT`), or prepared with parameters.
    pub simple: bool,
    pub sql: String,
    /// `$1`, `$2`…: the values as logged (`None`: NULL).
    pub params: Vec<Option<String>>,
}

impl Statement {
    /// Whether it reads the customer's money records (the statements whose
    /// plans the report shows).
    pub fn reads_sales(&self) -> bool {
        !self.simple && (self.sql.contains("\"invoices\"") || self.sql.contains("\"payments\""))
    }

    /// Whether it changes a setting for what follows in its transaction: a
    /// prepared `SELECT set_config(…)` without values (the app's
    /// `plan_cache_mode` around a portal list's page statement).
    pub fn sets_config(&self) -> bool {
        !self.simple
            && self.params.is_empty()
            && self.sql.trim_start().starts_with("SELECT set_config(")
    }
}

/// The settings `statements[at]` ran under: the [`Statement::sets_config`]
/// statements before it in its transaction (the same server process, since
/// its `BEGIN`), in order.
pub fn settings_before(statements: &[Statement], at: usize) -> Vec<Statement> {
    let Some(statement) = statements.get(at) else {
        return Vec::new();
    };
    let mut out: Vec<Statement> = statements[..at]
        .iter()
        .rev()
        .filter(|s| s.pid == statement.pid)
        .take_while(|s| !(s.simple && s.sql.starts_with("BEGIN")))
        .filter(|s| s.sets_config())
        .cloned()
        .collect();
    out.reverse();
    out
}

/// The type a parameter is given, from its logged value, where PostgreSQL
/// could not infer the app's from the statement: an integer is `bigint` and a
/// flag `boolean` (a `CASE … THEN $n` would otherwise be text). Others (UUIDs,
/// dates, text) are left for PostgreSQL to infer from what they are compared
/// with, which gives the columns' types, as the app binds them.
pub fn param_type(value: &str) -> Option<&'static str> {
    if value.parse::<i64>().is_ok() {
        Some("bigint")
    } else if value == "t" || value == "f" {
        Some("boolean")
    } else {
        None
    }
}

/// Turns `log_statement` on or off for the application's role in `database`
/// (new connections only).
pub async fn log_statements(owner_url: &str, database: &str, on: bool) -> anyhow::Result<()> {
    ensure!(
        database
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_'),
        "database name {database:?}"
    );
    let sql = if on {
        format!("ALTER ROLE portico_app IN DATABASE {database} SET log_statement = 'all'")
    } else {
        format!("ALTER ROLE portico_app IN DATABASE {database} RESET log_statement")
    };
    let mut conn = PgConnection::connect(owner_url).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .context("setting log_statement for portico_app (the owner URL must be a superuser's)")?;
    conn.close().await?;
    Ok(())
}

/// The server log's length now: where a capture starts reading.
pub fn log_end(log: &Path) -> anyhow::Result<u64> {
    Ok(std::fs::metadata(log)
        .with_context(|| format!("the server log {} (pass --server-log)", log.display()))?
        .len())
}

/// The statements the server log gained after `from`.
pub fn read_log(log: &Path, from: u64) -> anyhow::Result<Vec<Statement>> {
    let mut file = std::fs::File::open(log)?;
    std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(from))?;
    let mut text = String::new();
    file.read_to_string(&mut text)?;
    parse_log(&text)
}

/// The server process of a log line: its first `[digits]` (the `%p` of the
/// default `log_line_prefix`).
fn pid(line: &str) -> u32 {
    line.split('[')
        .skip(1)
        .find_map(|part| part.split_once(']')?.0.parse().ok())
        .unwrap_or(0)
}

/// Parses the statements (`LOG:  statement:`, `LOG:  execute <name>:` and
/// their `DETAIL:  parameters:`) out of PostgreSQL's stderr log; a line
/// starting with a tab continues the entry above it.
pub fn parse_log(text: &str) -> anyhow::Result<Vec<Statement>> {
    let mut entries: Vec<String> = Vec::new();
    for line in text.lines() {
        match (line.strip_prefix('\t'), entries.last_mut()) {
            (Some(more), Some(last)) => {
                last.push('\n');
                last.push_str(more);
            }
            _ => entries.push(line.to_owned()),
        }
    }
    let mut out: Vec<Statement> = Vec::new();
    for entry in entries {
        if let Some((_, sql)) = entry.split_once(" LOG:  statement: ") {
            out.push(Statement {
                pid: pid(&entry),
                simple: true,
                sql: sql.to_owned(),
                params: Vec::new(),
            });
        } else if let Some((_, rest)) = entry.split_once(" LOG:  execute ") {
            let (_, sql) = rest
                .split_once(": ")
                .context("an execute line without SQL")?;
            out.push(Statement {
                pid: pid(&entry),
                simple: false,
                sql: sql.to_owned(),
                params: Vec::new(),
            });
        } else if let Some((_, list)) = entry.split_once(" DETAIL:  parameters: ") {
            let process = pid(&entry);
            let last = out
                .iter_mut()
                .rev()
                .find(|s| s.pid == process)
                .context("parameters before any statement")?;
            last.params = parse_params(list)?;
        }
    }
    Ok(out)
}

/// The statements as transactions, in the order they began: each server
/// process's statements from a `BEGIN` to its `COMMIT` or `ROLLBACK`, and a
/// statement outside of one on its own.
pub fn transactions(statements: &[Statement]) -> Vec<Vec<Statement>> {
    let mut done: Vec<Vec<Statement>> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for statement in statements {
        let at = open.iter().position(|&t| done[t][0].pid == statement.pid);
        let at = match at {
            Some(at) => open[at],
            None => {
                done.push(Vec::new());
                if statement.simple && statement.sql.starts_with("BEGIN") {
                    open.push(done.len() - 1);
                }
                done.len() - 1
            }
        };
        done[at].push(statement.clone());
        let sql = statement.sql.trim_end_matches(';');
        if statement.simple && (sql == "COMMIT" || sql == "ROLLBACK") {
            open.retain(|&t| t != at);
        }
    }
    done
}

/// The transactions of `first` that `second` has too (the same statements
/// with the same values): what two runs of one request have in common, with
/// what the app's background tasks ran meanwhile left out.
pub fn common(first: &[Statement], second: &[Statement]) -> Vec<Statement> {
    let same = |a: &[Statement], b: &[Statement]| {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x.simple == y.simple && x.sql == y.sql && x.params == y.params)
    };
    let mut others = transactions(second);
    let mut out = Vec::new();
    for transaction in transactions(first) {
        if let Some(at) = others.iter().position(|o| same(o, &transaction)) {
            others.remove(at);
            out.extend(transaction);
        }
    }
    out
}

/// `$1 = 'a', $2 = NULL, $3 = 'it''s'` → the values in order.
fn parse_params(list: &str) -> anyhow::Result<Vec<Option<String>>> {
    let mut out = Vec::new();
    let mut rest = list.trim();
    while !rest.is_empty() {
        let (name, after) = rest
            .split_once(" = ")
            .context("a parameter without a value")?;
        ensure!(
            name == format!("${}", out.len() + 1),
            "parameter {name} out of order"
        );
        if let Some(after) = after.strip_prefix("NULL") {
            out.push(None);
            rest = after;
        } else {
            let mut chars = after.char_indices();
            ensure!(
                chars.next().map(|(_, c)| c) == Some('\''),
                "an unquoted value"
            );
            let mut value = String::new();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                if c == '\'' {
                    if after[i + 1..].starts_with('\'') {
                        value.push('\'');
                        chars.next();
                    } else {
                        end = Some(i + 1);
                        break;
                    }
                } else {
                    value.push(c);
                }
            }
            out.push(Some(value));
            rest = &after[end.context("an unterminated value")?..];
        }
        rest = rest.strip_prefix(", ").unwrap_or(rest);
    }
    Ok(out)
}

/// `sql` with each `$n` replaced by `with(n)`; `$` inside quotes untouched.
fn replace_params(sql: &str, mut with: impl FnMut(usize) -> String) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c == '$' && !quoted && chars.peek().is_some_and(char::is_ascii_digit) {
            let mut n = 0usize;
            while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                n = n * 10 + d as usize;
                chars.next();
            }
            out.push_str(&with(n));
        } else {
            out.push(c);
        }
    }
    out
}

/// Splits a simple-query text into its statements (`;` outside quotes).
fn split_simple(sql: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in sql.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                current.push(c);
            }
            ';' if !quoted => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    parts.push(current);
    parts
        .into_iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

/// A pgbench script (for `-M prepared`) running `statements` as the app ran
/// them, and its variables (`-D name=value`). A prepared statement's `$n`
/// becomes `:name` with the logged value (typed by [`param_type`]); a simple-query text of
/// several statements (the app's `BEGIN; SELECT set_config(…)`, one round
/// trip) runs as one pipeline, since pgbench cannot prepare it whole.
pub fn pgbench_script(statements: &[Statement]) -> (String, Vec<(String, String)>) {
    let mut script = String::new();
    let mut vars = Vec::new();
    for (k, statement) in statements.iter().enumerate() {
        if statement.simple {
            let parts = split_simple(&statement.sql);
            let pipeline = parts.len() > 1;
            if pipeline {
                script.push_str("\\startpipeline\n");
            }
            for part in parts {
                script.push_str(&part);
                script.push_str(";\n");
            }
            if pipeline {
                script.push_str("\\endpipeline\n");
            }
            continue;
        }
        let sql = replace_params(&statement.sql, |n| {
            match statement.params.get(n - 1).cloned().flatten() {
                Some(value) => {
                    let name = format!("s{}p{n}", k + 1);
                    let kind = param_type(&value);
                    vars.push((name.clone(), value));
                    match kind {
                        Some(kind) => format!("CAST(:{name} AS {kind})"),
                        None => format!(":{name}"),
                    }
                }
                None => "NULL".to_owned(),
            }
        });
        script.push_str(sql.trim_end_matches(';'));
        script.push_str(";\n");
    }
    (script, vars)
}

/// A value as an SQL literal.
fn literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// The plan of `statement` as the app's connections run it by then: under
/// `settings` (what the app set before it in its transaction, see
/// [`settings_before`]; e.g. `plan_cache_mode`), prepared (with the same
/// parameter types as the pgbench script), executed five times (PostgreSQL
/// may then switch to a generic plan), then `EXPLAIN (ANALYZE, BUFFERS)` of a
/// sixth execution, as the application's role with the tenant set, in a
/// transaction that is rolled back.
pub async fn plan(
    app_url: &str,
    tenant: Uuid,
    settings: &[Statement],
    statement: &Statement,
) -> anyhow::Result<String> {
    if statement.simple {
        bail!("only prepared statements are explained");
    }
    let types: Vec<&str> = statement
        .params
        .iter()
        .map(|p| p.as_deref().and_then(param_type).unwrap_or("unknown"))
        .collect();
    let args: Vec<String> = statement
        .params
        .iter()
        .map(|p| p.as_deref().map_or("NULL".to_owned(), literal))
        .collect();
    let prepare = format!(
        "PREPARE portico_plan{} AS {}",
        if types.is_empty() {
            String::new()
        } else {
            format!(" ({})", types.join(", "))
        },
        statement.sql
    );
    let execute = if args.is_empty() {
        "EXECUTE portico_plan".to_owned()
    } else {
        format!("EXECUTE portico_plan ({})", args.join(", "))
    };
    let mut conn = PgConnection::connect(app_url).await?;
    let mut tx = conn.begin().await?;
    sqlx::query("SELECT set_config('portico.tenant_id', $1, true)")
        .bind(tenant.to_string())
        .execute(&mut *tx)
        .await?;
    for setting in settings {
        ensure!(setting.sets_config(), "not a setting: {}", setting.sql);
        sqlx::raw_sql(sqlx::AssertSqlSafe(setting.sql.clone()))
            .execute(&mut *tx)
            .await?;
    }
    sqlx::raw_sql(sqlx::AssertSqlSafe(prepare))
        .execute(&mut *tx)
        .await?;
    for _ in 0..5 {
        sqlx::raw_sql(sqlx::AssertSqlSafe(execute.clone()))
            .execute(&mut *tx)
            .await?;
    }
    let rows = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "EXPLAIN (ANALYZE, BUFFERS) {execute}"
    )))
    .fetch_all(&mut *tx)
    .await?;
    tx.rollback().await?;
    conn.close().await?;
    let lines = rows
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\
2026-12-03 10:11:54.700 UTC [21930] portico_app@portico_bench LOG:  statement: BEGIN; SELECT pg_backend_pid(), set_config('portico.tenant_id', '0193a0c2-6f7e-7000-8000-000000000001', true)
2026-12-03 10:11:54.728 UTC [21930] portico_app@portico_bench LOG:  execute sqlx_s_3: SELECT \"id\" FROM \"invoices\" WHERE \"tenant_id\" = $1 AND \"note\" = $2 LIMIT $3
2026-12-03 10:11:54.728 UTC [21930] portico_app@portico_bench DETAIL:  parameters: $1 = '0193a0c2-6f7e-7000-8000-000000000001', $2 = 'it''s, $3', $3 = '51'
2026-12-03 10:11:54.729 UTC [21930] portico_app@portico_bench LOG:  execute sqlx_s_4: SELECT 1
\t  + $1
2026-12-03 10:11:54.729 UTC [21930] portico_app@portico_bench DETAIL:  parameters: $1 = NULL
2026-12-03 10:11:54.805 UTC [21930] portico_app@portico_bench LOG:  statement: COMMIT
2026-12-03 10:11:54.805 UTC [21777] postgres@postgres ERROR:  boom
2026-12-03 10:11:54.805 UTC [21777] postgres@postgres STATEMENT:  SELECT boom
";

    #[test]
    fn the_log_gives_each_statement_with_its_values_in_order() {
        let statements = parse_log(LOG).unwrap();
        assert_eq!(statements.len(), 4);
        assert!(statements[0].simple);
        assert_eq!(statements[0].pid, 21930);
        assert_eq!(
            statements[1].params,
            vec![
                Some("0193a0c2-6f7e-7000-8000-000000000001".into()),
                Some("it's, $3".into()),
                Some("51".into())
            ]
        );
        assert_eq!(statements[2].sql, "SELECT 1\n  + $1");
        assert_eq!(statements[2].params, vec![None]);
        assert_eq!(statements[3].sql, "COMMIT");
    }

    #[test]
    fn a_background_transaction_of_one_run_is_left_out() {
        let request = parse_log(LOG).unwrap();
        let background = "\
2026-12-03 10:11:54.730 UTC [21931] portico_app@portico_bench LOG:  statement: BEGIN; SELECT pg_backend_pid()
2026-12-03 10:11:54.731 UTC [21931] portico_app@portico_bench LOG:  execute sqlx_s_1: SELECT \"policy_version\" FROM \"tenants\"
2026-12-03 10:11:54.732 UTC [21931] portico_app@portico_bench LOG:  statement: COMMIT
";
        let (head, tail) = LOG.split_at(LOG.find("2026-12-03 10:11:54.729").unwrap());
        let interleaved = parse_log(&format!("{head}{background}{tail}")).unwrap();
        assert_eq!(transactions(&interleaved).len(), 2);
        assert_eq!(common(&interleaved, &request), request);
    }

    #[test]
    fn a_statement_runs_under_the_settings_set_before_it_in_its_transaction() {
        let log = "\
2026-12-03 10:11:54.700 UTC [21930] portico_app@portico_bench LOG:  statement: BEGIN; SELECT pg_backend_pid()
2026-12-03 10:11:54.701 UTC [21930] portico_app@portico_bench LOG:  execute sqlx_s_1: SELECT set_config('plan_cache_mode', 'force_generic_plan', true)
2026-12-03 10:11:54.702 UTC [21930] portico_app@portico_bench LOG:  statement: COMMIT
2026-12-03 10:11:54.703 UTC [21930] portico_app@portico_bench LOG:  statement: BEGIN; SELECT pg_backend_pid()
2026-12-03 10:11:54.704 UTC [21931] portico_app@portico_bench LOG:  execute sqlx_s_1: SELECT set_config('plan_cache_mode', 'force_custom_plan', true)
2026-12-03 10:11:54.705 UTC [21930] portico_app@portico_bench LOG:  execute sqlx_s_1: SELECT set_config('plan_cache_mode', 'force_generic_plan', true)
2026-12-03 10:11:54.706 UTC [21930] portico_app@portico_bench LOG:  execute sqlx_s_2: SELECT \"id\" FROM \"invoices\" WHERE \"tenant_id\" = $1
2026-12-03 10:11:54.706 UTC [21930] portico_app@portico_bench DETAIL:  parameters: $1 = '0193a0c2-6f7e-7000-8000-000000000001'
2026-12-03 10:11:54.707 UTC [21930] portico_app@portico_bench LOG:  execute sqlx_s_3: SELECT set_config('plan_cache_mode', 'auto', true)
2026-12-03 10:11:54.708 UTC [21930] portico_app@portico_bench LOG:  statement: COMMIT
";
        let statements = parse_log(log).unwrap();
        let at = statements.iter().position(Statement::reads_sales).unwrap();
        let settings = settings_before(&statements, at);
        assert_eq!(settings.len(), 1);
        assert_eq!(settings[0].pid, 21930);
        assert!(settings[0].sql.contains("'force_generic_plan'"));
        assert!(!statements[at].sets_config());
        assert!(settings_before(&statements, 0).is_empty());
    }

    #[test]
    fn the_script_pipelines_the_begin_and_types_each_value() {
        let statements = parse_log(LOG).unwrap();
        let (script, vars) = pgbench_script(&statements);
        assert_eq!(
            script,
            "\\startpipeline\nBEGIN;\nSELECT pg_backend_pid(), set_config('portico.tenant_id', \
             '0193a0c2-6f7e-7000-8000-000000000001', true);\n\\endpipeline\n\
             SELECT \"id\" FROM \"invoices\" WHERE \"tenant_id\" = :s2p1 \
             AND \"note\" = :s2p2 LIMIT CAST(:s2p3 AS bigint);\n\
             SELECT 1\n  + NULL;\nCOMMIT;\n"
        );
        assert_eq!(vars[2], ("s2p3".to_owned(), "51".to_owned()));
    }
}
